import type { SecureContextOptions } from 'node:tls';
import { type SessionListener, createSessionServer } from '@mailyard/node-listeners';
import { errLine } from '../protocol/pop3-response.js';
import { Pop3Engine, type Pop3EngineOptions } from '../session/pop3-engine.js';
import type { Pop3Session } from '../session/pop3-session.js';

/** One listening socket. */
export interface Pop3Listener extends SessionListener {
  /** `pop3`, `pop3s`: shown to hooks as `Pop3SessionInfo.listener`. */
  readonly name: string;
  /**
   * `implicit`: TLS from the first byte (port 995, RFC 8314); `starttls`: plain with STLS
   * offered (port 110, RFC 2595); `none`: plain only. Default `starttls` when the server has a
   * certificate, else `none`.
   */
  readonly tls?: 'implicit' | 'starttls' | 'none';
}

export interface Pop3ServerOptions extends Pop3EngineOptions {
  readonly listeners: readonly Pop3Listener[];
  /** Certificate and key for STLS and implicit TLS. */
  readonly tls?: SecureContextOptions;
  /**
   * Milliseconds without traffic after which a session is closed, without UPDATE (RFC 1939 3:
   * "at least 10 minutes"). Default 10 minutes. Writes count as traffic, so a slow RETR is not
   * cut short while the client reads.
   */
  readonly idleTimeoutMs?: number;
  /**
   * Connections at once from one client address, over every listener of the server, before
   * authentication and after (Kerio's per-IP limit, which Kerio has for SMTP). One more gets
   * `-ERR [SYS/TEMP] Too many connections from your address` in place of the greeting and is
   * closed: a temporary refusal (RFC 3206), since it lifts once another connection ends.
   * Default 20 (Kerio's figure for SMTP); 0: no limit.
   */
  readonly maxConnectionsPerIp?: number;
  /** Addresses the per-address cap does not apply to (Kerio's "Do not apply these limits to"). */
  readonly connectionLimitsExempt?: (remoteAddress: string) => boolean;
}

export interface Pop3Server {
  readonly engine: Pop3Engine;
  /** Starts every listener; resolves with the ports they got. Rejects when a port is busy. */
  listen(): Promise<{ name: string; port: number }[]>;
  /**
   * Stops listening; sessions waiting for a command get `-ERR [SYS/TEMP]` and are closed at
   * once, sessions busy with one finish it first, for up to `graceMs` (default 10 s); then
   * every connection still open is cut. Nothing is deleted for a session that did not QUIT.
   */
  close(graceMs?: number): Promise<void>;
  /** Sessions currently open. */
  readonly sessions: ReadonlySet<Pop3Session>;
}

/** RFC 1939 3: the autologout timer is at least 10 minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
/** Kerio's "Max. concurrent connections from one IP" figure (Admin Guide 12.2, for SMTP). */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 20;

/**
 * The Node transport of the POP3 engine (node-listeners' session server): listeners (plain with
 * STLS, implicit TLS), the idle timer, the per-address cap, and backpressure both ways: a RETR
 * waits for the socket to drain, and a client that pipelines faster than it is answered is not
 * read until the session catches up.
 */
export function createPop3Server(options: Pop3ServerOptions): Pop3Server {
  const engine = new Pop3Engine(options);
  const server = createSessionServer({
    listeners: options.listeners,
    tls: options.tls,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
    connectionLimitsExempt: options.connectionLimitsExempt,
    tooManyConnections: errLine('Too many connections from your address', 'SYS/TEMP'),
    protocol: 'pop3',
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
