import { hasFlag, hasRight } from '@mailyard/mailstore-interface';
import type { SelectCommand, SimpleCommand } from '../../protocol/command.js';
import { quote } from '../../protocol/response-builder.js';
import {
  type SequenceSet,
  formatSequenceSet,
  rangesContain,
  resolveRanges,
} from '../../protocol/sequence-set.js';
import { announceKeywords, messageFlags } from '../change-report.js';
import { SYSTEM_FLAG_LIST, flagList, permanentFlags } from '../flag-lists.js';
import { IMAP_DELIMITER } from '../mailbox-names.js';
import { SelectedMailbox } from '../selected-mailbox.js';
import type { SessionContext } from '../session-context.js';
import { refuse } from '../store-refusal.js';
import { mailboxArgument, requireMailbox } from './mailbox-commands.js';

/**
 * SELECT and EXAMINE (RFC 9051 6.3.2, 6.3.3; RFC 3501 for IMAP4rev1's RECENT and UNSEEN), with
 * CONDSTORE's HIGHESTMODSEQ, QRESYNC's resynchronisation (RFC 7162 3.2.5) and OBJECTID's
 * MAILBOXID. A selected mailbox is closed first, even when the new one cannot be opened.
 */
export async function select(session: SessionContext, command: SelectCommand): Promise<void> {
  const readOnly = command.name === 'EXAMINE';
  if (command.qresync && !session.qresync) refuse('BAD', 'QRESYNC is not enabled');
  const name = mailboxArgument(session, command.mailbox);
  if (session.deselect()) await session.sendLine('* OK [CLOSED] Previous mailbox closed.');
  if (command.condstore) await session.useCondstore();
  const info = await requireMailbox(session, name);
  const opened = await session.access.open(info.name, { readOnly });
  const selection = await SelectedMailbox.open(opened, session.limits.maxPendingFlagChanges);
  const status = await opened.status();
  session.select(selection);

  const rev1 = !session.rev2;
  if (rev1 && !opened.readOnly) {
    for (const uid of opened.claimRecent()) selection.recent.add(uid);
  } else if (rev1) {
    // EXAMINE claims nothing (RFC 3501 6.3.2) but shows what is recent: the newest, unclaimed.
    const uids = [...selection.view];
    for (const uid of uids.slice(Math.max(0, uids.length - status.recent)))
      selection.recent.add(uid);
  }
  const lines = [
    `* FLAGS ${flagList([...SYSTEM_FLAG_LIST, ...selection.keywords])}`,
    opened.readOnly
      ? '* OK [PERMANENTFLAGS ()] Read-only mailbox.'
      : `* OK [PERMANENTFLAGS ${permanentFlags(opened.rights, selection.keywords)}] Flags permitted.`,
    `* ${selection.view.count} EXISTS`,
  ];
  if (rev1) {
    lines.push(`* ${selection.recent.size} RECENT`);
    const firstUnseen = status.unseen > 0 ? await firstUnseenSeq(selection) : 0;
    if (firstUnseen > 0) lines.push(`* OK [UNSEEN ${firstUnseen}] First unseen.`);
  }
  lines.push(`* OK [UIDVALIDITY ${opened.uidValidity}] UIDs valid`);
  lines.push(`* OK [UIDNEXT ${status.uidNext}] Predicted next UID`);
  if (session.condstore) lines.push(`* OK [HIGHESTMODSEQ ${selection.highestModSeq}] Highest`);
  lines.push(`* OK [MAILBOXID (${opened.id})] Ok`);
  await session.sendLine(lines.join('\r\n'));
  if (!rev1) {
    // RFC 9051 6.3.2: a LIST response with the mailbox name and its attributes.
    const attributes = [info.hasChildren ? '\\HasChildren' : '\\HasNoChildren'];
    if (info.specialUse) attributes.push(info.specialUse);
    const line = session
      .builder()
      .raw(`* LIST (${attributes.join(' ')}) ${quote(IMAP_DELIMITER)} `)
      .astring(session.wireName(info.name))
      .crlf();
    await session.send(line.finish());
  }
  if (command.qresync && command.qresync.uidValidity === opened.uidValidity) {
    await resynchronize(session, selection, command.qresync.modSeq, command.qresync.knownUids);
  }
  const writable = !opened.readOnly && [...'swtei'].some((right) => hasRight(opened.rights, right));
  await session.finish(
    command,
    'OK',
    `${readOnly ? 'Examine' : 'Select'} completed`,
    writable ? 'READ-WRITE' : 'READ-ONLY',
  );
}

/** RFC 7162 3.2.5.1: what vanished and what changed since the client's mod-sequence. */
async function resynchronize(
  session: SessionContext,
  selection: SelectedMailbox,
  since: number,
  knownUids: SequenceSet | undefined,
): Promise<void> {
  const largest = (await selection.mailbox.status()).uidNext - 1;
  const known =
    knownUids?.type === 'ranges'
      ? (uid: number) => rangesContain(knownUids.ranges, uid, largest)
      : () => true;
  const vanished = (await selection.mailbox.vanishedSince(since)).filter(known);
  const lines: string[] = [];
  if (vanished.length > 0) lines.push(`* VANISHED (EARLIER) ${formatSequenceSet(vanished)}`);
  const changed = (await selection.mailbox.messages()).filter(
    (state) => state.modSeq > since && selection.view.has(state.uid),
  );
  await announceKeywords(session, selection, changed);
  for (const state of changed) {
    const seq = selection.view.seqOf(state.uid);
    lines.push(
      `* ${seq} FETCH (UID ${state.uid} FLAGS ${messageFlags(session, selection, state)} MODSEQ (${state.modSeq}))`,
    );
  }
  if (lines.length > 0) await session.sendLine(lines.join('\r\n'));
}

async function firstUnseenSeq(selection: SelectedMailbox): Promise<number> {
  for (const state of await selection.mailbox.messages()) {
    if (!hasFlag(state.flags, '\\Seen') && selection.view.has(state.uid))
      return selection.view.seqOf(state.uid);
  }
  return 0;
}

/** CLOSE (RFC 9051 6.4.1): expunges silently when writable, then deselects. */
export async function close(session: SessionContext, command: SimpleCommand): Promise<void> {
  const selection = session.selected!;
  if (!selection.readOnly && hasRight(selection.mailbox.rights, 'e')) {
    try {
      await selection.mailbox.expunge();
    } catch (error) {
      session.logger.warn('imap: CLOSE could not expunge', { error: String(error) });
    }
  }
  session.deselect();
  await session.finish(command, 'OK', 'Close completed');
}

/** UNSELECT (RFC 3691): deselects without expunging. */
export async function unselect(session: SessionContext, command: SimpleCommand): Promise<void> {
  session.deselect();
  await session.finish(command, 'OK', 'Unselect completed');
}

/**
 * Resolves a sequence set of message numbers or UIDs against the client's view, as UIDs. With
 * `strict`, message numbers beyond the mailbox (or `*` in an empty one) are BAD, as Dovecot has
 * them for FETCH, STORE and COPY (RFC 9051 9: a seq-number beyond the count is an error);
 * SEARCH just matches nothing for them.
 */
export function resolveSequence(
  selection: SelectedMailbox,
  set: SequenceSet,
  uid: boolean,
  strict = false,
): number[] {
  if (set.type === 'saved') return selection.savedSearch.filter((u) => selection.view.has(u));
  const view = selection.view;
  if (strict && !uid) {
    const beyond = set.ranges.some(({ start, end }) =>
      [start, end].some((n) => (n === '*' ? view.count === 0 : n > view.count)),
    );
    if (beyond) refuse('BAD', 'Invalid messageset');
  }
  if (uid) {
    // `*` is the largest UID in use; with none, `*` means UIDNEXT-ish nothing: RFC 9051 6.4.9.
    return resolveRanges(set.ranges, Math.max(view.lastUid, 0), (low, high) =>
      view.uidsBetween(low, high),
    );
  }
  return resolveRanges(set.ranges, view.count, function* (low, high) {
    for (let seq = low; seq <= Math.min(high, view.count); seq++) yield view.uidAt(seq);
  });
}
