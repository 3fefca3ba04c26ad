import type { CopyResult } from '@mailyard/mailstore-interface';
import type { CopyCommand, ExpungeCommand } from '../../protocol/command.js';
import { formatSequenceSet } from '../../protocol/sequence-set.js';
import type { SessionContext } from '../session-context.js';
import { refuse, storeRefusal } from '../store-refusal.js';
import { mailboxArgument } from './mailbox-commands.js';
import { resolveSequence } from './select-commands.js';

/**
 * COPY and MOVE with their UID forms (RFC 9051 6.4.7, RFC 6851), answering COPYUID (RFC 4315).
 * MOVE reports COPYUID in an untagged OK before the expunges, as RFC 6851 3.3 asks.
 */
export async function copyOrMove(session: SessionContext, command: CopyCommand): Promise<void> {
  const selection = session.selected!;
  const move = command.name === 'MOVE';
  if (move && selection.readOnly) refuse('NO', 'Mailbox is read-only');
  const destination = mailboxArgument(session, command.mailbox);
  const target = await session.mailboxInfo(destination);
  if (!target) refuse('NO', 'Mailbox does not exist', 'TRYCREATE');
  const uids = resolveSequence(selection, command.sequence, command.uid, true).filter((uid) =>
    selection.isLive(uid),
  );
  if (uids.length === 0) {
    await session.finish(command, 'OK', `No messages to ${move ? 'move' : 'copy'}`);
    return;
  }
  let result: CopyResult;
  try {
    result = move
      ? await selection.mailbox.move(uids, target.name)
      : await selection.mailbox.copy(uids, target.name);
  } catch (error) {
    const refusal = storeRefusal(error, true);
    if (!refusal) throw error;
    refuse(refusal.status, refusal.text, refusal.code);
  }
  await trainSpam(session, selection.mailbox.name, target.name, result);
  const copyUid =
    result.sourceUids.length > 0
      ? `COPYUID ${result.uidValidity} ${formatSequenceSet(result.sourceUids)} ${formatSequenceSet(result.destinationUids)}`
      : null;
  if (move) {
    if (copyUid) await session.sendLine(`* OK [${copyUid}] Moved`);
    await session.finish(command, 'OK', 'Move completed');
  } else {
    await session.finish(command, 'OK', 'Copy completed', copyUid);
  }
}

/** Kerio's Bayes training: into Junk E-mail is spam, out of it (but to the trash) is ham. */
async function trainSpam(
  session: SessionContext,
  source: string,
  destination: string,
  result: CopyResult,
): Promise<void> {
  const hook = session.options.onSpamTraining;
  if (!hook || result.destinationUids.length === 0) return;
  const from = (await session.mailboxInfo(source))?.specialUse ?? null;
  const to = (await session.mailboxInfo(destination))?.specialUse ?? null;
  let verdict: 'spam' | 'ham' | null = null;
  if (to === '\\Junk' && from !== '\\Junk') verdict = 'spam';
  else if (from === '\\Junk' && to !== '\\Junk' && to !== '\\Trash') verdict = 'ham';
  if (!verdict) return;
  try {
    hook({
      user: session.user!,
      verdict,
      source,
      destination,
      destinationUids: result.destinationUids,
      uidValidity: result.uidValidity,
    });
  } catch (error) {
    session.logger.warn('imap: spam training hook failed', { error: String(error) });
  }
}

/** EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3, RFC 4315 2.1). */
export async function expunge(session: SessionContext, command: ExpungeCommand): Promise<void> {
  const selection = session.selected!;
  if (selection.readOnly) refuse('NO', 'Mailbox is read-only');
  const uids = command.uids ? resolveSequence(selection, command.uids, true) : undefined;
  if (!uids || uids.length > 0) await selection.mailbox.expunge(uids);
  const code = session.condstore
    ? `HIGHESTMODSEQ ${(await selection.mailbox.status()).highestModSeq}`
    : null;
  await session.finish(command, 'OK', 'Expunge completed', code);
}
