import { type MessageRecord, type MessageState, hasFlag } from '@mailyard/mailstore-interface';
import {
  type AddressListEntry,
  type MimePart,
  canonicalCharset,
  decodeCharset,
  decodeEncodedWords,
  decodeHeaderBytes,
  fieldValue,
  mediaType,
  parseMailDate,
  partText,
  scanHeaderBlock,
} from '@mailyard/mime';
import { startOfDay } from '../protocol/imap-date.js';
import type { SearchDate, SearchKey } from '../protocol/search-key.js';
import type { SequenceSet } from '../protocol/sequence-set.js';
import { readAhead, readAheadPipeline, readAheadWindows } from './message-read-ahead.js';
import { readRange } from './message-sections.js';
import type { SelectedMailbox } from './selected-mailbox.js';
import { refuse } from './store-refusal.js';
import { threadIdOf } from './thread-id.js';
import { UidSet } from './uid-set.js';

/** How much of a message a search key needs, cheapest first. */
const Need = { State: 0, Record: 1, Header: 2, Content: 3 } as const;
type Need = (typeof Need)[keyof typeof Need];

/**
 * A search key ready to run: strings decoded and folded, sets resolved to UIDs, and the sets of
 * an AND, an OR or a NOT combined into one (so a thousand `UID 1:*` keys are one set to test).
 */
export type Prepared =
  | { readonly type: 'all' | 'recent' | 'new' | 'old' | 'none' | 'savedatesupported' }
  | { readonly type: 'and'; readonly keys: readonly Prepared[] }
  | { readonly type: 'or'; readonly left: Prepared; readonly right: Prepared }
  | { readonly type: 'not'; readonly key: Prepared }
  | { readonly type: 'flag'; readonly flag: string; readonly set: boolean }
  | { readonly type: 'envelope'; readonly field: string; readonly needle: string }
  | { readonly type: 'header'; readonly field: string; readonly needle: string }
  | { readonly type: 'body' | 'text'; readonly needle: string }
  | {
      readonly type: 'date';
      readonly field: 'internal' | 'sent' | 'saved';
      readonly comparison: 'before' | 'on' | 'since';
      readonly day: number;
    }
  | { readonly type: 'size'; readonly comparison: 'larger' | 'smaller'; readonly size: number }
  | { readonly type: 'uids'; readonly uids: UidSet }
  | { readonly type: 'modseq'; readonly modSeq: number }
  | { readonly type: 'age'; readonly comparison: 'older' | 'younger'; readonly before: number }
  | { readonly type: 'emailid' | 'threadid'; readonly id: string };

/** What a search runs over, for one message. */
interface Candidate {
  readonly state: MessageState;
  record?: MessageRecord;
  header?: Uint8Array;
  content?: Uint8Array;
}

const ENVELOPE_FIELDS = new Set(['from', 'to', 'cc', 'bcc', 'subject']);
const DAY = 86_400_000;
/** Records read at once (see FETCH's batch). */
const BATCH = 1024;

/** The outcome of a search: matching UIDs ascending, their MODSEQs, and the highest of these. */
export interface SearchResult {
  readonly uids: number[];
  /** The MODSEQ of each message of {@link uids}, in the same order. */
  readonly modSeqs: number[];
  readonly highestModSeq: number;
}

/**
 * Runs a search over the messages the client knows (RFC 9051 6.4.4): flags and sets from the
 * message states, sizes, dates and addresses from the stored summary, HEADER from the stored
 * header, BODY and TEXT from the message with transfer encodings and charsets undone (RFC 9051:
 * the comparison is a case-insensitive substring match). `CHARSET` names the charset of the
 * strings; an unknown one is `NO [BADCHARSET]`.
 */
export async function runSearch(
  selection: SelectedMailbox,
  key: SearchKey,
  charset: string | null,
  options: {
    readonly now: number;
    readonly rev2: boolean;
    /** Where records come from (the session's record cache). */
    readonly records: (
      uids: readonly number[],
      states: ReadonlyMap<number, MessageState>,
    ) => Promise<MessageRecord[]>;
  },
): Promise<SearchResult> {
  const decoding = charset === null ? 'utf-8' : canonicalCharset(charset);
  if (decoding === null) refuse('NO', `Unknown charset ${charset}`, 'BADCHARSET (US-ASCII UTF-8)');
  const prepared = compileSearch(key, selection, decoding, options.now);
  const need = needOf(prepared);
  const states = (await selection.mailbox.messages()).filter((state) =>
    selection.isLive(state.uid),
  );
  const uids: number[] = [];
  const modSeqs: number[] = [];
  let highestModSeq = 0;
  const test = (candidate: Candidate) => {
    if (matches(prepared, candidate, selection)) {
      uids.push(candidate.state.uid);
      modSeqs.push(candidate.state.modSeq);
      highestModSeq = Math.max(highestModSeq, candidate.state.modSeq);
    }
  };
  if (need === Need.State) {
    for (const state of states) test({ state });
    return { uids, modSeqs, highestModSeq };
  }
  const byUid = new Map(states.map((state) => [state.uid, state]));
  const rangeOf = (record: MessageRecord) => ({
    start: 0,
    end: need === Need.Content ? record.size : record.summary.body.bodyStart,
  });
  const windows = async function* () {
    for (let i = 0; i < states.length; i += BATCH) {
      const batch = states.slice(i, i + BATCH).map((state) => state.uid);
      const records = await options.records(batch, byUid);
      if (need >= Need.Header) yield* readAheadWindows(records);
      else yield records;
    }
  };
  // Message bytes only where a key needs them: read several at a time, the next window early.
  const read = (window: readonly MessageRecord[]) =>
    need >= Need.Header ? readAhead(selection.mailbox, window, rangeOf) : Promise.resolve(null);
  for await (const { window, contents } of readAheadPipeline(windows(), read)) {
    for (const record of window) {
      const candidate: Candidate = { state: byUid.get(record.uid)!, record };
      if (need >= Need.Header) {
        const content =
          contents!.get(record.uid) ??
          (await readRange(selection.mailbox, record.uid, rangeOf(record)));
        if (need === Need.Content) candidate.content = content;
        else candidate.header = content;
      }
      test(candidate);
    }
  }
  return { uids, modSeqs, highestModSeq };
}

/** Whether a key asks about mod-sequences (the SEARCH response then reports the highest). */
export function usesModSeq(key: SearchKey): boolean {
  switch (key.type) {
    case 'modseq':
      return true;
    case 'and':
      return key.keys.some(usesModSeq);
    case 'or':
      return usesModSeq(key.left) || usesModSeq(key.right);
    case 'not':
      return usesModSeq(key.key);
    default:
      return false;
  }
}

/** A search key as it runs: see {@link Prepared}. `charset` is the strings' canonical charset. */
export function compileSearch(
  key: SearchKey,
  selection: SelectedMailbox,
  charset: string,
  now: number,
): Prepared {
  const text = (bytes: Uint8Array) => fold(decodeCharset(bytes, charset));
  const compile = (k: SearchKey) => compileSearch(k, selection, charset, now);
  switch (key.type) {
    case 'and': {
      // The sets among the keys become one; an empty one means nothing can match.
      const keys: Prepared[] = [];
      let uids: UidSet | null = null;
      for (const inner of key.keys.map(compile)) {
        if (inner.type === 'uids') uids = uids ? uids.intersect(inner.uids) : inner.uids;
        else keys.push(inner);
      }
      if (uids?.isEmpty) return { type: 'none' };
      if (uids) keys.unshift({ type: 'uids', uids });
      return keys.length === 1 ? keys[0]! : { type: 'and', keys };
    }
    case 'or': {
      const left = compile(key.left);
      const right = compile(key.right);
      if (left.type === 'uids' && right.type === 'uids')
        return { type: 'uids', uids: left.uids.union(right.uids) };
      return { type: 'or', left, right };
    }
    case 'not': {
      const inner = compile(key.key);
      if (inner.type === 'uids') return { type: 'uids', uids: inner.uids.complement() };
      return { type: 'not', key: inner };
    }
    case 'header':
      return ENVELOPE_FIELDS.has(key.field)
        ? { type: 'envelope', field: key.field, needle: text(key.value) }
        : { type: 'header', field: key.field, needle: text(key.value) };
    case 'body':
    case 'text':
      return { type: key.type, needle: text(key.value) };
    case 'date':
      return { type: 'date', field: key.field, comparison: key.comparison, day: dayOf(key.date) };
    case 'sequence':
      return { type: 'uids', uids: uidSetOf(selection, key.set, false) };
    case 'uid':
      return { type: 'uids', uids: uidSetOf(selection, key.set, true) };
    case 'age':
      return { type: 'age', comparison: key.comparison, before: now - key.seconds * 1000 };
    case 'threadid':
      return { type: 'threadid', id: key.id };
    case 'emailid':
      return { type: 'emailid', id: key.id };
    case 'modseq':
      return { type: 'modseq', modSeq: key.modSeq };
    default:
      return key;
  }
}

/**
 * The UIDs a set of message numbers or UIDs stands for, as ranges: a range of message numbers
 * becomes the range of UIDs from its first message's to its last's (UIDs ascend with message
 * numbers), so resolving costs the ranges written, not the messages they cover. Only UIDs of the
 * messages the session knows are ever tested against it.
 */
function uidSetOf(selection: SelectedMailbox, set: SequenceSet, uid: boolean): UidSet {
  if (set.type === 'saved') return UidSet.fromUids(selection.savedSearch);
  const view = selection.view;
  const largest = uid ? view.lastUid : view.count;
  const ranges: [number, number][] = [];
  for (const range of set.ranges) {
    const a = range.start === '*' ? largest : range.start;
    const b = range.end === '*' ? largest : range.end;
    // `*` in an empty mailbox matches nothing.
    if (a === 0 || b === 0) continue;
    const low = Math.min(a, b);
    const high = Math.max(a, b);
    if (uid) ranges.push([low, high]);
    else if (low <= view.count)
      ranges.push([view.uidAt(low), view.uidAt(Math.min(high, view.count))]);
  }
  return UidSet.fromRanges(ranges);
}

function needOf(key: Prepared): Need {
  switch (key.type) {
    case 'and':
      return key.keys.reduce<Need>((most, k) => Math.max(most, needOf(k)) as Need, Need.State);
    case 'or':
      return Math.max(needOf(key.left), needOf(key.right)) as Need;
    case 'not':
      return needOf(key.key);
    case 'body':
    case 'text':
      return Need.Content;
    case 'header':
      return Need.Header;
    case 'envelope':
    case 'date':
    case 'size':
    case 'age':
    case 'emailid':
    case 'threadid':
      return Need.Record;
    default:
      return Need.State;
  }
}

function matches(key: Prepared, message: Candidate, selection: SelectedMailbox): boolean {
  const { state } = message;
  switch (key.type) {
    case 'all':
    case 'savedatesupported':
      return true;
    case 'none':
      return false;
    case 'and':
      return key.keys.every((k) => matches(k, message, selection));
    case 'or':
      return matches(key.left, message, selection) || matches(key.right, message, selection);
    case 'not':
      return !matches(key.key, message, selection);
    case 'flag':
      return hasFlag(state.flags, key.flag) === key.set;
    case 'recent':
      return selection.recent.has(state.uid);
    case 'new':
      return selection.recent.has(state.uid) && !hasFlag(state.flags, '\\Seen');
    case 'old':
      return !selection.recent.has(state.uid);
    case 'uids':
      return key.uids.has(state.uid);
    case 'modseq':
      return state.modSeq >= key.modSeq;
  }
  const record = message.record!;
  switch (key.type) {
    case 'size':
      return key.comparison === 'larger' ? record.size > key.size : record.size < key.size;
    case 'emailid':
      return record.emailId === key.id;
    case 'threadid':
      return threadIdOf(record) === key.id;
    case 'age':
      return key.comparison === 'older'
        ? record.internalDate < key.before
        : record.internalDate > key.before;
    case 'date':
      return compareDay(dateOf(key.field, record), key.comparison, key.day);
    case 'envelope':
      return envelopeText(record, key.field)?.includes(key.needle) ?? false;
    case 'header':
      return headerMatches(message.header ?? message.content!, key.field, key.needle);
    case 'body':
      return bodyText(message.content!, record.summary.body).includes(key.needle);
    case 'text':
      return (
        headerText(message.content!, record.summary.body).includes(key.needle) ||
        bodyText(message.content!, record.summary.body).includes(key.needle)
      );
  }
}

/** Case folding for the substring match (i;unicode-casemap, approximately: lower case). */
function fold(text: string): string {
  return text.toLowerCase();
}

function dayOf(date: SearchDate): number {
  return startOfDay(date);
}

/** The calendar day (UTC midnight) a message's date falls on, "disregarding time and timezone". */
function dateOf(field: 'internal' | 'sent' | 'saved', record: MessageRecord): number {
  if (field === 'saved') return Math.floor(record.saveDate / DAY) * DAY;
  if (field === 'sent') {
    // The day as the sender wrote it: the Date field's own zone. Without a readable Date, the
    // epoch, as Dovecot has it (SENTBEFORE matches such messages, SENTSINCE does not).
    const parsed = record.summary.envelope.date
      ? parseMailDate(record.summary.envelope.date)
      : null;
    return parsed ? Math.floor((parsed.timestamp + parsed.offsetMinutes * 60_000) / DAY) * DAY : 0;
  }
  return Math.floor(record.internalDate / DAY) * DAY;
}

function compareDay(day: number, comparison: 'before' | 'on' | 'since', target: number): boolean {
  return comparison === 'before'
    ? day < target
    : comparison === 'on'
      ? day === target
      : day >= target;
}

/** The text SEARCH FROM/TO/CC/BCC/SUBJECT look in; null when the message has no such field. */
function envelopeText(record: MessageRecord, field: string): string | null {
  const envelope = record.summary.envelope;
  if (field === 'subject') return envelope.subject === null ? null : fold(record.summary.subject);
  const list: readonly AddressListEntry[] =
    field === 'from'
      ? envelope.from
      : field === 'to'
        ? envelope.to
        : field === 'cc'
          ? envelope.cc
          : envelope.bcc;
  if (list.length === 0) return null;
  const parts: string[] = [];
  for (const entry of list) {
    if (entry.type === 'group') {
      parts.push(entry.name);
      for (const member of entry.members) parts.push(`${member.name ?? ''} <${member.address}>`);
    } else {
      parts.push(`${entry.name ?? ''} <${entry.address}>`);
    }
  }
  return fold(parts.join(', '));
}

function headerMatches(bytes: Uint8Array, field: string, needle: string): boolean {
  const { fields } = scanHeaderBlock(bytes, 0, bytes.length);
  for (const f of fields) {
    if (f.key !== field) continue;
    if (needle === '') return true;
    if (fold(decodeEncodedWords(fieldValue(bytes, f))).includes(needle)) return true;
  }
  return false;
}

/** The message header as text, encoded words decoded. */
function headerText(message: Uint8Array, root: MimePart): string {
  const header = message.subarray(root.headerStart, root.bodyStart);
  return fold(decodeEncodedWords(decodeHeaderBytes(header)));
}

/** The text of a message's body: its text parts decoded, and encapsulated messages' headers. */
function bodyText(message: Uint8Array, root: MimePart): string {
  const texts: string[] = [];
  const visit = (part: MimePart) => {
    if (part.parts) {
      part.parts.forEach(visit);
      return;
    }
    if (part.message) {
      texts.push(headerText(message, part.message.body));
      visit(part.message.body);
      return;
    }
    const type = mediaType(part);
    if (type.startsWith('text/') || !part.contentTypeGiven)
      texts.push(fold(partText(message, part)));
  };
  visit(root);
  return texts.join('\n');
}
