import { type Socket, connect } from 'node:net';

/**
 * One step of a scripted session: a command line (sent with CRLF, one reply awaited), raw bytes
 * with the number of replies they earn, or lines sent in one write (PIPELINING).
 */
export type ScriptStep =
  | string
  | { readonly send: string | Uint8Array; readonly replies: number }
  | { readonly pipeline: readonly string[] };

/**
 * What a reply amounts to for a comparison: its code and, when its text starts with one, the
 * enhanced status code (`250 2.1.0`, `354`); `closed` when the server hung up instead, `timeout`
 * when it said nothing. Texts differ between servers and are left out on purpose.
 */
export type ReplySummary = string;

/**
 * Plays a script against an SMTP server on loopback and summarises every reply after the
 * greeting, in order. Enhanced codes are kept only once an EHLO was answered with 250 (RFC 2034:
 * only then are they negotiated; before, one server may send them and the other not).
 */
export async function playScript(
  port: number,
  steps: readonly ScriptStep[],
  timeoutMs = 5000,
): Promise<ReplySummary[]> {
  const client = await ScriptedSmtpClient.connect(port);
  try {
    await client.reply(timeoutMs); // the greeting
    const summaries: ReplySummary[] = [];
    let extended = false;
    for (const step of steps) {
      const { bytes, replies } = encode(step);
      if (!client.write(bytes)) {
        summaries.push('closed');
        break;
      }
      let ended = false;
      for (let i = 0; i < replies && !ended; i++) {
        const reply = await client.reply(timeoutMs);
        if (typeof reply === 'string') {
          summaries.push(reply);
          ended = reply === 'closed';
          continue;
        }
        if (typeof step === 'string' && /^(?:EHLO|HELO) /i.test(step))
          extended = reply.code === 250 && /^EHLO/i.test(step);
        summaries.push(
          extended && reply.enhanced ? `${reply.code} ${reply.enhanced}` : `${reply.code}`,
        );
      }
      if (ended) break;
    }
    return summaries;
  } finally {
    client.destroy();
  }
}

function encode(step: ScriptStep): { bytes: Uint8Array; replies: number } {
  if (typeof step === 'string') return { bytes: Buffer.from(`${step}\r\n`), replies: 1 };
  if ('pipeline' in step) {
    return {
      bytes: Buffer.from(step.pipeline.map((line) => `${line}\r\n`).join('')),
      replies: step.pipeline.length,
    };
  }
  return {
    bytes: typeof step.send === 'string' ? Buffer.from(step.send) : step.send,
    replies: step.replies,
  };
}

interface Reply {
  readonly code: number;
  readonly enhanced: string | null;
}

/** A socket that hands out whole SMTP replies (multi-line ones as one) as they arrive. */
class ScriptedSmtpClient {
  private buffer = '';
  private ended = false;
  private wake: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<ScriptedSmtpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new ScriptedSmtpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Whether the bytes could still be sent (false once the server has hung up). */
  write(bytes: Uint8Array): boolean {
    if (this.ended || this.socket.destroyed) return false;
    this.socket.write(bytes);
    return true;
  }

  async reply(timeoutMs: number): Promise<Reply | 'closed' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.take();
      if (reply) return reply;
      if (this.ended) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private take(): Reply | null {
    let start = 0;
    let first: string | null = null;
    for (;;) {
      const end = this.buffer.indexOf('\r\n', start);
      if (end < 0) return null;
      const line = this.buffer.slice(start, end);
      first ??= line;
      start = end + 2;
      if (line.length < 4 || line[3] === ' ') {
        this.buffer = this.buffer.slice(start);
        const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?: |$)/.exec(first)?.[1] ?? null;
        return { code: Number(line.slice(0, 3)), enhanced };
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
