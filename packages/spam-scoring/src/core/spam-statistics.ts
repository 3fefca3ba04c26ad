import type { SpamVerdict } from './spam-verdict.js';

/** Kerio's spam statistics (13.8, 23.6). */
export interface SpamCounters {
  /** Messages rated (whitelisted ones are not counted). */
  readonly messagesChecked: number;
  /** Spams detected (tagged). */
  readonly spamTagged: number;
  /** Spams detected (rejected): blocked at SMTP level or discarded. */
  readonly spamRejected: number;
  /** Messages users marked as spam (a button, or a move into Junk). */
  readonly markedSpamByUsers: number;
  /** Messages users marked as not spam (false positives). */
  readonly markedHamByUsers: number;
}

const ZERO: SpamCounters = {
  messagesChecked: 0,
  spamTagged: 0,
  spamRejected: 0,
  markedSpamByUsers: 0,
  markedHamByUsers: 0,
};

/** The counters, kept in memory; the application shows and resets them (Kerio's Refresh/Reset). */
export class SpamStatistics {
  private counters: SpamCounters;

  /** Starts from `initial` (counters an application kept across a restart), or from zero. */
  constructor(initial: SpamCounters = ZERO) {
    this.counters = { ...ZERO, ...initial };
  }

  /** Counts a verdict. */
  record(verdict: SpamVerdict): void {
    if (verdict.whitelisted) return;
    const c = this.counters;
    this.counters = {
      ...c,
      messagesChecked: c.messagesChecked + 1,
      spamTagged: c.spamTagged + (verdict.action === 'tag' ? 1 : 0),
      spamRejected:
        c.spamRejected + (verdict.action === 'block' || verdict.action === 'discard' ? 1 : 0),
    };
  }

  /** Counts a user's mark. */
  recordUserMark(as: 'spam' | 'ham'): void {
    const c = this.counters;
    this.counters =
      as === 'spam'
        ? { ...c, markedSpamByUsers: c.markedSpamByUsers + 1 }
        : { ...c, markedHamByUsers: c.markedHamByUsers + 1 };
  }

  snapshot(): SpamCounters {
    return this.counters;
  }

  reset(): void {
    this.counters = ZERO;
  }
}

/** What the Spam and Security log lines say about a message. */
export interface LoggedMessage {
  readonly from: string;
  readonly to: string;
  readonly size: number;
  readonly subject: string;
}

/**
 * Kerio's Spam log line for a message rated as spam (24.8), without the timestamp the log writer
 * puts in front: `Message marked as spam with score: 8.00, To: ..., Message size: 342, From: ...,
 * Subject: ...`. Values are kept on one line.
 */
export function spamLogLine(verdict: SpamVerdict, message: LoggedMessage): string {
  return `Message marked as spam with score: ${verdict.score.toFixed(2)}, To: ${oneLine(message.to)}, Message size: ${message.size}, From: ${oneLine(message.from)}, Subject: ${oneLine(message.subject)}`;
}

/** Kerio's Spam log line for a user's mark: `User u marked a message as spam, Folder: ...`. */
export function userMarkLogLine(mark: {
  readonly user: string;
  readonly as: 'spam' | 'ham';
  readonly folder: string;
  readonly size: number;
  readonly from: string;
  readonly subject: string;
}): string {
  return `User ${oneLine(mark.user)} marked a message as ${mark.as === 'spam' ? 'spam' : 'not spam'}, Folder: ${oneLine(mark.folder)}, Size: ${mark.size}, From: ${oneLine(mark.from)}, Subject: ${oneLine(mark.subject)}`;
}

/** Kerio's Security log line for a message blocked by its score (24.4). */
export function spamRejectLogLine(
  verdict: SpamVerdict,
  envelope: { readonly from: string; readonly to: readonly string[] },
  threshold: number,
): string {
  return `Message from <${oneLine(envelope.from)}> to ${envelope.to.map((to) => `<${oneLine(to)}>`).join(', ')} rejected by spam filter: score ${verdict.score.toFixed(2)}, threshold ${threshold.toFixed(2)}`;
}

/** A value from a message must not start a log line of its own. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+/g, ' ');
}
