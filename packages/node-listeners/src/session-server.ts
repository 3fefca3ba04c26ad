import type { Socket } from 'node:net';
import { type SecureContextOptions, TLSSocket, createSecureContext } from 'node:tls';
import { ConnectionsPerAddress } from './connections-per-address.js';
import { ListenerGroup, type TcpListener } from './listener-group.js';
import { OpenConnections } from './open-connections.js';
import type { ProxiedClient } from './proxied-connection.js';
import { sessionIds } from './session-ids.js';

/** A listening socket of a line-protocol server (POP3, ManageSieve). */
export interface SessionListener extends TcpListener {
  /**
   * `implicit`: TLS from the first byte; `starttls`: plain, with the protocol's STARTTLS
   * offered; `none`: plain only. Default `starttls` when the server has a certificate, else
   * `none`. A TLS mode without a certificate closes every connection unanswered.
   */
  readonly tls?: 'implicit' | 'starttls' | 'none';
}

/** What a session knows about the connection it runs on. */
export interface AcceptedConnection {
  /** Unique per connection, for logs ({@link sessionIds}). */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The listener's name. */
  readonly listener: string;
  /** Implicit TLS. */
  readonly secure: boolean;
  /** STARTTLS can be offered: there is a certificate and the connection is plain. */
  readonly tlsAvailable: boolean;
}

/** How a session reaches its socket. */
export interface SocketTransport {
  /** Sends bytes; false when the socket's buffer is full (then wait for `drain()`). */
  write(bytes: Uint8Array): boolean;
  /** Resolves once the socket can take more after `write` returned false. */
  drain(): Promise<void>;
  /** Upgrades to TLS (after the protocol's go-ahead); resolves once the handshake is done. */
  startTls(): Promise<void>;
  /** Closes the connection once what was written is out. */
  close(): void;
  /** Stop and resume reading from the client, for backpressure on pipelined input. */
  pause(): void;
  resume(): void;
}

/** What the server drives in a protocol's session. */
export interface ServedSession {
  /** Sends the greeting. */
  start(): void;
  receive(bytes: Uint8Array): void;
  /** No traffic for `idleTimeoutMs`: say what the protocol says, and close the transport. */
  timeout(): void;
  /** The server is stopping: end now, or after the command in progress. */
  shutdown(): void;
  /** The connection is gone. */
  disconnected(): void;
}

export interface SessionServerOptions<L extends SessionListener, S extends ServedSession> {
  readonly listeners: readonly L[];
  /** Certificate and key for STARTTLS and implicit TLS. */
  readonly tls?: SecureContextOptions;
  /** Milliseconds without traffic (either way) after which `timeout()` is called. */
  readonly idleTimeoutMs: number;
  /**
   * Connections at once from one client address, over every listener, logged in or not; 0 is
   * no cap. One more gets `tooManyConnections` in place of the greeting and is closed, nothing
   * it sends read.
   */
  readonly maxConnectionsPerIp: number;
  /** Addresses the per-address cap does not apply to. */
  readonly connectionLimitsExempt?: (remoteAddress: string) => boolean;
  /** The protocol's refusal for a connection over the per-address cap (`-ERR [SYS/TEMP] ...`). */
  readonly tooManyConnections: Uint8Array;
  /** The protocol's name in log entries (`pop3`, `managesieve`). */
  readonly protocol: string;
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
  /** A session for a new connection; the server calls `start()` on it. */
  readonly connect: (connection: AcceptedConnection, transport: SocketTransport) => S;
}

export interface SessionServer<S extends ServedSession> {
  /** Starts every listener; resolves with the ports they got. Rejects when a port is busy. */
  listen(): Promise<{ name: string; port: number }[]>;
  /**
   * Stops listening and calls `shutdown()` on every session; waits for the sockets to close,
   * for up to `graceMs` (default 10 s), then cuts those still open. Settles under plain node
   * with nothing else keeping the process alive.
   */
  close(graceMs?: number): Promise<void>;
  /** Sessions currently open. */
  readonly sessions: ReadonlySet<S>;
}

/** A client that never reads its last answer must not hold the socket for ever. */
const LINGER_MS = 5_000;

/**
 * The Node side of a line protocol's server, the same for each: listeners (plain, STARTTLS,
 * implicit TLS), a per-address connection cap, the idle timer, STARTTLS, and backpressure both
 * ways (a session waits for the socket to drain; `pause()` stops reading a client that
 * pipelines faster than it is answered). Everything the protocol says stays in its session.
 */
export function createSessionServer<L extends SessionListener, S extends ServedSession>(
  options: SessionServerOptions<L, S>,
): SessionServer<S> {
  const secureContext = options.tls ? createSecureContext(options.tls) : undefined;
  const sessions = new Set<S>();
  const sockets = new OpenConnections();
  const nextSessionId = sessionIds();
  const perAddress = new ConnectionsPerAddress(options.maxConnectionsPerIp);

  const serve = (listener: L, raw: Socket, client: ProxiedClient | null) => {
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
    // Behind a load balancer, the client its PROXY header named: caps and logs are about it.
    const remoteAddress = client?.address ?? normalizeAddress(raw.remoteAddress);
    const release = options.connectionLimitsExempt?.(remoteAddress)
      ? () => {}
      : perAddress.admit(remoteAddress);
    if (!release) {
      options.logger?.warn(`${options.protocol} connection refused: too many from one address`, {
        ip: remoteAddress,
        open: perAddress.count(remoteAddress),
      });
      socket.end(options.tooManyConnections);
      raw.setTimeout(LINGER_MS, () => raw.destroy());
      return;
    }
    raw.on('close', release);
    const connection: AcceptedConnection = {
      id: nextSessionId(),
      remoteAddress,
      remotePort: client?.port ?? raw.remotePort ?? 0,
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
    const transport: SocketTransport = {
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
    const session = options.connect(connection, transport);
    sessions.add(session);
    raw.setTimeout(options.idleTimeoutMs, () => {
      // The session says what its protocol says (or nothing) and closes the transport, which
      // destroys the socket after LINGER_MS if the client does not close it first.
      session.timeout();
      transport.close();
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
    options.logger?.warn(`${options.protocol} connection could not be accepted`, {
      listener: listener.name,
      error: String(error),
    }),
  );

  return {
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
export function normalizeAddress(address: string | undefined): string {
  return address?.startsWith('::ffff:') && address.includes('.')
    ? address.slice(7)
    : (address ?? '');
}
