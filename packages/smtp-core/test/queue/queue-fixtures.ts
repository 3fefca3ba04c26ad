import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  DeliveryAttempt,
  Envelope,
  MessageSource,
  RecipientResult,
} from '../../src/envelope.js';
import type { MailLogEntry } from '../../src/log/mail-log.js';
import type { QueueDeliveryAgent, QueueTimers } from '../../src/queue/queue-options.js';

export const T0 = Date.UTC(2005, 10, 30, 16, 57, 14);

/** A clock and timers that move only when the test says so. */
export class FakeTime implements QueueTimers {
  now = T0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;
  readonly clock = { now: () => this.now };
  /** What to wait for after each timer fired (the queue's idle()), so that its work is done. */
  quiesce: () => Promise<void> = settle;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Moves time on, firing the timers that come due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await this.quiesce();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      next.callback();
      await this.quiesce();
    }
    this.now = end;
  }

  get pending(): number {
    return this.timers.length;
  }
}

/** Lets queued promise callbacks and file operations run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export interface AgentCall {
  readonly envelope: Envelope;
  readonly attempt: DeliveryAttempt;
  readonly content: string;
}

/** A delivery agent whose answer per recipient the test decides. */
export class ScriptedAgent implements QueueDeliveryAgent {
  readonly calls: AgentCall[] = [];
  decide: (
    recipient: string,
    call: AgentCall,
  ) => Pick<RecipientResult, 'status'> & Partial<RecipientResult> = () => ({
    status: 'delivered',
  });
  relayed: (recipient: string) => boolean = () => false;
  hold: (recipient: string) => 'scheduler' | 'etrn' | null = () => null;
  /** When set, deliveries wait for it (to test concurrency and stopping). */
  gate: Promise<void> | null = null;
  inFlight = 0;
  maxInFlight = 0;

  viaRelay(recipient: string): boolean {
    return this.relayed(recipient);
  }

  holdFor(recipient: string): 'scheduler' | 'etrn' | null {
    return this.hold(recipient);
  }

  async deliver(
    envelope: Envelope,
    message: MessageSource,
    attempt: DeliveryAttempt,
  ): Promise<RecipientResult[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of message.read()) chunks.push(Buffer.from(chunk));
      const call = { envelope, attempt, content: Buffer.concat(chunks).toString() };
      this.calls.push(call);
      if (this.gate) {
        const aborted = new Promise<void>((resolve) =>
          attempt.signal?.addEventListener('abort', () => resolve()),
        );
        await Promise.race([this.gate, aborted]);
        if (attempt.signal?.aborted) {
          return envelope.recipients.map((r) => ({
            recipient: r.address,
            status: 'deferred',
            code: 451,
            enhancedCode: '4.4.2',
            diagnostic: '451 4.4.2 aborted',
          }));
        }
      }
      return envelope.recipients.map((r) => {
        const decided = this.decide(r.address, call);
        const code =
          decided.code ??
          (decided.status === 'delivered' ? 250 : decided.status === 'deferred' ? 451 : 550);
        const enhancedCode =
          decided.enhancedCode ??
          (decided.status === 'delivered'
            ? '2.0.0'
            : decided.status === 'deferred'
              ? '4.4.1'
              : '5.1.1');
        return {
          recipient: r.address,
          code,
          enhancedCode,
          diagnostic:
            decided.diagnostic ??
            `${code} ${enhancedCode} ${decided.status === 'deferred' ? 'Cannot connect to remote host' : decided.status}`,
          ...decided,
        };
      });
    } finally {
      this.inFlight--;
    }
  }
}

export function temporaryDirectory(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'mailyard-queue-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function collectingLog(): { entries: MailLogEntry[]; write(entry: MailLogEntry): void } {
  const entries: MailLogEntry[] = [];
  return { entries, write: (entry) => entries.push(entry) };
}

export async function* chunks(text: string | Buffer, size = 1000): AsyncIterable<Uint8Array> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export const MESSAGE = 'From: alice@a.test\r\nTo: bob@b.test\r\nSubject: queued\r\n\r\nHello.\r\n';
