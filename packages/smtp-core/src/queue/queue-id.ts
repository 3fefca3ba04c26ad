import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nullIfMissing, writeFileAtomically } from '@mailyard/mailstore-interface';

/** The file, in the queue directory, that reserves counter values across restarts. */
export const COUNTER_FILE = '.queue-counter';

/** Counter values reserved per write of the counter file. */
const BLOCK = 10_000;
const COUNTER_RANGE = 100_000_000;

/**
 * Queue-IDs as Kerio's Mail log shows them: `<8 hex digits of the Unix time>-<8-digit counter>`
 * (`438dd9ea-00000000`). The counter never repeats across restarts: values are reserved in
 * blocks, written durably to {@link COUNTER_FILE} before any is used, so a process that crashed
 * and one that starts in the same second never hand out the same ID.
 */
export class QueueIdGenerator {
  private next = 0;
  private limit = 0;
  private reserving: Promise<void> | null = null;

  private constructor(
    private readonly directory: string,
    private readonly now: () => number,
  ) {}

  static async open(directory: string, now: () => number): Promise<QueueIdGenerator> {
    const generator = new QueueIdGenerator(directory, now);
    let start = 0;
    // No file: the first start, and the counter begins at 0. A file that cannot be read fails
    // the opening: starting again from 0 would hand out the IDs of the last run again.
    const text = await nullIfMissing(readFile(join(directory, COUNTER_FILE), 'utf8'));
    const saved = Number(text?.trim());
    if (Number.isSafeInteger(saved) && saved >= 0) start = saved;
    generator.next = start;
    await generator.reserve(start);
    return generator;
  }

  /** A new Queue-ID; `taken` says whether an ID is in use already (after a counter wrap). */
  async nextId(taken: (id: string) => boolean = () => false): Promise<string> {
    for (;;) {
      while (this.next >= this.limit) {
        this.reserving ??= this.reserve(this.limit).finally(() => (this.reserving = null));
        await this.reserving;
      }
      const counter = this.next++ % COUNTER_RANGE;
      const seconds = Math.floor(this.now() / 1000) >>> 0;
      const id = `${seconds.toString(16).padStart(8, '0')}-${String(counter).padStart(8, '0')}`;
      if (!taken(id)) return id;
    }
  }

  private async reserve(from: number): Promise<void> {
    this.limit = from + BLOCK;
    await writeFileAtomically(join(this.directory, COUNTER_FILE), `${this.limit}\n`);
  }
}

/** Whether a file name is a Queue-ID's (`<id>.eml`, `<id>.env`). */
export const QUEUE_ID = /^[0-9a-f]{8}-[0-9]{8}$/;
