import { type Server, type Socket, createServer } from 'node:net';

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

  constructor(
    private readonly listeners: readonly L[],
    private readonly onConnection: (listener: L, socket: Socket) => void,
    /**
     * A listening socket failed to accept a connection (out of file descriptors, say). The
     * socket goes on listening; without this the failure is dropped, never thrown: an
     * unhandled 'error' would end the whole process.
     */
    private readonly onAcceptError?: (listener: L, error: Error) => void,
  ) {}

  /** Binds every listener, in order; resolves with the ports they got. */
  async listen(): Promise<BoundListener[]> {
    const bound: BoundListener[] = [];
    try {
      for (const listener of this.listeners) {
        const server = createServer((socket) => this.onConnection(listener, socket));
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
