import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { zipDirectory } from '@mailyard/kmsrecover-format';
import { type Clock, type Logger, isMissingFileError } from '@mailyard/mailstore-interface';
import type { ArchiveConfig, ArchiveInterval } from './server-config.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = 24 * 60 * 60 * 1000;

/**
 * The name of the archive folder for a time (Admin Guide 15.1), in the server's local time:
 * `2005-Jan` by month, `2005-W03` by week (weeks counted from January 1 of the year, not
 * calendar weeks: days 1-7 are week 1), `2005-Jan-12` by day.
 */
export function archiveFolderName(interval: ArchiveInterval, time: number): string {
  const date = new Date(time);
  const year = date.getFullYear();
  const month = MONTHS[date.getMonth()]!;
  switch (interval) {
    case 'month':
      return `${year}-${month}`;
    case 'day':
      return `${year}-${month}-${String(date.getDate()).padStart(2, '0')}`;
    case 'week': {
      const dayOfYear = Math.round(
        (new Date(year, date.getMonth(), date.getDate()).getTime() -
          new Date(year, 0, 1).getTime()) /
          DAY,
      );
      return `${year}-W${String(Math.floor(dayOfYear / 7) + 1).padStart(2, '0')}`;
    }
  }
}

/** Which way a message goes (Kerio's archiving scope). */
export type MailDirection = 'local' | 'incoming' | 'outgoing' | 'relayed';

/** Local to local, remote to local, local to remote, remote to remote. */
export function directionOf(senderIsLocal: boolean, recipientIsLocal: boolean): MailDirection {
  if (senderIsLocal) return recipientIsLocal ? 'local' : 'outgoing';
  return recipientIsLocal ? 'incoming' : 'relayed';
}

/** One message being copied into the archive; see {@link MailArchive.begin}. */
export interface ArchiveCopy {
  wrap(message: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  commit(queueId: string): Promise<void>;
  abort(): Promise<void>;
}

export interface MailArchiveOptions {
  readonly config: ArchiveConfig;
  /** The archive directory (the config's, resolved). */
  readonly directory: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Archiving (Admin Guide 15.1): a copy of each accepted message whose direction the
 * configuration chose, as `<archive>/<folder>/<Queue-ID>.eml`, the folder named by day, week or
 * month. The first message after a start, and the first of each new period, opens a new folder
 * (`2005-Jan-12`, then `2005-Jan-12~2` after a restart the same day). Folders other than the
 * current one are compressed into `<folder>.zip` (and the folder removed) at the start and every
 * 24 hours, when compression is on. The copy is written as the message streams into the queue
 * and put in place before the client hears 250, so an acknowledged message is archived.
 */
export class MailArchive {
  private current: { base: string; folder: string } | null = null;
  /** Folder choices in turn: two first messages at once must not open two folders. */
  private choosing: Promise<string> = Promise.resolve('');
  private timer: NodeJS.Timeout | null = null;
  private compressing: Promise<void> = Promise.resolve();

  constructor(private readonly options: MailArchiveOptions) {}

  /** Whether messages going this way are archived. */
  wants(direction: MailDirection): boolean {
    return this.options.config.enabled && this.options.config.scope[direction];
  }

  /**
   * Starts the copy of a message being received: `wrap` the message stream on its way to the
   * queue (each chunk is written here too, with backpressure), then `commit` it under the
   * Queue-ID once queued, or `abort` it. Copying as it streams, rather than from the queue's
   * file afterwards, leaves no window in which delivery could remove that file first.
   */
  async begin(): Promise<ArchiveCopy> {
    await mkdir(this.options.directory, { recursive: true });
    const temporary = join(
      this.options.directory,
      `.incoming-${randomBytes(8).toString('hex')}.tmp`,
    );
    // Created here, not by the stream: a stream opens its file later, on its own, so an abort
    // could remove the file before it exists and leave the stream to create it afterwards.
    const out = (await open(temporary, 'wx')).createWriteStream();
    const failed = new Promise<never>((_, reject) => out.once('error', reject));
    failed.catch(() => undefined);
    return {
      wrap: async function* (message: AsyncIterable<Uint8Array>) {
        for await (const chunk of message) {
          if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
          yield chunk;
        }
      },
      commit: async (queueId: string) => {
        await new Promise<void>((resolve, reject) => {
          out.once('error', reject);
          out.end(() => resolve());
        });
        const folder = await this.currentFolder();
        await rename(temporary, join(this.options.directory, folder, `${queueId}.eml`));
      },
      abort: async () => {
        out.destroy();
        await rm(temporary, { force: true });
      },
    };
  }

  /** Compresses the old folders now, then every 24 hours. */
  start(): void {
    if (!this.options.config.enabled || !this.options.config.compress) return;
    const run = () => {
      this.compressing = this.compressing.then(async () => {
        try {
          await this.compressOldFolders();
        } catch (error) {
          this.options.logger.error('archive: compressing old folders failed', { error });
        }
      });
    };
    run();
    this.timer = setInterval(run, DAY);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.compressing;
  }

  /** Zips every folder but the current one; returns the folders compressed. */
  async compressOldFolders(): Promise<string[]> {
    const names = await readdir(this.options.directory).catch((error: unknown) => {
      if (isMissingFileError(error)) return [] as string[];
      throw error;
    });
    const done: string[] = [];
    for (const name of names.sort()) {
      if (
        name === this.current?.folder ||
        name.endsWith('.zip') ||
        name.endsWith('.tmp') ||
        name.startsWith('.')
      )
        continue;
      const path = join(this.options.directory, name);
      if (!(await stat(path)).isDirectory()) continue;
      try {
        const result = await zipDirectory(path, `${path}.zip`);
        await rm(path, { recursive: true, force: true });
        this.options.logger.info(`archive: ${name} compressed (${result.files} messages)`);
        done.push(name);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        this.options.logger.warn(`archive: ${name} left uncompressed: ${error.message}`);
      }
    }
    return done;
  }

  private currentFolder(): Promise<string> {
    const next = this.choosing.catch(() => '').then(() => this.chooseFolder());
    this.choosing = next;
    return next;
  }

  private async chooseFolder(): Promise<string> {
    const base = archiveFolderName(this.options.config.interval, this.options.clock.now());
    if (this.current?.base !== base) {
      // A new period, or the first message since the start: a folder of its own.
      let folder = base;
      for (let n = 2; await taken(join(this.options.directory, folder)); n++)
        folder = `${base}~${n}`;
      await mkdir(join(this.options.directory, folder), { recursive: true });
      this.current = { base, folder };
    }
    return this.current.folder;
  }
}

async function taken(path: string): Promise<boolean> {
  for (const candidate of [path, `${path}.zip`]) {
    try {
      await stat(candidate);
      return true;
    } catch (error) {
      if (!isMissingFileError(error)) throw error;
    }
  }
  return false;
}
