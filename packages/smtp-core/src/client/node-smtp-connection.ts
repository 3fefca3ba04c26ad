import { type Socket, connect as connectTcp, isIP } from 'node:net';
import { type TLSSocket, connect as connectTls } from 'node:tls';
import type { ClientPhase, ClientTransport } from './client-transport.js';
import { SmtpClientError } from './smtp-client-error.js';

/**
 * How long the client waits, in milliseconds, per phase. RFC 5321 4.5.3.2 gives the minimums:
 * initial 220 greeting 5 minutes, MAIL 5, RCPT 5, DATA initiation 2, each data block 3, the
 * reply after the final dot 10. Connecting has no RFC figure; 30 s is what Postfix waits
 * (`smtp_connect_timeout`). Commands without an RFC figure (EHLO, STARTTLS, AUTH, RSET, QUIT)
 * get 5 minutes, like the greeting; the TLS handshake gets the connect timeout.
 */
export interface SmtpClientTimeouts {
  readonly connect: number;
  readonly greeting: number;
  readonly command: number;
  readonly mail: number;
  readonly rcpt: number;
  readonly dataInit: number;
  readonly dataBlock: number;
  readonly dataEnd: number;
}

const MINUTE = 60_000;

export const DEFAULT_CLIENT_TIMEOUTS: SmtpClientTimeouts = {
  connect: 30_000,
  greeting: 5 * MINUTE,
  command: 5 * MINUTE,
  mail: 5 * MINUTE,
  rcpt: 5 * MINUTE,
  dataInit: 2 * MINUTE,
  dataBlock: 3 * MINUTE,
  dataEnd: 10 * MINUTE,
};

export interface ClientTlsOptions {
  /**
   * Check the server's certificate chain and that it names the host; default true. MTAs doing
   * opportunistic TLS to MX hosts set it to false (RFC 7435): an unverified encryption is better
   * than the clear, and MX certificates rarely match.
   */
  readonly verifyCertificate?: boolean;
  /** The name to check the certificate against and send as SNI; default the host, when not an IP. */
  readonly servername?: string;
  /** Trusted CA certificates (PEM) instead of Node's bundle. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export interface NodeSmtpConnectOptions {
  readonly host: string;
  /** Default 25 (465 with implicit TLS). */
  readonly port?: number;
  /** TLS from the first byte (port 465, RFC 8314). */
  readonly implicitTls?: boolean;
  readonly tls?: ClientTlsOptions;
  readonly timeouts?: Partial<SmtpClientTimeouts>;
  /** The local address to connect from. */
  readonly localAddress?: string;
  /** Aborting closes the connection; pending steps reject with kind `aborted`. */
  readonly signal?: AbortSignal;
}

/** Bytes read ahead of the session before the socket is paused (backpressure). */
const READ_AHEAD = 256 * 1024;

/**
 * The Node transport of the client engine: a TCP (or TLS) connection that applies the timeouts
 * of {@link SmtpClientTimeouts} to each phase, pauses the socket when the session falls behind,
 * and upgrades to TLS for STARTTLS.
 */
export async function connectSmtp(options: NodeSmtpConnectOptions): Promise<NodeSmtpConnection> {
  const timeouts = { ...DEFAULT_CLIENT_TIMEOUTS, ...options.timeouts };
  const port = options.port ?? (options.implicitTls ? 465 : 25);
  const raw = await withTimeout<Socket>(
    timeouts.connect,
    `connecting to ${options.host}:${port}`,
    options.signal,
    (resolve, reject) => {
      const socket = connectTcp({
        host: options.host,
        port,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      });
      socket.once('connect', () => resolve(socket));
      socket.once('error', (error) =>
        reject(
          new SmtpClientError(
            'connection',
            `cannot connect to ${options.host}:${port}: ${error.message}`,
            undefined,
            {
              cause: error,
            },
          ),
        ),
      );
      return () => socket.destroy();
    },
  );
  const connection = new NodeSmtpConnection(raw, options, timeouts);
  if (options.implicitTls) {
    try {
      await connection.startTls();
    } catch (error) {
      connection.close();
      throw error;
    }
  }
  return connection;
}

export class NodeSmtpConnection implements ClientTransport {
  private socket: Socket;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: SmtpClientError | null = null;
  private wake: (() => void) | null = null;
  private secureValue = false;
  private readonly onData = (chunk: Buffer) => {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > READ_AHEAD) this.socket.pause();
    this.notify();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (error: Error) => {
    this.failure ??= new SmtpClientError('connection', error.message, undefined, { cause: error });
    this.notify();
  };

  constructor(
    socket: Socket,
    private readonly options: NodeSmtpConnectOptions,
    private readonly timeouts: SmtpClientTimeouts,
  ) {
    this.socket = socket;
    this.attach(socket);
    options.signal?.addEventListener('abort', () => {
      this.failure ??= new SmtpClientError('aborted', 'delivery aborted');
      this.close();
      this.notify();
    });
  }

  get secure(): boolean {
    return this.secureValue;
  }

  /** The address the connection went to (for logs and Remote-MTA). */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** The server's certificate was verified (false without TLS, or with verification off). */
  get authorized(): boolean {
    return this.secureValue && (this.socket as TLSSocket).authorized === true;
  }

  async read(phase: ClientPhase): Promise<Uint8Array | null> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        this.buffered -= chunk.length;
        if (this.buffered <= READ_AHEAD && this.socket.isPaused()) this.socket.resume();
        return chunk;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return null;
      await this.waitFor(phase);
    }
  }

  async write(bytes: Uint8Array, phase: ClientPhase): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended || this.socket.destroyed) {
      throw new SmtpClientError('connection', 'the connection is closed');
    }
    if (this.socket.write(bytes)) return;
    await withTimeout<void>(
      this.timeoutOf(phase),
      `sending (${phase})`,
      undefined,
      (resolve, reject) => {
        const done = () => {
          cleanup();
          if (this.failure) reject(this.failure);
          else resolve(undefined);
        };
        const closed = () => {
          cleanup();
          reject(
            this.failure ??
              new SmtpClientError('connection', 'the connection closed while sending'),
          );
        };
        const cleanup = () => {
          this.socket.off('drain', done);
          this.socket.off('close', closed);
        };
        this.socket.once('drain', done);
        this.socket.once('close', closed);
        return cleanup;
      },
    );
  }

  async startTls(): Promise<void> {
    const plain = this.socket;
    this.detach(plain);
    // Whatever came in the clear after the server's 220 is not to be read as part of TLS.
    this.chunks.length = 0;
    this.buffered = 0;
    const tls = this.options.tls ?? {};
    const servername = tls.servername ?? (isIP(this.options.host) ? undefined : this.options.host);
    const secure = await withTimeout<TLSSocket>(
      this.timeouts.connect,
      'TLS handshake',
      this.options.signal,
      (resolve, reject) => {
        const socket = connectTls({
          socket: plain,
          ...(servername ? { servername } : {}),
          rejectUnauthorized: tls.verifyCertificate !== false,
          ...(tls.ca ? { ca: tls.ca as string | Buffer | (string | Buffer)[] } : {}),
          ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
        });
        socket.once('secureConnect', () => resolve(socket));
        socket.once('error', (error) =>
          reject(
            new SmtpClientError('tls', `TLS handshake failed: ${error.message}`, undefined, {
              cause: error,
            }),
          ),
        );
        return () => socket.destroy();
      },
    );
    if (plain.isPaused()) plain.resume();
    this.socket = secure;
    this.secureValue = true;
    this.attach(secure);
  }

  close(): void {
    this.ended = true;
    if (!this.socket.destroyed) {
      this.socket.end();
      // A server that does not close its side within a second is not waited for.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
    this.notify();
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onEnd);
    socket.off('error', this.onError);
  }

  private waitFor(phase: ClientPhase): Promise<void> {
    return withTimeout<void>(
      this.timeoutOf(phase),
      `waiting for the server (${phase})`,
      undefined,
      (resolve) => {
        this.wake = () => resolve(undefined);
        return () => {
          this.wake = null;
        };
      },
    ).catch((error: unknown) => {
      if (error instanceof SmtpClientError && error.kind === 'timeout') {
        this.failure ??= error;
        this.close();
      }
      throw error;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private timeoutOf(phase: ClientPhase): number {
    switch (phase) {
      case 'greeting':
        return this.timeouts.greeting;
      case 'mail':
        return this.timeouts.mail;
      case 'rcpt':
        return this.timeouts.rcpt;
      case 'data-init':
        return this.timeouts.dataInit;
      case 'data-block':
        return this.timeouts.dataBlock;
      case 'data-end':
        return this.timeouts.dataEnd;
      default:
        return this.timeouts.command;
    }
  }
}

/**
 * Runs `start` with a deadline: rejects with a `timeout` error (and runs the cleanup `start`
 * returned) when neither callback came in time, or with `aborted` when the signal fires.
 */
function withTimeout<T>(
  ms: number,
  what: string,
  signal: AbortSignal | undefined,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      if (settled) return;
      finish();
      cleanup();
      reject(new SmtpClientError('aborted', `${what}: aborted`));
    };
    const timer = setTimeout(() => {
      if (settled) return;
      finish();
      cleanup();
      reject(new SmtpClientError('timeout', `${what}: no answer within ${ms} ms`));
    }, ms);
    signal?.addEventListener('abort', onAbort);
    const cleanup = start(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (error) => {
        if (settled) return;
        finish();
        reject(error);
      },
    );
    if (signal?.aborted) onAbort();
  });
}
