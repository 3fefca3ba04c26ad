import { networkInterfaces } from 'node:os';
import type { ListenerPlan } from './listener-plan.js';
import { StartupError } from './startup-error.js';

/** What the SMTP, POP3 and IMAP servers of the SDK have in common. */
export interface Listening {
  listen(): Promise<{ name: string; port: number }[]>;
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts every server's listeners, in turn, and returns the ports they got. A port that cannot
 * be had becomes a StartupError that says which listener and why; the caller closes whatever
 * had started.
 */
export async function listenAll(
  servers: readonly Listening[],
  plan: ListenerPlan,
): Promise<{ name: string; port: number }[]> {
  const bound: { name: string; port: number }[] = [];
  for (const server of servers) {
    try {
      bound.push(...(await server.listen()));
    } catch (error) {
      throw isListenError(error) ? explain(error, plan) : error;
    }
  }
  return bound;
}

/**
 * `@mailyard/node-listeners`' ListenError, with which the SDK's servers reject: which listener,
 * where, and the system's code. Read by its shape, so that this program does not depend on
 * that package for one type.
 */
interface ListenError extends Error {
  readonly listener: string;
  readonly host: string;
  readonly port: number;
  readonly code: string | undefined;
}

function isListenError(error: unknown): error is ListenError {
  return error instanceof Error && error.name === 'ListenError' && 'listener' in error;
}

function explain(error: ListenError, plan: ListenerPlan): Error {
  const host = error.host.includes(':') ? `[${error.host}]` : error.host;
  const where =
    error.port === 0
      ? `${error.host} (${error.listener}, any free port)`
      : `${host}:${error.port} (${error.listener})`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(`cannot listen on ${where}: the port is already in use`);
    case 'EACCES':
      return new StartupError(
        `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`,
      );
    case 'EADDRNOTAVAIL':
      return new StartupError(
        `cannot listen on ${where}: ${plan.host} is not an address of this machine, whose addresses are ${machineAddresses().join(', ')}; give --host one of them, or 0.0.0.0 or :: for all of them (the default is ListenAddress in mailserver.cfg)`,
      );
    default:
      return new StartupError(`cannot listen on ${where}: ${String(error.cause ?? error.message)}`);
  }
}

/** This machine's IP addresses, link-local ones with their interface, as --host takes them. */
function machineAddresses(): string[] {
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? []).map(({ address, family, scopeid }) =>
      family === 'IPv6' && scopeid ? `${address}%${name}` : address,
    ),
  );
}
