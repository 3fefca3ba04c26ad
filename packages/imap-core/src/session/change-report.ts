import type { MessageState } from '@mailyard/mailstore-interface';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import { SYSTEM_FLAG_LIST, flagList, messageFlagList, permanentFlags } from './flag-lists.js';
import type { SelectedMailbox } from './selected-mailbox.js';
import type { SessionContext } from './session-context.js';

/**
 * Tells the client what changed in its mailbox (RFC 9051 7.5.1, 7.4.1): new keywords (FLAGS),
 * expunges (EXPUNGE, or VANISHED under QRESYNC, RFC 7162 3.2.10), new messages (EXISTS, and
 * RECENT in IMAP4rev1), and flag changes (FETCH, with UID under QRESYNC and MODSEQ under
 * CONDSTORE).
 */
export async function reportMailboxChanges(
  session: SessionContext,
  selection: SelectedMailbox,
  includeExpunges: boolean,
): Promise<void> {
  const changes = selection.takeChanges(includeExpunges);
  const flagChanges: MessageState[] = [...changes.flags];
  if (changes.rescanSince !== null) {
    const since = changes.rescanSince;
    const known = new Set(flagChanges.map((state) => state.uid));
    for (const state of await selection.mailbox.messages()) {
      if (state.modSeq > since && selection.isLive(state.uid) && !known.has(state.uid))
        flagChanges.push(state);
    }
    for (const state of flagChanges)
      selection.highestModSeq = Math.max(selection.highestModSeq, state.modSeq);
  }
  const lines: string[] = [];
  // Keywords first: whatever the FETCH responses below show, FLAGS has listed.
  const rescannedKeywords = selection.adoptKeywords(flagChanges);
  if (changes.newKeywords.length > 0 || rescannedKeywords)
    lines.push(...flagsAnnouncement(selection));
  if (changes.expunged.length > 0) {
    if (session.qresync) {
      const uids = changes.expunged.map((e) => e.uid).sort((a, b) => a - b);
      lines.push(`* VANISHED ${formatSequenceSet(uids)}`);
    } else {
      for (const { seq } of changes.expunged) lines.push(`* ${seq} EXPUNGE`);
    }
  }
  if (changes.exists !== null) {
    lines.push(`* ${changes.exists} EXISTS`);
    if (!session.rev2) {
      if (!selection.readOnly) {
        for (const uid of selection.mailbox.claimRecent(changes.added)) selection.recent.add(uid);
      }
      lines.push(`* ${selection.recent.size} RECENT`);
    }
  } else if (changes.recentRemoved && !session.rev2) {
    lines.push(`* ${selection.recent.size} RECENT`);
  }
  const added = new Set(changes.added);
  for (const state of flagChanges) {
    if (added.has(state.uid)) continue;
    const seq = selection.view.seqOf(state.uid);
    if (seq === 0) continue;
    lines.push(`* ${seq} FETCH (${unsolicitedFlags(session, selection, state)})`);
  }
  if (lines.length > 0) await session.sendLine(lines.join('\r\n'));
}

/** FLAGS and PERMANENTFLAGS with every keyword the client knows of (RFC 9051 7.3.5, 7.1). */
function flagsAnnouncement(selection: SelectedMailbox): string[] {
  return [
    `* FLAGS ${flagList([...SYSTEM_FLAG_LIST, ...selection.keywords])}`,
    selection.readOnly
      ? '* OK [PERMANENTFLAGS ()] Read-only mailbox.'
      : `* OK [PERMANENTFLAGS ${permanentFlags(selection.mailbox.rights, selection.keywords)}] Flags permitted.`,
  ];
}

/**
 * Announces the keywords of messages about to be shown that the client has not been told of
 * yet: another session may have set one a moment ago, and its news has not been reported.
 */
export async function announceKeywords(
  session: SessionContext,
  selection: SelectedMailbox,
  messages: Iterable<Pick<MessageState, 'flags'>>,
): Promise<void> {
  if (selection.adoptKeywords(messages))
    await session.sendLine(flagsAnnouncement(selection).join('\r\n'));
}

/** The data of an unsolicited FETCH: FLAGS, and UID and MODSEQ where the session asked for them. */
export function unsolicitedFlags(
  session: SessionContext,
  selection: SelectedMailbox,
  state: MessageState,
): string {
  let text = `FLAGS ${messageFlags(session, selection, state)}`;
  if (session.qresync) text += ` UID ${state.uid}`;
  if (session.condstore) text += ` MODSEQ (${state.modSeq})`;
  return text;
}

/** A message's flags as the session shows them: `\Recent` added in IMAP4rev1 where it applies. */
export function messageFlags(
  session: SessionContext,
  selection: SelectedMailbox,
  state: Pick<MessageState, 'uid' | 'flags'>,
): string {
  const recent = !session.rev2 && selection.recent.has(state.uid);
  return messageFlagList(recent ? [...state.flags, '\\Recent'] : state.flags);
}
