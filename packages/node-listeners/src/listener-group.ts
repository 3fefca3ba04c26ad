import { type Server, type Socket, createServer } from 'node:net';
import {
  DEFAULT_PROXY_HEADER_TIMEOUT_MS,
  type ProxiedClient,
  type ProxyProtocolOptions,
  TrustedProxies,
  readProxyHeader,
} from './proxied-connection.js';

/** One listening socket of a protocol server. */
export interface TcpListener {
  /** The name the protocol knows it by (`smtp`, `imaps`, ...), reported with its port. */
  readonly name: string;
  /** 0 picks a free port; `listen()` says which. */
  readonly port: number;
  /** Default 127.0.0.1: nothing listens beyond loopback unless asked to. */
  readonly host?: string;
  /** Connections at once; 0 (the default) is no limit. */
  readonly maxConnections?: number;
  /**
   * Expect a PROXY protocol header (v1 or v2) before anything else, from these load balancers
   * only; the session then sees the client the header names. Default: no header expected.
   */
  readonly proxyProtocol?: ProxyProtocolOptions;
}

export interface BoundListener {
  readonly name: string;
  readonly port: number;
}

/**
 * A listener that could not bind, and which: Node's own error (in `cause`) has no port when the
 * port asked for was 0, and never the listener's name. `code` is the system's (`EADDRINUSE`,
 * `EACCES`, `EADDRNOTAVAIL`, ...).
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code: string | undefined;

  constructor(
    /** The listener's name (`smtp`, `imaps`, ...). */
    readonly listener: string,
    readonly host: string,
    /** The port asked for; 0 for any free one. */
    readonly port: number,
    cause: NodeJS.ErrnoException,
  ) {
    super(`${listener} cannot listen on ${host} port ${port}: ${cause.message}`, { cause });
    this.code = cause.code;
  }
}

/**
 * The listening sockets of one server (SMTP on 25, 465 and 587, say), started and stopped as
 * one: a server that could bind only some of its ports would be half up, so when one listener
 * fails, those already bound are closed again and `listen` rejects with a {@link ListenError}.
 */
export class ListenerGroup<L extends TcpListener> {
  private servers: Server[] = [];
  private readonly trusted: Map<L, TrustedProxies>;

  constructor(
    private readonly listeners: readonly L[],
    /**
     * A new connection; `client` is the client a PROXY header named (null without one, or when
     * it named none: a balancer's health check), to be taken for the socket's peer.
     */
    private readonly onConnection: (
      listener: L,
      socket: Socket,
      client: ProxiedClient | null,
    ) => void,
    /**
     * A listening socket failed to accept a connection (out of file descriptors, say). The
     * socket goes on listening; without this the failure is dropped, never thrown: an
     * unhandled 'error' would end the whole process.
     */
    private readonly onAcceptError?: (listener: L, error: Error) => void,
  ) {
    // A wrong address in the configuration fails here, before any port is bound.
    this.trusted = new Map(
      listeners.flatMap((listener) =>
        listener.proxyProtocol
          ? [[listener, new TrustedProxies(listener.proxyProtocol.trustedProxies)] as const]
          : [],
      ),
    );
  }

  private accept(listener: L, socket: Socket): void {
    const trusted = this.trusted.get(listener);
    if (!trusted) return this.onConnection(listener, socket, null);
    socket.on('error', () => socket.destroy());
    readProxyHeader(
      socket,
      trusted,
      listener.proxyProtocol?.headerTimeoutMs ?? DEFAULT_PROXY_HEADER_TIMEOUT_MS,
      (client) => this.onConnection(listener, socket, client),
      (reason) => this.onAcceptError?.(listener, new Error(`connection refused: ${reason}`)),
    );
  }

  /** Binds every listener, in order; resolves with the ports they got. */
  async listen(): Promise<BoundListener[]> {
    const bound: BoundListener[] = [];
    try {
      for (const listener of this.listeners) {
        const server = createServer((socket) => this.accept(listener, socket));
        if (listener.maxConnections) server.maxConnections = listener.maxConnections;
        const host = listener.host ?? '127.0.0.1';
        await new Promise<void>((resolve, reject) => {
          const fail = (error: NodeJS.ErrnoException) =>
            reject(new ListenError(listener.name, host, listener.port, error));
          server.once('error', fail);
          server.listen(listener.port, host, () => {
            server.off('error', fail);
            server.on('error', (error) => this.onAcceptError?.(listener, error));
            resolve();
          });
        });
        this.servers.push(server);
        const address = server.address();
        bound.push({
          name: listener.name,
          port: typeof address === 'object' && address ? address.port : listener.port,
        });
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    return bound;
  }

  /**
   * Stops accepting connections. Resolves once every listening socket is closed, which Node
   * does only after the connections it accepted have ended: the caller ends those first.
   */
  stop(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    return Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    ).then(() => undefined);
  }
}
