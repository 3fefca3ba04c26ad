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
      throw explain(error as NodeJS.ErrnoException & { port?: number }, plan);
    }
  }
  return bound;
}

function explain(error: NodeJS.ErrnoException & { port?: number }, plan: ListenerPlan): Error {
  const name = Object.entries(plan.ports).find(([, port]) => port === error.port)?.[0];
  const where = `${plan.host}:${error.port ?? '?'}${name ? ` (${name})` : ''}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(`cannot listen on ${where}: the port is already in use`);
    case 'EACCES':
      return new StartupError(
        `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`,
      );
    case 'EADDRNOTAVAIL':
      return new StartupError(`cannot listen on ${where}: not an address of this machine`);
    default:
      return error;
  }
}
