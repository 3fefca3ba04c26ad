import type { Socket } from 'node:net';
import {
  ListenerGroup,
  OpenConnections,
  type TcpListener,
  normalizeAddress,
  sessionIds,
} from '@mailyard/node-listeners';
import { type SecureContextOptions, TLSSocket, createSecureContext } from 'node:tls';
import { SmtpServerSession } from '../session/smtp-server-session.js';
import type { SmtpSessionOptions } from '../session/session-options.js';
import type { ConnectionDetails, SessionTransport } from '../session/session-transport.js';
import { InFlightBudget } from '../session/in-flight-budget.js';
import {
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type SessionTimeouts,
} from '../session/session-limits.js';

/** One listening socket: what port, what TLS, what rules. */
export interface SmtpListener extends TcpListener {
  /** `smtp`, `smtps`, `submission`, `lmtp`: shown to hooks as `SessionInfo.listener`. */
  readonly name: string;
  /** `implicit`: TLS from the first byte (465); `starttls`: plain, STARTTLS offered; `none`. */
  readonly tls?: 'implicit' | 'starttls' | 'none';
  /** Submission (RFC 6409): MAIL needs AUTH. */
  readonly requireAuth?: boolean;
  /** Speak LMTP (RFC 2033) on this listener. */
  readonly lmtp?: boolean;
  /**
   * Kerio's greeting delay ("spam repellent"), in milliseconds for a client address: 0 for
   * none (the default) or for exempt addresses. A client that talks before the greeting is dropped.
   */
  readonly greetingDelay?: (remoteAddress: string) => number;
}

export interface SmtpServerOptions extends Omit<SmtpSessionOptions, 'requireAuth' | 'lmtp'> {
  readonly listeners: readonly SmtpListener[];
  /** Certificate and key, for STARTTLS and implicit TLS. */
  readonly tls?: SecureContextOptions;
  readonly timeouts?: Partial<SessionTimeouts>;
}

export interface SmtpServer {
  /** Starts every listener; resolves with the ports they got. Rejects when a port is busy. */
  listen(): Promise<{ name: string; port: number }[]>;
  /**
   * Stops listening; idle sessions are told 421 at once, sessions in a transaction may finish it
   * for up to `graceMs` (default 10 s); whoever is still there then is disconnected.
   */
  close(graceMs?: number): Promise<void>;
  /** Sessions currently open. */
  readonly sessions: ReadonlySet<SmtpServerSession>;
}

/** The Node transport of the SMTP server engine: listeners, TLS, PROXY protocol, timeouts, backpressure. */
export function createSmtpServer(options: SmtpServerOptions): SmtpServer {
  const secureContext = options.tls ? createSecureContext(options.tls) : undefined;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const sessions = new Set<SmtpServerSession>();
  const sockets = new OpenConnections();
  const nextSessionId = sessionIds();
  // One budget of octets in flight for every session: a client's connections count together.
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const inFlight =
    options.inFlight ??
    new InFlightBudget({
      perServer: limits.inFlightPerServer,
      perClient: limits.inFlightPerClient,
    });

  // A PROXY header, where the listener expects one, has been read by the listener group.
  const accept = (
    listener: SmtpListener,
    socket: Socket,
    client: { address: string; port: number } | null,
  ) => {
    sockets.add(socket);
    // Replies are small and each one is awaited: Nagle would hold them for the client's delayed ACK.
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    serve(listener, socket, client, null);
  };

  const serve = (
    listener: SmtpListener,
    raw: Socket,
    client: { address: string; port: number } | null,
    early: Buffer | null,
  ) => {
    raw.pause();
    if (early && early.length > 0) raw.unshift(early);
    let socket: Socket = raw;
    if (listener.tls === 'implicit') {
      if (!secureContext) return void raw.destroy();
      socket = new TLSSocket(raw, { isServer: true, secureContext });
      socket.on('error', () => raw.destroy());
    }
    const connection: ConnectionDetails = {
      id: nextSessionId(),
      remoteAddress: client?.address ?? normalizeAddress(raw.remoteAddress),
      remotePort: client?.port ?? raw.remotePort ?? 0,
      localAddress: normalizeAddress(raw.localAddress),
      localPort: raw.localPort ?? 0,
      secure: listener.tls === 'implicit',
      tlsAvailable: listener.tls === 'starttls' && secureContext !== undefined,
      listener: listener.name,
    };
    let greeted = false;
    // Whoever waits for the socket to take more replies; on whichever socket is current.
    let drainWaiters: (() => void)[] = [];
    const onDrain = () => {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const waiter of waiters) waiter();
    };
    const onData = (chunk: Buffer) => {
      if (!greeted) return session.earlyTalker();
      session.receive(chunk);
      raw.setTimeout(session.receivingMessage ? timeouts.data : timeouts.command);
    };
    const transport: SessionTransport = {
      write: (bytes) => socket.destroyed || socket.write(bytes),
      drained: () =>
        socket.destroyed || !socket.writableNeedDrain
          ? Promise.resolve()
          : new Promise<void>((resolve) => drainWaiters.push(resolve)),
      close: () => {
        socket.end();
        // A client that never reads its last reply must not keep the socket forever.
        setTimeout(() => raw.destroy(), 5_000).unref();
      },
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      startTls: () =>
        new Promise<void>((resolve, reject) => {
          // What comes next is the TLS handshake; nothing of it may reach the session in clear.
          socket.off('data', onData);
          socket.off('drain', onDrain);
          const secure = new TLSSocket(socket, { isServer: true, secureContext: secureContext! });
          secure.once('secure', () => {
            socket = secure;
            socket.on('data', onData);
            socket.on('drain', onDrain);
            onDrain(); // the upgrade took over what the plain socket still had to send
            resolve();
          });
          secure.once('error', (error) => {
            reject(error);
            raw.destroy();
          });
        }),
    };
    const session = new SmtpServerSession(
      {
        ...options,
        inFlight,
        ...(listener.requireAuth ? { requireAuth: true } : {}),
        ...(listener.lmtp ? { lmtp: true } : {}),
      },
      connection,
      transport,
    );
    sessions.add(session);
    raw.setTimeout(timeouts.command, () => session.timedOut());
    raw.on('close', () => {
      sessions.delete(session);
      onDrain();
      session.disconnected();
    });
    socket.on('data', onData);
    socket.on('drain', onDrain);
    socket.resume();
    const delay = listener.greetingDelay?.(connection.remoteAddress) ?? 0;
    // Without a delay, a client that talks before the greeting arrives is only early, not dropped.
    greeted = delay === 0;
    // Admitted (and counted by per-address limits) now; greeted after the delay.
    void session.admit().then((welcome) => {
      if (!welcome) {
        greeted = true; // a refusal went out in its place; QUIT is still answered
        return;
      }
      const greet = () => {
        if (session.closed) return;
        greeted = true;
        void session.greet();
      };
      if (delay > 0) setTimeout(greet, delay).unref();
      else greet();
    });
  };

  const listeners = new ListenerGroup(options.listeners, accept, (listener, error) =>
    options.logger?.warn('a connection could not be accepted', {
      listener: listener.name,
      error: String(error),
    }),
  );

  return {
    sessions,
    listen: () => listeners.listen(),
    async close(graceMs = 10_000) {
      const stopped = listeners.stop();
      for (const session of sessions) session.drain();
      await sockets.allClosed(graceMs);
      sockets.destroyAll();
      await stopped;
    },
  };
}
