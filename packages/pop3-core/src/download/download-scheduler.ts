import { type Clock, type Logger, silentLogger, systemClock } from '@mailyard/mailstore-interface';
import type { Pop3DownloadAccount } from './download-account.js';
import type { AccountDownloadResult, Pop3Downloader } from './pop3-downloader.js';

/** Timers, injected so that tests drive the schedule. */
export interface SchedulerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeTimers: SchedulerTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface DownloadSchedulerOptions {
  readonly downloader: Pop3Downloader;
  /** The accounts, read at each run, so configuration changes apply at the next one. */
  readonly accounts: () => readonly Pop3DownloadAccount[] | Promise<readonly Pop3DownloadAccount[]>;
  /** Kerio's "Every N minutes": milliseconds between the end of a run and the next. */
  readonly intervalMs?: number;
  /**
   * Kerio's "At HH:MM" instead: runs at these times of day (`'06:30'`), in the server's time zone
   * (`offsetMinutes` east of UTC for an instant; default UTC).
   */
  readonly at?: {
    readonly times: readonly string[];
    readonly offsetMinutes?: (utcMillis: number) => number;
  };
  /** Kerio's "Valid only at time": a run is skipped while this says no. Default: always. */
  readonly isActive?: (now: number) => boolean;
  /** Called with each run's results. */
  readonly onRun?: (results: readonly AccountDownloadResult[]) => void;
  readonly timers?: SchedulerTimers;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * Runs the downloader over every account on a schedule (Kerio: POP3 download is scheduler-driven
 * only, one schedule for all accounts). Runs never overlap: `runNow` during a run joins it.
 */
export class Pop3DownloadScheduler {
  private timer: unknown = null;
  private current: Promise<readonly AccountDownloadResult[]> | null = null;
  private started = false;
  private readonly timers: SchedulerTimers;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** Minutes after midnight of each `at` time, ascending. */
  private readonly dailyMinutes: readonly number[];

  constructor(private readonly options: DownloadSchedulerOptions) {
    if ((options.intervalMs === undefined) === (options.at === undefined)) {
      throw new RangeError('give either intervalMs or at');
    }
    if (options.intervalMs !== undefined && !(options.intervalMs > 0)) {
      throw new RangeError('intervalMs must be positive');
    }
    this.dailyMinutes = (options.at?.times ?? []).map(minutesOfDay).sort((a, b) => a - b);
    if (options.at && this.dailyMinutes.length === 0)
      throw new RangeError('at needs at least one time');
    this.timers = options.timers ?? nodeTimers;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  /** Schedules the first run one interval from now. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule();
  }

  /** No more runs; resolves once a run in progress has finished. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    await this.current?.catch(() => undefined);
  }

  /** Kerio's "Download now": a run at once, or the one already going. */
  runNow(): Promise<readonly AccountDownloadResult[]> {
    this.current ??= this.run().finally(() => {
      this.current = null;
      if (this.started) this.schedule();
    });
    return this.current;
  }

  private schedule(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      if (this.options.isActive && !this.options.isActive(this.clock.now())) {
        this.schedule();
        return;
      }
      void this.runNow();
    }, this.delayToNextRun());
  }

  /** Milliseconds from now to the next scheduled run. */
  private delayToNextRun(): number {
    if (this.options.intervalMs !== undefined) return this.options.intervalMs;
    const now = this.clock.now();
    const local = now + (this.options.at!.offsetMinutes?.(now) ?? 0) * 60_000;
    const sinceMidnight = local - Math.floor(local / DAY) * DAY;
    const next = this.dailyMinutes.map((m) => m * 60_000).find((at) => at > sinceMidnight);
    return next !== undefined
      ? next - sinceMidnight
      : DAY - sinceMidnight + this.dailyMinutes[0]! * 60_000;
  }

  private async run(): Promise<readonly AccountDownloadResult[]> {
    try {
      const accounts = await this.options.accounts();
      const results = await this.options.downloader.downloadAll(accounts);
      this.options.onRun?.(results);
      return results;
    } catch (error) {
      this.logger.error('pop3 download run failed', { error });
      return [];
    }
  }
}

const DAY = 24 * 60 * 60_000;

function minutesOfDay(time: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`not a time of day (HH:MM): ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}
