import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Clock, writeFileAtomically } from '@mailyard/mailstore-interface';
import type { VacationTracking } from '@mailyard/sieve';

/** One reply sent: to whom, with which handle, when, and until when it holds. */
interface TrackedReply {
  readonly sender: string;
  readonly handle: string;
  readonly at: number;
  readonly until: number;
}

export interface VacationTrackingOptions {
  /** The directory of a user's Sieve scripts: the tracking file lives beside them. */
  readonly userDirectory: (user: string) => string;
  readonly clock: Clock;
  /**
   * Replies remembered per user; past it the oldest is forgotten (its sender may get a reply
   * early rather than the file growing without end). Default 10,000.
   */
  readonly maxEntries?: number;
}

/** What a run of the user's script asks (synchronously): the replies loaded before it. */
export interface VacationReplies {
  replied(sender: string, handle: string, periodSeconds: number): boolean;
}

/** Where the replies of a user are kept, beside the scripts; not a `.sieve` file, so never a script. */
export const TRACKING_FILE = '.vacation-replies.json';

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Vacation response tracking on disk (RFC 5230 4.2): the replies each user's vacation sent, so
 * that a sender is answered once per period across restarts. A file per user, replaced
 * atomically and durably; entries past their period are dropped when the file is written. Only a
 * missing file means "no replies yet": any other read error, or a file that is not ours, fails
 * the delivery (it is deferred) rather than answering everybody again.
 */
export class VacationTrackingStore {
  private readonly maxEntries: number;
  /** Writes of one user, one after the other, so that no reply recorded is lost. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly options: VacationTrackingOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  private file(user: string): string {
    return join(this.options.userDirectory(user), TRACKING_FILE);
  }

  private async read(user: string): Promise<TrackedReply[]> {
    let text: string;
    try {
      text = await readFile(this.file(user), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    const entries = (parsed as { replies?: unknown }).replies;
    if (!Array.isArray(entries)) throw new Error(`${this.file(user)} is not a vacation reply list`);
    return entries as TrackedReply[];
  }

  /** The user's replies still in force, for a run of the user's script. */
  async load(user: string): Promise<VacationReplies> {
    await this.writing.get(user);
    const now = this.options.clock.now();
    const entries = await this.read(user);
    return {
      replied: (sender, handle, periodSeconds) =>
        entries.some(
          (entry) =>
            entry.sender === sender &&
            entry.handle === handle &&
            entry.at + periodSeconds * 1000 > now &&
            entry.at <= now,
        ),
    };
  }

  /** Records a reply sent (`action.tracking`), dropping expired entries. */
  async record(user: string, tracking: VacationTracking): Promise<void> {
    const previous = this.writing.get(user) ?? Promise.resolve();
    const next = previous.then(async () => {
      const now = this.options.clock.now();
      const kept = (await this.read(user)).filter(
        (entry) =>
          entry.until > now &&
          !(entry.sender === tracking.sender && entry.handle === tracking.handle),
      );
      kept.push({
        sender: tracking.sender,
        handle: tracking.handle,
        at: now,
        until: now + tracking.periodSeconds * 1000,
      });
      const replies = kept.slice(Math.max(0, kept.length - this.maxEntries));
      await mkdir(dirname(this.file(user)), { recursive: true });
      await writeFileAtomically(this.file(user), `${JSON.stringify({ replies })}\n`);
    });
    const settled = next.catch(() => undefined);
    this.writing.set(user, settled);
    try {
      await next;
    } finally {
      if (this.writing.get(user) === settled) this.writing.delete(user);
    }
  }
}
