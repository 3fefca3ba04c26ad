import type { AppendInput } from '@mailyard/mailstore-interface';
import type { AppendCommand } from '../../protocol/command.js';
import { formatSequenceSet } from '../../protocol/sequence-set.js';
import type { SessionContext } from '../session-context.js';
import { refuse, storeRefusal } from '../store-refusal.js';
import { mailboxArgument } from './mailbox-commands.js';

/**
 * APPEND (RFC 9051 6.3.12) with MULTIAPPEND (RFC 3502), BINARY's literal8 (RFC 3516), UTF8=ACCEPT's
 * `UTF8 (...)` (RFC 6855) and UIDPLUS's APPENDUID (RFC 4315). OK only once the store has the
 * messages durably: the store's append resolves after they are.
 */
export async function append(session: SessionContext, command: AppendCommand): Promise<void> {
  const name = mailboxArgument(session, command.mailbox);
  const target = await session.mailboxInfo(name);
  if (!target) refuse('NO', 'Mailbox does not exist', 'TRYCREATE');
  for (const message of command.messages) {
    if (message.content.length === 0) refuse('NO', "Can't save a zero byte message");
    if (message.content.length > session.limits.appendLimit)
      refuse('NO', 'Message too big', 'TOOBIG');
  }
  const inputs: AppendInput[] = command.messages.map((message) => ({
    content: message.content,
    flags: message.flags,
    ...(message.internalDate !== undefined
      ? { internalDate: message.internalDate, internalDateZone: message.internalDateZone }
      : {}),
  }));
  let results;
  try {
    results = await session.access.append(target.name, inputs);
  } catch (error) {
    const refusal = storeRefusal(error, true);
    if (!refusal) throw error;
    refuse(refusal.status, refusal.text, refusal.code);
  }
  const first = results[0];
  const code = first
    ? `APPENDUID ${first.uidValidity} ${formatSequenceSet(results.map((r) => r.uid))}`
    : null;
  await session.finish(command, 'OK', 'Append completed', code);
}
