import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  TEMPORARY_SUFFIX,
  syncDirectory,
  writeFileAtomically,
} from '@mailyard/mailstore-interface';
import type { MessageSource } from '../envelope.js';
import { QUEUE_ID } from './queue-id.js';
import { type QueueRecord, formatQueueRecord, parseQueueRecord } from './queue-record.js';

/**
 * Why a message could not be queued; or (`taken`), from a storage shared by several servers,
 * that another server has taken over an entry (this one was thought stopped): this queue then
 * forgets the entry.
 */
export class QueueError extends Error {
  override readonly name = 'QueueError';

  constructor(
    readonly code: 'too-big' | 'stopped' | 'no-recipients' | 'io' | 'taken',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure of the queue's own files, as the `QueueError` callers tell from others. */
function ioFailure(error: unknown): never {
  if (error instanceof QueueError) throw error;
  const reason = error instanceof Error ? error.message : String(error);
  throw new QueueError('io', `could not queue the message: ${reason}`, { cause: error });
}

/**
 * Kerio's queue layout on disk: `<directory>/<QueueID>.eml` (the message, as received) and
 * `<QueueID>.env` (its envelope and delivery state). Every write is durable before it resolves;
 * the order makes every crash recoverable: the .eml is complete before its .env exists, and the
 * .env goes before the .eml when an entry is removed, so an .eml without .env is always garbage.
 */
export class QueueFiles {
  constructor(readonly directory: string) {}

  emlPath(id: string): string {
    return join(this.directory, `${id}.eml`);
  }

  envPath(id: string): string {
    return join(this.directory, `${id}.env`);
  }

  /**
   * Streams a message into `<id>.eml` (temp file, fsync, rename, directory fsync); returns its
   * size. Keeps nothing when it fails: a failure of the queue's own files (out of descriptors, a
   * full disk) rejects with a `QueueError` of code `io`, a failure of the message stream (the
   * client went away) with that failure as it is.
   */
  async writeMessage(
    id: string,
    message: AsyncIterable<Uint8Array>,
    maxSize: number,
  ): Promise<number> {
    const temporary = join(
      this.directory,
      `.${id}.eml.${randomBytes(6).toString('hex')}${TEMPORARY_SUFFIX}`,
    );
    const handle = await open(temporary, 'wx', 0o600).catch(ioFailure);
    let size = 0;
    try {
      for await (const chunk of message) {
        size += chunk.length;
        if (maxSize > 0 && size > maxSize) {
          throw new QueueError('too-big', `message over the queue's limit of ${maxSize} octets`);
        }
        await handle.write(chunk).catch(ioFailure);
      }
      await handle.sync().catch(ioFailure);
      await handle.close().catch(ioFailure);
      await rename(temporary, this.emlPath(id)).catch(ioFailure);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    await syncDirectory(this.directory).catch(async (error: unknown) => {
      // Not durable, so not taken.
      await rm(this.emlPath(id), { force: true });
      ioFailure(error);
    });
    return size;
  }

  async writeRecord(record: QueueRecord): Promise<void> {
    await writeFileAtomically(this.envPath(record.queueId), formatQueueRecord(record));
  }

  /** Removes an entry: the .env first (after that the .eml is an orphan that recovery clears). */
  async remove(id: string): Promise<void> {
    await rm(this.envPath(id), { force: true });
    await rm(this.emlPath(id), { force: true });
    await syncDirectory(this.directory);
  }

  source(id: string, size: number): MessageSource {
    const path = this.emlPath(id);
    return {
      size,
      read: () => createReadStream(path, { highWaterMark: 64 * 1024 }),
    };
  }

  /** The message, or its first `limit` octets. */
  async readMessage(id: string, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
    if (!Number.isFinite(limit)) return readFile(this.emlPath(id));
    const handle = await open(this.emlPath(id), 'r');
    try {
      const buffer = Buffer.alloc(limit);
      const { bytesRead } = await handle.read(buffer, 0, limit, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /**
   * What survived: every complete entry. Temporary files, .eml files without .env (a crash
   * before the message was acknowledged, or during a removal) and .env files without .eml are
   * cleared away; a .env that cannot be read is set aside with its message as `<id>.env.bad` and
   * `<id>.eml.bad`, for the operator.
   */
  async recover(report: (problem: string) => void): Promise<QueueRecord[]> {
    await mkdir(this.directory, { recursive: true });
    const names = await readdir(this.directory);
    const emls = new Set<string>();
    const envs = new Set<string>();
    let changed = false;
    for (const name of names) {
      if (name.endsWith(TEMPORARY_SUFFIX)) {
        await rm(join(this.directory, name), { force: true });
        changed = true;
        continue;
      }
      const match = /^(.+)\.(eml|env)$/.exec(name);
      if (!match || !QUEUE_ID.test(match[1]!)) continue;
      (match[2] === 'eml' ? emls : envs).add(match[1]!);
    }
    const records: QueueRecord[] = [];
    for (const id of [...envs].sort()) {
      if (!emls.has(id)) {
        report(`${id}.env without its message: removed`);
        await rm(this.envPath(id), { force: true });
        changed = true;
        continue;
      }
      const record = parseQueueRecord(await readFile(this.envPath(id), 'utf8'));
      if (!record || record.queueId !== id) {
        report(`${id}.env is not readable: set aside as ${id}.env.bad and ${id}.eml.bad`);
        await rename(this.envPath(id), `${this.envPath(id)}.bad`);
        await rename(this.emlPath(id), `${this.emlPath(id)}.bad`);
        changed = true;
        continue;
      }
      records.push(record);
    }
    for (const id of emls) {
      if (envs.has(id)) continue;
      report(`${id}.eml without its envelope (never acknowledged, or removed): deleted`);
      await rm(this.emlPath(id), { force: true });
      changed = true;
    }
    if (changed) await syncDirectory(this.directory);
    return records;
  }
}
