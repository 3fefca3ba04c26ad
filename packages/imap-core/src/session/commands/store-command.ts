import type { MessageState } from '@mailyard/mailstore-interface';
import type { StoreCommand } from '../../protocol/command.js';
import { formatSequenceSet } from '../../protocol/sequence-set.js';
import { messageFlags } from '../change-report.js';
import type { SessionContext } from '../session-context.js';
import { resolveSequence } from './select-commands.js';

/**
 * STORE and UID STORE (RFC 9051 6.4.6), with CONDSTORE's UNCHANGEDSINCE and MODIFIED (RFC 7162
 * 3.1.3). Without .SILENT, the messages whose flags changed are answered with their flags, as
 * Dovecot answers; with .SILENT under CONDSTORE, with their new MODSEQ alone.
 */
export async function store(session: SessionContext, command: StoreCommand): Promise<void> {
  const selection = session.selected!;
  if (command.unchangedSince !== undefined) await session.useCondstore();
  if (selection.readOnly) {
    // As Dovecot answers it: nothing changes, and the command is not an error.
    await session.finish(command, 'OK', 'Store ignored with read-only mailbox');
    return;
  }
  const uids = resolveSequence(selection, command.sequence, command.uid, true).filter((uid) =>
    selection.isLive(uid),
  );
  const result = await selection.mailbox.updateFlags(uids, {
    operation: command.operation,
    flags: command.flags,
    ...(command.unchangedSince !== undefined ? { unchangedSince: command.unchangedSince } : {}),
  });
  selection.acknowledge(result.updated);
  const modified = new Set(result.modified);
  const lines: string[] = [];
  const describe = (state: MessageState, withFlags: boolean) => {
    const data: string[] = [];
    if (command.uid) data.push(`UID ${state.uid}`);
    if (withFlags) data.push(`FLAGS ${messageFlags(session, selection, state)}`);
    if (session.condstore) data.push(`MODSEQ (${state.modSeq})`);
    return `* ${selection.view.seqOf(state.uid)} FETCH (${data.join(' ')})`;
  };
  // New keywords first: the client learns them from FLAGS before it sees them on a message.
  await session.reportChanges(command.uid);
  if (!command.silent || session.condstore) {
    for (const state of result.updated) lines.push(describe(state, !command.silent));
  }
  if (lines.length > 0) await session.sendLine(lines.join('\r\n'));
  if (modified.size > 0) {
    const numbers = [...modified]
      .map((uid) => (command.uid ? uid : selection.view.seqOf(uid)))
      .sort((a, b) => a - b);
    await session.finish(
      command,
      'OK',
      'Conditional STORE failed',
      `MODIFIED ${formatSequenceSet(numbers)}`,
    );
    return;
  }
  await session.finish(command, 'OK', 'Store completed');
}
