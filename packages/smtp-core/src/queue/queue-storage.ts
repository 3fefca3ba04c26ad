import type { MessageSource } from '../envelope.js';
import { QueueFiles } from './queue-files.js';
import { QueueIdGenerator } from './queue-id.js';
import type { QueueRecord } from './queue-record.js';

/**
 * Where a {@link DeliveryQueue} keeps its messages and their envelopes: Kerio's queue directory
 * by default ({@link FileQueueStorage}), or a database shared by several servers. The queue
 * itself (scheduling, retries, DSNs, the journal) is the same over any storage. Every write is
 * durable before it resolves.
 */
export interface QueueStorage {
  /**
   * Opens the storage: clears what a crash left half-written and returns every complete entry
   * this queue is to deliver.
   */
  recover(report: (problem: string) => void): Promise<QueueRecord[]>;
  /** A new Queue-ID, never handed out before; `taken` says whether one is in use (after a wrap). */
  nextId(taken: (id: string) => boolean): Promise<string>;
  /**
   * Takes a message's bytes for the entry `id`; returns its size. Keeps nothing when it fails:
   * a failure of the storage rejects with a `QueueError` of code `io`, a message over `maxSize`
   * (0: no limit) with code `too-big`, a failure of the message stream with that failure.
   */
  writeMessage(id: string, message: AsyncIterable<Uint8Array>, maxSize: number): Promise<number>;
  /** Writes an entry's envelope and state (the first write makes the entry exist). */
  writeRecord(record: QueueRecord): Promise<void>;
  /** Removes an entry, message and record. */
  remove(id: string): Promise<void>;
  /** The message of an entry, to deliver. */
  source(id: string, size: number): MessageSource;
  /** The message, or its first `limit` octets (for DSNs). */
  readMessage(id: string, limit?: number): Promise<Buffer>;
  /**
   * Entries another queue left behind (its server stopped answering) that this one delivers
   * from now on, each taken by one queue only. A storage one server owns has none.
   */
  adopt?(): Promise<QueueRecord[]>;
  /** How often the queue asks for orphans (`adopt`), in milliseconds; default 10 000. */
  readonly adoptEveryMs?: number;
}

/**
 * The queue in a directory, Kerio's layout: `<QueueID>.eml` + `<QueueID>.env`, Queue-IDs from
 * `.queue-counter` (see {@link QueueFiles} and {@link QueueIdGenerator}).
 */
export class FileQueueStorage implements QueueStorage {
  private readonly files: QueueFiles;
  private ids: QueueIdGenerator | null = null;

  constructor(
    readonly directory: string,
    private readonly now: () => number = Date.now,
  ) {
    this.files = new QueueFiles(directory);
  }

  async recover(report: (problem: string) => void): Promise<QueueRecord[]> {
    const records = await this.files.recover(report);
    this.ids = await QueueIdGenerator.open(this.directory, this.now);
    return records;
  }

  nextId(taken: (id: string) => boolean): Promise<string> {
    if (!this.ids) return Promise.reject(new Error('the queue storage is not open'));
    return this.ids.nextId(taken);
  }

  writeMessage(id: string, message: AsyncIterable<Uint8Array>, maxSize: number): Promise<number> {
    return this.files.writeMessage(id, message, maxSize);
  }

  writeRecord(record: QueueRecord): Promise<void> {
    return this.files.writeRecord(record);
  }

  remove(id: string): Promise<void> {
    return this.files.remove(id);
  }

  source(id: string, size: number): MessageSource {
    return this.files.source(id, size);
  }

  readMessage(id: string, limit?: number): Promise<Buffer> {
    return this.files.readMessage(id, limit);
  }
}
