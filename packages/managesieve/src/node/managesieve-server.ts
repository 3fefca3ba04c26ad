import type { Socket } from 'node:net';
import { type SecureContextOptions, TLSSocket, createSecureContext } from 'node:tls';
import {
  ConnectionsPerAddress,
  ListenerGroup,
  OpenConnections,
  type TcpListener,
  sessionIds,
} from '@mailyard/node-listeners';
import { response } from '../protocol/response.js';
import { ManageSieveEngine, type ManageSieveEngineOptions } from '../session/managesieve-engine.js';
import type {
  ManageSieveConnection,
  ManageSieveSession,
  ManageSieveTransport,
} from '../session/managesieve-session.js';

/** One listening socket. */
export interface ManageSieveListener extends TcpListener {
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
/** A client that never reads its last answer must not hold the socket for ever. */
const LINGER_MS = 5_000;

/**
 * The Node transport of the ManageSieve engine: listeners, STARTTLS, the idle timer, and
 * backpressure both ways (answers wait for the socket to drain; a client that pipelines faster
 * than it is answered is not read until the session catches up).
 */
export function createManageSieveServer(options: ManageSieveServerOptions): ManageSieveServer {
  const engine = new ManageSieveEngine(options);
  const secureContext = options.tls ? createSecureContext(options.tls) : undefined;
  const idleTimeout = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const sessions = new Set<ManageSieveSession>();
  const sockets = new OpenConnections();
  const nextSessionId = sessionIds();
  const perAddress = new ConnectionsPerAddress(
    options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
  );

  const serve = (listener: ManageSieveListener, raw: Socket) => {
    sockets.add(raw);
    raw.on('error', () => raw.destroy());
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
      options.logger?.warn('managesieve connection refused: too many from one address', {
        ip: remoteAddress,
        open: perAddress.count(remoteAddress),
      });
      // In place of the greeting; nothing the client sends is read.
      socket.end(response('BYE', 'Too many connections from your address', 'TRYLATER'));
      raw.setTimeout(LINGER_MS, () => raw.destroy());
      return;
    }
    raw.on('close', release);
    const connection: ManageSieveConnection = {
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
    const transport: ManageSieveTransport = {
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
      setTimeout(() => raw.destroy(), LINGER_MS).unref();
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
    options.logger?.warn('managesieve connection could not be accepted', {
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
