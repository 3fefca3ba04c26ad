import { type Socket, connect } from 'node:net';
import type { ScanResult, VirusScanner } from '../core/virus-scanner.js';

export interface ClamdOptions {
  /** clamd's TCP address (`TCPSocket`/`TCPAddr`). Default 127.0.0.1:3310. */
  readonly host?: string;
  readonly port?: number;
  /** Or its Unix socket (`LocalSocket`), which wins when given. */
  readonly socketPath?: string;
  /** A scan that takes longer fails. Default 30,000 ms. */
  readonly timeoutMs?: number;
  /** Bytes per INSTREAM chunk. Default 65,536. */
  readonly chunkBytes?: number;
}

/** clamd answered with an error, or could not be reached in time. */
export class ClamdError extends Error {
  override readonly name = 'ClamdError';
}

/**
 * ClamAV's daemon through its own protocol: `zINSTREAM`, the message in length-prefixed chunks,
 * a zero-length chunk, and one NUL-terminated reply (`stream: OK`, `stream: <name> FOUND`, or
 * `... ERROR`, for example when the message is over clamd's `StreamMaxLength`).
 */
export class ClamdScanner implements VirusScanner {
  constructor(private readonly options: ClamdOptions = {}) {}

  /** Whether clamd answers PING with PONG. */
  async ping(): Promise<boolean> {
    try {
      return (await this.exchange([Buffer.from('zPING\0')])) === 'PONG';
    } catch {
      return false;
    }
  }

  async scan(message: Uint8Array): Promise<ScanResult> {
    const chunkBytes = this.options.chunkBytes ?? 65_536;
    const frames: Buffer[] = [Buffer.from('zINSTREAM\0')];
    for (let offset = 0; offset < message.length; offset += chunkBytes) {
      const chunk = message.subarray(offset, Math.min(message.length, offset + chunkBytes));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(chunk.length);
      frames.push(length, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
    frames.push(Buffer.alloc(4));
    const reply = await this.exchange(frames);
    if (/ERROR$/.test(reply)) throw new ClamdError(`clamd: ${reply}`);
    const found = /^stream: (.+) FOUND$/.exec(reply);
    if (found) return { infected: true, signature: found[1]! };
    if (reply === 'stream: OK') return { infected: false };
    throw new ClamdError(`clamd: unexpected reply "${reply}"`);
  }

  private exchange(frames: readonly Buffer[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const { socketPath, host = '127.0.0.1', port = 3310, timeoutMs = 30_000 } = this.options;
      const socket: Socket = socketPath ? connect(socketPath) : connect(port, host);
      const received: Buffer[] = [];
      let settled = false;
      const finish = (error: Error | null, reply?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve(reply!);
      };
      const timer = setTimeout(
        () => finish(new ClamdError(`clamd did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.on('connect', () => {
        for (const frame of frames) socket.write(frame);
      });
      socket.on('data', (data) => {
        received.push(data);
        const all = Buffer.concat(received);
        const end = all.indexOf(0);
        if (end >= 0) finish(null, all.subarray(0, end).toString('utf8'));
      });
      socket.on('error', (error) => finish(new ClamdError(`clamd: ${error.message}`)));
      // clamd may close after an error reply without a NUL, or before answering.
      socket.on('close', () => {
        const text = Buffer.concat(received).toString('utf8').replace(/\0.*$/s, '');
        finish(text ? null : new ClamdError('clamd closed the connection without an answer'), text);
      });
    });
  }
}
