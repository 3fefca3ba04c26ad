import type { QuotaReport } from '@mailyard/mailstore-interface';
import type { GetQuotaCommand, MailboxCommand, SetQuotaCommand } from '../../protocol/command.js';
import type { SessionContext } from '../session-context.js';
import { refuse } from '../store-refusal.js';
import { mailboxArgument, requireMailbox } from './mailbox-commands.js';

/**
 * The QUOTA resources (RFC 9208 5): STORAGE in units of 1024 octets, MESSAGE in messages. A
 * resource without a limit is not listed.
 */
function quotaResources(report: QuotaReport): string {
  const resources: string[] = [];
  if (report.limits.storage > 0) {
    resources.push(
      `STORAGE ${Math.floor(report.usage.storage / 1024)} ${Math.floor(report.limits.storage / 1024)}`,
    );
  }
  if (report.limits.messages > 0) {
    resources.push(`MESSAGE ${report.usage.messages} ${report.limits.messages}`);
  }
  return `(${resources.join(' ')})`;
}

function quotaLine(session: SessionContext, report: QuotaReport): string {
  const builder = session
    .builder()
    .raw('* QUOTA ')
    .string(report.root)
    .raw(` ${quotaResources(report)}`);
  return Buffer.concat(builder.finish() as Uint8Array[]).toString('utf8');
}

/** GETQUOTAROOT (RFC 9208 4.3.2): the user's own mailboxes have the user as their root. */
export async function getQuotaRoot(
  session: SessionContext,
  command: MailboxCommand,
): Promise<void> {
  const name = mailboxArgument(session, command.mailbox);
  const info = await requireMailbox(session, name);
  const wire = session.builder().raw('* QUOTAROOT ').astring(session.wireName(info.name));
  if (info.namespace === 'personal') {
    const report = await session.access.quota();
    wire.raw(' ').string(report.root).crlf();
    await session.send(wire.finish());
    await session.sendLine(quotaLine(session, report));
  } else {
    await session.send(wire.crlf().finish());
  }
  await session.finish(command, 'OK', 'Getquotaroot completed');
}

export async function getQuota(session: SessionContext, command: GetQuotaCommand): Promise<void> {
  const report = await session.access.quota();
  if (command.root !== report.root) refuse('NO', 'No such quota root', 'NONEXISTENT');
  await session.sendLine(quotaLine(session, report));
  await session.finish(command, 'OK', 'Getquota completed');
}

/** SETQUOTA (RFC 9208 4.1.3): only through the application's setter, for the user's own root. */
export async function setQuota(session: SessionContext, command: SetQuotaCommand): Promise<void> {
  const setter = session.options.setQuota;
  if (!setter) refuse('NO', 'Quotas cannot be changed here', 'NOPERM');
  const report = await session.access.quota();
  if (command.root !== report.root) refuse('NO', 'No such quota root', 'NONEXISTENT');
  const limits: { storage?: number; messages?: number } = {};
  for (const { name, limit } of command.resources) {
    if (name === 'STORAGE') limits.storage = limit * 1024;
    else if (name === 'MESSAGE') limits.messages = limit;
    else refuse('NO', `Unsupported resource ${name}`, 'LIMIT');
  }
  await setter(session.user!, report.root, limits);
  await session.sendLine(quotaLine(session, await session.access.quota()));
  await session.finish(command, 'OK', 'Setquota completed');
}
