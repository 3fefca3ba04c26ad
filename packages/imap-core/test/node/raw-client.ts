import { type Socket, connect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { constants, createDeflateRaw, createInflateRaw } from 'node:zlib';

/**
 * A bare-bones IMAP client over a real socket: writes lines, reads until a pattern. Enough to
 * check the transport (TLS, STARTTLS, COMPRESS, timeouts, backpressure) byte for byte.
 */
export class RawClient {
  received = Buffer.alloc(0);
  private consumed = 0;
  private socket: Socket;
  private writer: (bytes: Buffer) => void;
  private closedFlag = false;
  private deflate: ReturnType<typeof createDeflateRaw> | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.writer = (bytes) => void this.socket.write(bytes);
    this.listen(socket);
  }

  static async connect(port: number, secure = false): Promise<RawClient> {
    const socket: Socket = secure
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get raw(): Socket {
    return this.socket;
  }

  send(text: string | Buffer): void {
    this.writer(typeof text === 'string' ? Buffer.from(text) : text);
  }

  async command(line: string, timeoutMs = 5000): Promise<string> {
    const tag = line.slice(0, line.indexOf(' '));
    this.send(`${line}\r\n`);
    return this.readUntil(new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)[^\\r]*\\r\\n`), timeoutMs);
  }

  async readUntil(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.received.subarray(this.consumed).toString('latin1');
      if (pattern.test(text)) {
        this.consumed = this.received.length;
        return text;
      }
      if (this.closedFlag || Date.now() > deadline) {
        throw new Error(
          `no ${pattern} (closed: ${this.closedFlag}); got ${JSON.stringify(text.slice(-300))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Upgrades after the server's STARTTLS OK. */
  async startTls(): Promise<TLSSocket> {
    this.socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
    return secure;
  }

  /** Turns on DEFLATE after the server's COMPRESS OK. */
  startCompression(): void {
    const inflate = createInflateRaw();
    const deflate = createDeflateRaw({ flush: constants.Z_SYNC_FLUSH });
    this.socket.removeAllListeners('data');
    this.socket.on('data', (chunk: Buffer) => inflate.write(chunk));
    inflate.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    deflate.on('data', (chunk: Buffer) => this.socket.write(chunk));
    this.writer = (bytes) => void deflate.write(bytes);
    this.deflate = deflate;
  }

  /**
   * Compresses `bytes` whole before any of it goes out, then sends it in one write: the server
   * gets the compressed octets together (a deflate bomb in one read), not as the deflater
   * produces them.
   */
  async sendCompressedAtOnce(bytes: Buffer): Promise<void> {
    const deflate = this.deflate;
    if (!deflate) throw new Error('COMPRESS is not on');
    this.socket.cork();
    await new Promise<void>((resolve, reject) =>
      deflate.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
    this.socket.uncork();
  }

  close(): void {
    this.socket.destroy();
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    socket.on('close', () => (this.closedFlag = true));
    socket.on('error', () => undefined);
  }
}
