import {
  decodeTransferEncoding,
  mediaType,
  transferEncodingOf,
  type MimePart,
} from '@mailyard/mime';
import { type Clock, systemClock } from './clock.js';
import type { MailboxInfo, MailStore, MessageRecord, OpenMailbox } from './mail-store.js';
import { isSameOrBelow } from './mailbox-name.js';

/**
 * Kerio's automated clean-out (Admin Guide 7.5, 8.2): how old an item may get before it goes.
 * 0 turns a rule off.
 */
export interface CleanOutPolicy {
  /** Days in Deleted Items and its subfolders. */
  readonly deletedItemsDays: number;
  /** Days in Junk E-mail and its subfolders. */
  readonly junkDays: number;
  /** Days in Sent Items and its subfolders. */
  readonly sentItemsDays: number;
  /** Years in any folder but contacts and notes (Kerio allows 1 to 50). */
  readonly allFoldersYears: number;
}

export const NO_CLEAN_OUT: CleanOutPolicy = {
  deletedItemsDays: 0,
  junkDays: 0,
  sentItemsDays: 0,
  allFoldersYears: 0,
};

/** Kerio removes at most this many items per folder per run; the rest waits for the next run. */
export const MAX_CLEAN_OUT_PER_FOLDER = 1000;

export interface CleanOutReport {
  /** Items removed, per folder that lost any. */
  readonly removed: ReadonlyMap<string, number>;
  /** Empty subfolders of Deleted Items and Junk E-mail that were deleted. */
  readonly deletedFolders: readonly string[];
}

const DAY = 24 * 60 * 60 * 1000;
const YEAR = 365.25 * DAY;

/**
 * Runs one clean-out of a user's own folders, as Kerio's scheduler does about every six hours.
 * An item's age is its save date (RFC 8514), which delivery and every copy or move reset. Never
 * removed: contacts and notes, tasks not completed, events that have not ended or never end, and
 * (under the all-folders rule) empty folders. Removal is an expunge, so deleted-items retention
 * keeps what it removes, as Kerio does.
 */
export async function cleanOut(
  store: MailStore,
  user: string,
  policy: CleanOutPolicy,
  clock: Clock = systemClock,
): Promise<CleanOutReport> {
  const access = store.access(user);
  const mailboxes = (await access.list()).filter((m) => m.namespace === 'personal');
  const now = clock.now();
  const removed = new Map<string, number>();
  const below = (use: string) => {
    const root = mailboxes.find((m) => m.specialUse === use);
    return root ? mailboxes.filter((m) => isSameOrBelow(m.name, root.name)) : [];
  };

  const ages = new Map<string, number>();
  const limit = (mailbox: MailboxInfo, maxAge: number) => {
    const current = ages.get(mailbox.name);
    if (maxAge > 0 && (current === undefined || maxAge < current)) ages.set(mailbox.name, maxAge);
  };
  for (const mailbox of below('\\Trash')) limit(mailbox, policy.deletedItemsDays * DAY);
  for (const mailbox of below('\\Junk')) limit(mailbox, policy.junkDays * DAY);
  for (const mailbox of below('\\Sent')) limit(mailbox, policy.sentItemsDays * DAY);
  for (const mailbox of mailboxes) {
    if (mailbox.folderType !== 'contacts' && mailbox.folderType !== 'notes')
      limit(mailbox, policy.allFoldersYears * YEAR);
  }

  for (const [name, maxAge] of ages) {
    const mailbox = mailboxes.find((m) => m.name === name)!;
    const open = await access.open(name);
    try {
      const count = await cleanFolder(open, mailbox, now - maxAge, now);
      if (count > 0) removed.set(name, count);
    } finally {
      open.close();
    }
  }

  // Empty subfolders of Deleted Items and Junk E-mail go at once, deepest first.
  const deletedFolders: string[] = [];
  for (const use of ['\\Trash', '\\Junk']) {
    const [root, ...subfolders] = below(use);
    if (!root) continue;
    for (const sub of subfolders.sort((a, b) => b.name.length - a.name.length)) {
      const hasChildren = (await access.list()).some((m) => m.name.startsWith(sub.name + '/'));
      if (!hasChildren && (await access.status(sub.name)).messages === 0) {
        await access.delete(sub.name);
        deletedFolders.push(sub.name);
      }
    }
  }
  return { removed, deletedFolders };
}

/**
 * The mildest of several policies: for Kerio's global public folders, which follow the most
 * lenient setting of all domains (3 years against 5 gives 5; off against 2 years gives off).
 */
export function mildestPolicy(policies: readonly CleanOutPolicy[]): CleanOutPolicy {
  const mildest = (pick: (p: CleanOutPolicy) => number) =>
    policies.some((p) => pick(p) === 0) ? 0 : Math.max(0, ...policies.map(pick));
  return {
    deletedItemsDays: mildest((p) => p.deletedItemsDays),
    junkDays: mildest((p) => p.junkDays),
    sentItemsDays: mildest((p) => p.sentItemsDays),
    allFoldersYears: mildest((p) => p.allFoldersYears),
  };
}

async function cleanFolder(
  open: OpenMailbox,
  mailbox: MailboxInfo,
  cutoff: number,
  now: number,
): Promise<number> {
  const records = await open.fetch((await open.messages()).map((m) => m.uid));
  const expired = records
    .filter((record) => record.saveDate < cutoff)
    .sort((a, b) => a.saveDate - b.saveDate);
  const doomed: number[] = [];
  for (const record of expired) {
    if (doomed.length >= MAX_CLEAN_OUT_PER_FOLDER) break;
    if (await isKept(open, mailbox, record, now)) continue;
    doomed.push(record.uid);
  }
  if (doomed.length === 0) return 0;
  await open.updateFlags(doomed, { operation: 'add', flags: ['\\Deleted'] });
  return (await open.expunge(doomed)).length;
}

/** Whether a groupware item must stay: a task not completed, an event not over or never ending. */
async function isKept(
  open: OpenMailbox,
  mailbox: MailboxInfo,
  record: MessageRecord,
  now: number,
): Promise<boolean> {
  if (mailbox.folderType !== 'tasks' && mailbox.folderType !== 'calendar') return false;
  const calendar = await readCalendar(open, record);
  if (calendar === null) return false;
  if (mailbox.folderType === 'tasks') return !/^(STATUS:COMPLETED|COMPLETED[:;])/im.test(calendar);
  const end = /^DTEND[^:\n]*:(\d{8})(?:T(\d{6}))?/m.exec(calendar);
  const endless = /^RRULE:(?!.*(?:UNTIL|COUNT)=)/m.test(calendar);
  if (!end || endless) return true;
  const [, date, time = '000000'] = end;
  const ends = Date.UTC(
    +date!.slice(0, 4),
    +date!.slice(4, 6) - 1,
    +date!.slice(6, 8),
    +time.slice(0, 2),
    +time.slice(2, 4),
  );
  return ends > now;
}

/** The iCalendar text of an item (Kerio keeps groupware items as MIME messages), unfolded. */
async function readCalendar(open: OpenMailbox, record: MessageRecord): Promise<string | null> {
  const part = findCalendarPart(record.summary.body);
  if (!part) return null;
  const chunks: Uint8Array[] = [];
  for await (const chunk of open.read(record.uid, { start: part.bodyStart, end: part.end }))
    chunks.push(chunk);
  const encoding = transferEncodingOf(part.encoding) ?? '7bit';
  const text = Buffer.from(decodeTransferEncoding(Buffer.concat(chunks), encoding)).toString(
    'utf8',
  );
  return text.replace(/\r?\n[ \t]/g, '');
}

function findCalendarPart(part: MimePart): MimePart | null {
  if (mediaType(part) === 'text/calendar') return part;
  for (const child of part.parts ?? []) {
    const found = findCalendarPart(child);
    if (found) return found;
  }
  return null;
}
