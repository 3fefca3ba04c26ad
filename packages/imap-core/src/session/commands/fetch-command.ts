import { hasFlag, isMailStoreError } from '@mailyard/mailstore-interface';
import type { MessageRecord, MessageState } from '@mailyard/mailstore-interface';
import { bodyStructure, envelopeToImap, formatImapDate } from '@mailyard/mime';
import type { FetchCommand, FetchItem } from '../../protocol/command.js';
import { type ResponseBuilder, valueBytes } from '../../protocol/response-builder.js';
import { formatSequenceSet, rangesContain } from '../../protocol/sequence-set.js';
import { announceKeywords, messageFlags } from '../change-report.js';
import { readAhead, readAheadPipeline, readAheadWindows } from '../message-read-ahead.js';
import {
  binaryContent,
  filterHeaderFields,
  rangeReader,
  sectionBytes,
  sectionLabel,
} from '../message-sections.js';
import type { SelectedMailbox } from '../selected-mailbox.js';
import { nulFree, nulFreeStream } from '../nul-free.js';
import type { SessionContext } from '../session-context.js';
import { threadIdOf } from '../thread-id.js';
import { refuse } from '../store-refusal.js';
import { resolveSequence } from './select-commands.js';

/**
 * Messages whose records are read from the store at once: enough that a store reading its
 * summaries sequentially (mailstore-fs does past 64) does it rarely, few enough to bound memory.
 */
const BATCH = 1024;
/** Responses are gathered up to this many octets before they are written. */
const OUTPUT_CHUNK = 64 * 1024;

/** Items served from flags and mod-sequences alone, without the message's record. */
const STATE_ITEMS = new Set(['UID', 'FLAGS', 'MODSEQ']);
/** Items that send message content (read ahead for small messages). */
const CONTENT_ITEMS = new Set([
  'BODY[]',
  'BINARY[]',
  'BINARY.SIZE',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
]);

/** Whether fetching the item sets `\Seen` (RFC 9051 6.4.5: BODY[...], BINARY[...], RFC822, RFC822.TEXT). */
function setsSeen(item: FetchItem): boolean {
  return (
    ((item.type === 'BODY[]' || item.type === 'BINARY[]') && !item.peek) ||
    item.type === 'RFC822' ||
    item.type === 'RFC822.TEXT'
  );
}

/** Whether an item sends nothing but (part of) the message's header. */
function sendsHeaderOnly(item: FetchItem): boolean {
  if (item.type === 'RFC822.HEADER') return true;
  if (item.type !== 'BODY[]' || item.section.part.length > 0) return false;
  const text = item.section.text;
  return text === 'HEADER' || text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT';
}

/** Whether an item sends a whole message (Kerio's IMAPMessagesSent). */
function sendsWholeMessage(item: FetchItem): boolean {
  return (
    item.type === 'RFC822' ||
    (item.type === 'BODY[]' &&
      item.section.part.length === 0 &&
      !item.section.text &&
      !item.partial) ||
    (item.type === 'BINARY[]' && item.part.length === 0 && !item.partial)
  );
}

/**
 * FETCH and UID FETCH (RFC 9051 6.4.5), with CONDSTORE's MODSEQ and CHANGEDSINCE, QRESYNC's
 * VANISHED, BINARY, OBJECTID and SAVEDATE items. Everything is served from the stored summary
 * and byte ranges of the message; bodies are streamed from the store to the client.
 */
export async function fetch(session: SessionContext, command: FetchCommand): Promise<void> {
  const selection = session.selected!;
  if (command.vanished && !session.qresync) refuse('BAD', 'VANISHED needs QRESYNC enabled');
  const items: FetchItem[] = [...command.items];
  if (command.uid && !items.some((item) => item.type === 'UID')) items.unshift({ type: 'UID' });
  if (command.changedSince !== undefined && !items.some((item) => item.type === 'MODSEQ'))
    items.push({ type: 'MODSEQ' });
  if (items.some((item) => item.type === 'MODSEQ')) await session.useCondstore();

  const requested = resolveSequence(selection, command.sequence, command.uid, true);
  if (
    command.vanished &&
    command.changedSince !== undefined &&
    command.sequence.type === 'ranges'
  ) {
    const ranges = command.sequence.ranges;
    const largest = (await selection.mailbox.status()).uidNext - 1;
    const vanished = (await selection.mailbox.vanishedSince(command.changedSince)).filter((uid) =>
      rangesContain(ranges, uid, largest),
    );
    if (vanished.length > 0)
      await session.sendLine(`* VANISHED (EARLIER) ${formatSequenceSet(vanished)}`);
  }

  const states = new Map<number, MessageState>();
  const wanted = new Set(requested);
  for (const state of await selection.mailbox.messages())
    if (wanted.has(state.uid)) states.set(state.uid, state);
  let uids = requested.filter((uid) => states.has(uid));
  let expungedMeanwhile = uids.length < requested.length;
  if (command.changedSince !== undefined) {
    const since = command.changedSince;
    uids = uids.filter((uid) => states.get(uid)!.modSeq > since);
  }

  // The implicit \Seen, set before the data goes out so that FLAGS can show it.
  const flagsChanged = new Set<number>();
  if (!selection.readOnly && items.some(setsSeen)) {
    const unseen = uids.filter((uid) => !hasFlag(states.get(uid)!.flags, '\\Seen'));
    if (unseen.length > 0) {
      const { updated } = await selection.mailbox.updateFlags(unseen, {
        operation: 'add',
        flags: ['\\Seen'],
      });
      selection.acknowledge(updated);
      for (const state of updated) {
        states.set(state.uid, state);
        flagsChanged.add(state.uid);
      }
    }
  }

  const showsFlags = items.some((item) => item.type === 'FLAGS');
  const shown = showsFlags ? uids : [...flagsChanged];
  await announceKeywords(
    session,
    selection,
    shown.map((uid) => states.get(uid)!),
  );

  const withFlags = (uid: number): readonly FetchItem[] =>
    flagsChanged.has(uid) && !items.some((item) => item.type === 'FLAGS')
      ? [...items, { type: 'FLAGS' }]
      : items;
  const needsRecord = items.some((item) => !STATE_ITEMS.has(item.type));
  const needsContent = items.some((item) => CONTENT_ITEMS.has(item.type));
  const out = session.builder();
  if (needsContent) {
    // Message bytes are read ahead (small messages), the next window while this one goes out.
    const windows = async function* () {
      for (let i = 0; i < uids.length; i += BATCH) {
        const batch = uids.slice(i, i + BATCH);
        const records = await session.records(batch, states);
        if (records.length < batch.length) expungedMeanwhile = true;
        yield* readAheadWindows(records);
      }
    };
    // Only the header where that is all the items send (the common header-list FETCH).
    const headersOnly = items.every(
      (item) => !CONTENT_ITEMS.has(item.type) || sendsHeaderOnly(item),
    );
    const rangeOf = (record: MessageRecord) => ({
      start: 0,
      end: headersOnly ? record.summary.body.bodyStart : record.size,
    });
    for await (const { window, contents } of readAheadPipeline(windows(), (w) =>
      readAhead(selection.mailbox, w, rangeOf),
    )) {
      for (const record of window) {
        const state = states.get(record.uid)!;
        if (
          !(await fetchResponse(
            session,
            selection,
            out,
            state,
            record,
            contents.get(record.uid),
            withFlags(record.uid),
          ))
        )
          expungedMeanwhile = true;
        if (out.size > OUTPUT_CHUNK) await session.send(out.finish());
      }
    }
  } else {
    for (let i = 0; i < uids.length; i += BATCH) {
      const batch = uids.slice(i, i + BATCH);
      // Records only where an item needs one; a message gone meanwhile has none and is skipped.
      const entries: [number, MessageRecord | null][] = needsRecord
        ? (await session.records(batch, states)).map((record) => [record.uid, record])
        : batch.map((uid) => [uid, null]);
      if (entries.length < batch.length) expungedMeanwhile = true;
      for (const [uid, record] of entries) {
        if (
          !(await fetchResponse(
            session,
            selection,
            out,
            states.get(uid)!,
            record,
            undefined,
            withFlags(uid),
          ))
        )
          expungedMeanwhile = true;
        if (out.size > OUTPUT_CHUNK) await session.send(out.finish());
      }
    }
  }
  if (!out.empty) await session.send(out.finish());
  if (expungedMeanwhile) {
    await session.finish(
      command,
      'NO',
      'Some of the requested messages no longer exist',
      'EXPUNGEISSUED',
    );
    return;
  }
  await session.finish(command, 'OK', 'Fetch completed');
}

/**
 * One `* n FETCH (...)` response, added to `out`; false, and nothing added, when the message was
 * expunged meanwhile by another session (the command then ends `NO [EXPUNGEISSUED]`).
 */
async function fetchResponse(
  session: SessionContext,
  selection: SelectedMailbox,
  out: ResponseBuilder,
  state: MessageState,
  record: MessageRecord | null,
  content: Uint8Array | undefined,
  items: readonly FetchItem[],
): Promise<boolean> {
  // Items go into a builder of their own first: a failing one (UNKNOWN-CTE, a message gone)
  // leaves no half response.
  const message = session.builder().raw(`* ${selection.view.seqOf(state.uid)} FETCH (`);
  let first = true;
  try {
    for (const item of items) {
      if (!first) message.raw(' ');
      first = false;
      await fetchItem(session, selection, message, state, record, content, item);
    }
  } catch (error) {
    if (isMailStoreError(error, 'expunged')) return false;
    throw error;
  }
  out.append(message.raw(')').crlf());
  return true;
}

async function fetchItem(
  session: SessionContext,
  selection: SelectedMailbox,
  out: ResponseBuilder,
  state: MessageState,
  record: MessageRecord | null,
  content: Uint8Array | undefined,
  item: FetchItem,
): Promise<void> {
  const mailbox = selection.mailbox;
  const read = rangeReader(mailbox, state.uid, content);
  /**
   * A range of the message as a literal: from the bytes at hand, else streamed from the store,
   * opened now, so that a message gone meanwhile is found out before its literal is begun.
   */
  const sendRange = async (start: number, end: number) => {
    if (end <= start) out.literal(new Uint8Array(0));
    else if (content && end <= content.length) out.literal(nulFree(content.subarray(start, end)));
    else {
      const opened = await openedStream(mailbox.read(state.uid, { start, end }));
      out.stream(end - start, () => nulFreeStream(opened));
    }
  };
  switch (item.type) {
    case 'UID':
      out.raw(`UID ${state.uid}`);
      return;
    case 'FLAGS':
      out.raw(`FLAGS ${messageFlags(session, selection, state)}`);
      return;
    case 'MODSEQ':
      out.raw(`MODSEQ (${state.modSeq})`);
      return;
  }
  const message = record!;
  const root = message.summary.body;
  switch (item.type) {
    case 'INTERNALDATE':
      out.raw(
        `INTERNALDATE "${formatImapDate(message.internalDate, message.internalDateZone ?? serverZone(session, message.internalDate))}"`,
      );
      return;
    case 'SAVEDATE':
      out.raw(
        `SAVEDATE "${formatImapDate(message.saveDate, serverZone(session, message.saveDate))}"`,
      );
      return;
    case 'RFC822.SIZE':
      out.raw(`RFC822.SIZE ${message.size}`);
      return;
    case 'ENVELOPE': {
      out.raw('ENVELOPE ');
      const bytes = envelopeBytes(message, session.utf8);
      if (bytes !== null) out.bytes(bytes);
      else out.value(envelopeToImap(message.summary.envelope, { utf8: session.utf8 }));
      return;
    }
    case 'BODY':
    case 'BODYSTRUCTURE':
      out
        .raw(`${item.type} `)
        .value(bodyStructure(root, item.type === 'BODYSTRUCTURE', { utf8: session.utf8 }));
      return;
    case 'EMAILID':
      out.raw(`EMAILID (${message.emailId})`);
      return;
    case 'THREADID':
      out.raw(`THREADID (${threadIdOf(message)})`);
      return;
    case 'RFC822':
    case 'RFC822.HEADER':
    case 'RFC822.TEXT': {
      const text =
        item.type === 'RFC822' ? undefined : item.type === 'RFC822.HEADER' ? 'HEADER' : 'TEXT';
      const range = sectionBytes(root, { part: [], ...(text ? { text } : {}) })!;
      out.raw(`${item.type} `);
      await sendRange(range.start, range.end);
      if (item.type === 'RFC822') countMessage(session);
      return;
    }
    case 'BODY[]': {
      const { section, partial } = item;
      out.raw(`BODY${sectionLabel(section)}${partial ? `<${partial.start}>` : ''} `);
      const range = sectionBytes(root, section);
      if (!range) {
        out.literal(new Uint8Array(0));
        return;
      }
      if (section.text === 'HEADER.FIELDS' || section.text === 'HEADER.FIELDS.NOT') {
        const header = await read(range);
        const fields = filterHeaderFields(
          header,
          section.fields ?? [],
          section.text === 'HEADER.FIELDS.NOT',
        );
        out.literal(nulFree(applyPartial(fields, partial)));
        return;
      }
      let start = range.start;
      let end = range.end;
      if (partial) {
        start = Math.min(end, start + partial.start);
        end = Math.min(end, start + partial.length);
      }
      await sendRange(start, end);
      if (sendsWholeMessage(item)) countMessage(session);
      return;
    }
    case 'BINARY[]':
    case 'BINARY.SIZE': {
      const binary = await binaryContent(read, root, item.part);
      if (binary.type === 'unknown-encoding')
        refuse('NO', 'Unknown Content-Transfer-Encoding', 'UNKNOWN-CTE');
      const bytes = binary.type === 'content' ? binary.bytes : new Uint8Array(0);
      const decoded = binary.type === 'content' && binary.decoded;
      const label = `[${item.part.join('.')}]`;
      if (item.type === 'BINARY.SIZE') {
        out.raw(`BINARY.SIZE${label} ${bytes.length}`);
        return;
      }
      const sent = applyPartial(bytes, item.partial);
      out.raw(`BINARY${label}${item.partial ? `<${item.partial.start}>` : ''} `);
      // A literal8 where an encoding was undone (the octets may be anything) or NUL is among
      // them, as Dovecot sends it.
      out.literal(sent, decoded || sent.includes(0));
      if (sendsWholeMessage(item)) countMessage(session);
      return;
    }
  }
}

/**
 * ENVELOPE text, serialized once per summary and dialect: clients fetch envelopes of the same
 * messages again and again, and the record cache hands out the same summary objects. Held
 * weakly, so it goes with the summary. Null when the envelope needs a literal.
 */
const envelopes = new WeakMap<object, { ascii?: Uint8Array | null; utf8?: Uint8Array | null }>();

function envelopeBytes(record: MessageRecord, utf8: boolean): Uint8Array | null {
  let memo = envelopes.get(record.summary);
  if (!memo) envelopes.set(record.summary, (memo = {}));
  const key = utf8 ? 'utf8' : 'ascii';
  if (memo[key] === undefined)
    memo[key] = valueBytes(envelopeToImap(record.summary.envelope, { utf8 }), { utf8 });
  return memo[key] ?? null;
}

/** A stream whose first chunk has been read: a read that fails at once fails here. */
async function openedStream(source: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  })();
}

/** The server's zone at a moment (the session's option, else the process's local zone). */
function serverZone(session: SessionContext, time: number): number {
  return session.options.timeZoneOffset?.(time) ?? -new Date(time).getTimezoneOffset();
}

function applyPartial(
  bytes: Uint8Array,
  partial: { start: number; length: number } | undefined,
): Uint8Array {
  if (!partial) return bytes;
  const start = Math.min(bytes.length, partial.start);
  return bytes.subarray(start, Math.min(bytes.length, start + partial.length));
}

function countMessage(session: SessionContext): void {
  if (session.counters) session.counters.messagesSent++;
}
