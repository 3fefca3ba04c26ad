import type { Envelope } from '../../src/envelope.js';
import { SmtpServerSession } from '../../src/session/smtp-server-session.js';
import type { SmtpSessionOptions } from '../../src/session/session-options.js';
import type { ConnectionDetails } from '../../src/session/session-transport.js';
import type { SmtpServerHooks } from '../../src/session/smtp-hooks.js';

/** A message the application's hook stored, with what came with it. */
export interface StoredMessage {
  readonly envelope: Envelope;
  readonly text: string;
}

/**
 * One SMTP session driven with bytes, as a client would: `say` sends text and returns the
 * replies it got. The transport is an honest in-memory one (it records writes, pauses, closes and
 * TLS upgrades); the session under test is the real one.
 */
export class Conversation {
  output = '';
  private read = 0;
  closed = false;
  paused = false;
  tlsUpgrades = 0;
  /** The transport says it is full (a client not reading): `write` answers false until `drain`. */
  full = false;
  private drainWaiters: (() => void)[] = [];
  readonly stored: StoredMessage[] = [];
  readonly session: SmtpServerSession;

  constructor(
    options: Partial<SmtpSessionOptions> = {},
    connection: Partial<ConnectionDetails> = {},
  ) {
    const hooks: SmtpServerHooks = {
      onMessage: async (envelope, message) => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of message) chunks.push(chunk);
        this.stored.push({ envelope, text: Buffer.concat(chunks).toString('latin1') });
      },
      ...options.hooks,
    };
    this.session = new SmtpServerSession(
      {
        hostname: 'mx.example.com',
        clock: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) },
        ...options,
        hooks,
      },
      {
        id: 'S1',
        remoteAddress: '192.0.2.10',
        remotePort: 40000,
        localAddress: '192.0.2.1',
        localPort: 25,
        secure: false,
        tlsAvailable: false,
        listener: 'smtp',
        ...connection,
      },
      {
        write: (bytes) => {
          this.output += Buffer.from(bytes).toString('latin1');
          return !this.full;
        },
        drained: () =>
          this.full
            ? new Promise<void>((resolve) => this.drainWaiters.push(resolve))
            : Promise.resolve(),
        close: () => {
          this.closed = true;
        },
        pause: () => {
          this.paused = true;
        },
        resume: () => {
          this.paused = false;
        },
        startTls: async () => {
          this.tlsUpgrades++;
        },
      },
    );
  }

  /** The client reads again: a full transport takes more. */
  drain(): void {
    this.full = false;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  }

  /** Starts the session; returns the greeting. */
  async open(): Promise<string> {
    await this.session.greet();
    return this.replies();
  }

  /** Sends text (CRLF is not added) and returns every reply that came back. */
  async say(text: string | Uint8Array): Promise<string> {
    this.session.receive(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
    return this.replies();
  }

  /** Sends lines, each with CRLF, in one write (pipelined). */
  async pipeline(...lines: string[]): Promise<string> {
    return this.say(lines.map((line) => `${line}\r\n`).join(''));
  }

  /** The reply codes of what came back, in order (one per final reply line). */
  async codes(text: string): Promise<number[]> {
    return finalCodes(await this.say(text));
  }

  /**
   * Sends text and returns what came back while the session may still be busy: for a test
   * that holds a hook of its own on purpose.
   */
  async sayWhileHeld(text: string | Uint8Array): Promise<string> {
    this.session.receive(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
    return this.replies({ untilIdle: false });
  }

  /**
   * Waits until the session stopped writing and handles no command (a password check runs in
   * the thread pool, for many turns of the event loop), and returns what it wrote since the
   * last call. With `untilIdle: false`, a session busy with a hook the test holds is not waited
   * for.
   */
  async replies(options: { untilIdle?: boolean } = {}): Promise<string> {
    const untilIdle = options.untilIdle ?? true;
    let quiet = 0;
    let length = this.output.length;
    while (quiet < 5) {
      await new Promise((resolve) => setImmediate(resolve));
      if (untilIdle && this.session.busy) quiet = 0;
      else if (this.output.length === length) quiet++;
      else {
        quiet = 0;
        length = this.output.length;
      }
    }
    const fresh = this.output.slice(this.read);
    this.read = this.output.length;
    return fresh;
  }
}

/** The codes of the final lines of replies (`250 ...`, not `250-...`). */
export function finalCodes(text: string): number[] {
  return text
    .split('\r\n')
    .filter((line) => /^\d{3}( |$)/.test(line))
    .map((line) => Number(line.slice(0, 3)));
}
