import type { SecureContextOptions } from 'node:tls';
import { type SessionListener, createSessionServer } from '@mailyard/node-listeners';
import { response } from '../protocol/response.js';
import { ManageSieveEngine, type ManageSieveEngineOptions } from '../session/managesieve-engine.js';
import type { ManageSieveSession } from '../session/managesieve-session.js';

/** One listening socket. */
export interface ManageSieveListener extends SessionListener {
  /** `sieve`: shown to hooks as `ManageSieveSessionInfo.listener`. */
  readonly name: string;
  /**
   * `starttls`: plain with STARTTLS offered (RFC 5804's only way to TLS, port 4190);
   * `implicit`: TLS from the first byte (outside the RFC, for tunnels); `none`: plain only.
   * Default `starttls` when the server has a certificate, else `none`.
   */
  readonly tls?: 'starttls' | 'implicit' | 'none';
}

export interface ManageSieveServerOptions extends ManageSieveEngineOptions {
  readonly listeners: readonly ManageSieveListener[];
  /** Certificate and key for STARTTLS. */
  readonly tls?: SecureContextOptions;
  /**
   * Milliseconds without traffic after which a session ends with `BYE`. Default 30 minutes
   * (RFC 5804 has no figure; Dovecot's managesieve uses 30 minutes too). Writes count as
   * traffic.
   */
  readonly idleTimeoutMs?: number;
  /**
   * Connections at once from one client address, over every listener. One more is answered
   * `BYE (TRYLATER) "Too many connections from your address"` in place of the greeting and
   * closed. Default 20; 0: no limit.
   */
  readonly maxConnectionsPerIp?: number;
  /** Addresses the per-address cap does not apply to. */
  readonly connectionLimitsExempt?: (remoteAddress: string) => boolean;
}

export interface ManageSieveServer {
  readonly engine: ManageSieveEngine;
  /** Starts every listener; resolves with the ports they got. Rejects when a port is busy. */
  listen(): Promise<{ name: string; port: number }[]>;
  /**
   * Stops listening; sessions waiting for a command get `BYE (TRYLATER)` and are closed,
   * sessions busy with one finish it first, for up to `graceMs` (default 10 s); then every
   * connection still open is cut.
   */
  close(graceMs?: number): Promise<void>;
  /** Sessions currently open. */
  readonly sessions: ReadonlySet<ManageSieveSession>;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 20;

/**
 * The Node transport of the ManageSieve engine (node-listeners' session server): listeners,
 * STARTTLS, the idle timer, the per-address cap, and backpressure both ways.
 */
export function createManageSieveServer(options: ManageSieveServerOptions): ManageSieveServer {
  const engine = new ManageSieveEngine(options);
  const server = createSessionServer({
    listeners: options.listeners,
    tls: options.tls,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
    connectionLimitsExempt: options.connectionLimitsExempt,
    tooManyConnections: response('BYE', 'Too many connections from your address', 'TRYLATER'),
    protocol: 'managesieve',
    logger: options.logger,
    connect: (connection, transport) => engine.connect(connection, transport),
  });
  return {
    engine,
    sessions: server.sessions,
    listen: () => server.listen(),
    close: (graceMs) => server.close(graceMs),
  };
}
