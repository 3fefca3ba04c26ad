import type { Socket } from 'node:net';
import { type SecureContextOptions, TLSSocket, createSecureContext } from 'node:tls';
import {
  ConnectionsPerAddress,
  ListenerGroup,
  OpenConnections,
  type TcpListener,
  sessionIds,
} from '@mailyard/node-listeners';
import { errLine } from '../protocol/pop3-response.js';
import { Pop3Engine, type Pop3EngineOptions } from '../session/pop3-engine.js';
import type { Pop3Connection, Pop3Session, Pop3Transport } from '../session/pop3-session.js';

/** One listening socket. */
export interface Pop3Listener extends TcpListener {
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
/** A client that never reads its last answer must not hold the socket for ever. */
const LINGER_MS = 5_000;

/**
 * The Node transport of the POP3 engine: listeners (plain with STLS, implicit TLS), the idle
 * timer, and backpressure both ways: a RETR waits for the socket to drain, and a client that
 * pipelines faster than it is answered is not read until the session catches up.
 */
export function createPop3Server(options: Pop3ServerOptions): Pop3Server {
  const engine = new Pop3Engine(options);
  const secureContext = options.tls ? createSecureContext(options.tls) : undefined;
  const idleTimeout = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const sessions = new Set<Pop3Session>();
  const sockets = new OpenConnections();
  const nextSessionId = sessionIds();
  const perAddress = new ConnectionsPerAddress(
    options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
  );

  const serve = (listener: Pop3Listener, raw: Socket) => {
    sockets.add(raw);
    raw.on('error', () => raw.destroy());
    // Answers are written whole; Nagle's algorithm would only hold back their last segment
    // until the client's delayed acknowledgement.
    raw.setNoDelay(true);
    const mode = listener.tls ?? (secureContext ? 'starttls' : 'none');
    if (mode !== 'none' && !secureContext) {
      raw.destroy();
      return;
    }
    let socket: Socket = raw;
    if (mode === 'implicit') {
      socket = new TLSSocket(raw, { isServer: true, secureContext: secureContext! });
      socket.on('error', () => raw.destroy());
    }
    const remoteAddress = normalizeAddress(raw.remoteAddress);
    const release = options.connectionLimitsExempt?.(remoteAddress)
      ? () => {}
      : perAddress.admit(remoteAddress);
    if (!release) {
      options.logger?.warn('pop3 connection refused: too many from one address', {
        ip: remoteAddress,
        open: perAddress.count(remoteAddress),
      });
      // In place of the greeting; nothing the client sends is read.
      socket.end(errLine('Too many connections from your address', 'SYS/TEMP'));
      raw.setTimeout(LINGER_MS, () => raw.destroy());
      return;
    }
    raw.on('close', release);
    const connection: Pop3Connection = {
      id: nextSessionId(),
      remoteAddress,
      remotePort: raw.remotePort ?? 0,
      localAddress: normalizeAddress(raw.localAddress),
      localPort: raw.localPort ?? 0,
      listener: listener.name,
      secure: mode === 'implicit',
      tlsAvailable: mode === 'starttls',
    };
    let closed = false;
    let drainWaiters: (() => void)[] = [];
    const releaseDrain = () => {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const waiter of waiters) waiter();
    };
    const onData = (chunk: Buffer) => session.receive(chunk);
    const onDrain = () => releaseDrain();
    const transport: Pop3Transport = {
      write: (bytes) => (closed ? true : socket.write(bytes)),
      drain: () =>
        closed || !socket.writableNeedDrain
          ? Promise.resolve()
          : new Promise<void>((resolve) => drainWaiters.push(resolve)),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      close: () => {
        socket.end();
        setTimeout(() => raw.destroy(), LINGER_MS).unref();
      },
      startTls: () =>
        new Promise<void>((resolve, reject) => {
          // From here on the bytes are the TLS handshake: none may reach the session in clear.
          socket.off('data', onData);
          socket.off('drain', onDrain);
          const secure = new TLSSocket(socket, { isServer: true, secureContext: secureContext! });
          secure.once('secure', () => {
            socket = secure;
            socket.on('data', onData);
            socket.on('drain', onDrain);
            resolve();
          });
          secure.once('error', (error) => {
            reject(error);
            raw.destroy();
          });
        }),
    };
    const session = engine.connect(connection, transport);
    sessions.add(session);
    raw.setTimeout(idleTimeout, () => {
      session.timeout();
      raw.destroy();
    });
    raw.on('close', () => {
      closed = true;
      sessions.delete(session);
      releaseDrain();
      session.disconnected();
    });
    socket.on('data', onData);
    socket.on('drain', onDrain);
    session.start();
  };

  const listeners = new ListenerGroup(options.listeners, serve, (listener, error) =>
    options.logger?.warn('pop3 connection could not be accepted', {
      listener: listener.name,
      error: String(error),
    }),
  );

  return {
    engine,
    sessions,
    listen: () => listeners.listen(),
    async close(graceMs = 10_000) {
      const stopped = listeners.stop();
      for (const session of sessions) session.shutdown();
      await sockets.allClosed(graceMs);
      sockets.destroyAll();
      await stopped;
    },
  };
}

/** `::ffff:127.0.0.1` → `127.0.0.1`: IPv4 clients on a dual-stack socket, as policies expect them. */
function normalizeAddress(address: string | undefined): string {
  return address?.startsWith('::ffff:') && address.includes('.')
    ? address.slice(7)
    : (address ?? '');
}
