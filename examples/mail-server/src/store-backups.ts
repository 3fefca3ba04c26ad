import { isAbsolute, join } from 'node:path';
import type { FsMailStore } from '@mailyard/mailstore-fs';
import type { Clock, Logger } from '@mailyard/mailstore-interface';
import { type BackupKind, type BackupResult, writeBackup } from '@mailyard/kmsrecover-format';
import type { DataDirectory } from './data-directory.js';
import { type BackupScheduleItem, type MailServerConfig, WEEK_DAYS } from './server-config.js';

const MINUTE = 60_000;
const GB = 1024 ** 3;

/** The next scheduled backup strictly after `now` (local time), or null without a schedule. */
export function nextScheduledBackup(
  schedule: readonly BackupScheduleItem[],
  now: number,
): { at: number; item: BackupScheduleItem } | null {
  let next: { at: number; item: BackupScheduleItem } | null = null;
  for (const item of schedule) {
    const [hours, minutes] = item.time.split(':').map(Number) as [number, number];
    const day = WEEK_DAYS.indexOf(item.day);
    const candidate = new Date(now);
    candidate.setHours(hours, minutes, 0, 0);
    candidate.setDate(candidate.getDate() + ((day - candidate.getDay() + 7) % 7));
    if (candidate.getTime() <= now) candidate.setDate(candidate.getDate() + 7);
    if (!next || candidate.getTime() < next.at) next = { at: candidate.getTime(), item };
  }
  return next;
}

export interface StoreBackupsOptions {
  readonly config: MailServerConfig;
  readonly data: DataDirectory;
  /**
   * The on-disk store, snapshotted at each backup; null when the mail is in PostgreSQL, whose own
   * tools back it up (pg_dump, replication): the backup then holds the configuration and what
   * stays on disk (the queue, users' Sieve scripts).
   */
  readonly store: FsMailStore | null;
  readonly clock: Clock;
  /** Kerio's Debug log "Store Backup" entries, and warnings (files left out). */
  readonly logger: Logger;
  /** The Config log (`Admin - Store backup started`). */
  readonly configLog: (line: string) => void;
}

/**
 * The server's backups (Kerio 15.2): the weekly schedule from mailserver.cfg when it is
 * enabled, and "Start now" copies on request (`mailyard-server backup`). One backup runs at a
 * time; each is taken from a snapshot of the running store (see `FsMailStore.snapshot`), so
 * the server keeps taking mail meanwhile.
 */
export class StoreBackups {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: StoreBackupsOptions) {}

  /** The backup directory mailserver.cfg names. */
  get directory(): string {
    const { directory } = this.options.config.backup;
    return isAbsolute(directory) ? directory : join(this.options.data.root, directory);
  }

  /** Starts the schedule, if backups are enabled. */
  start(): void {
    if (this.options.config.backup.enabled) this.schedule();
  }

  /** Makes a backup now, after any one running; `destination` defaults to the backup directory. */
  run(kind: BackupKind, destination = this.directory, reason = 'Admin'): Promise<BackupResult> {
    const { config, data, store, logger, configLog, clock } = this.options;
    const backup = this.running.then(async () => {
      configLog(`${reason} - Store backup started`);
      logger.info(`Store Backup: ${kind} backup to ${destination} started`);
      const result = await writeBackup({
        sources: { configDirectory: data.root, storeDirectory: data.store(config) },
        destination,
        kind,
        splitSize: config.backup.splitSizeGb * GB,
        keep: config.backup.keep,
        hostname: config.hostname,
        clock,
        logger,
        ...(store ? { liveStore: store } : {}),
      });
      logger.info(
        `Store Backup: ${result.id} finished: ${result.countFiles} files, ${result.totalSize} bytes, ${result.parts.length} part(s)`,
      );
      configLog(`${reason} - Store backup finished: ${result.id}`);
      return result;
    });
    this.running = backup.catch(() => undefined);
    return backup;
  }

  /** Stops the schedule and waits for a backup under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    const next = nextScheduledBackup(this.options.config.backup.schedule, this.options.clock.now());
    if (!next || this.stopped) return;
    // setTimeout's delay is a 32-bit number of ms (24.8 days); a week fits, the check is cheap.
    const delay = Math.min(Math.max(0, next.at - this.options.clock.now()), 7 * 24 * 60 * MINUTE);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      const kind = next.item.type === 'full' ? 'F' : 'I';
      this.run(kind, this.directory, 'Scheduler')
        .catch((error: unknown) =>
          this.options.logger.error('Store Backup: the scheduled backup failed', { error }),
        )
        .finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }
}
