import type { MailboxInfo, SpecialUse } from '@mailyard/mailstore-interface';
import type {
  CreateCommand,
  MailboxCommand,
  RenameCommand,
  StatusCommand,
  StatusItem,
} from '../../protocol/command.js';
import { IMAP_DELIMITER, canonicalInbox } from '../mailbox-names.js';
import type { SessionContext } from '../session-context.js';
import { refuse } from '../store-refusal.js';

const SPECIAL_USES: ReadonlyMap<string, SpecialUse> = new Map(
  (['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive'] as const).map((u) => [
    u.toLowerCase(),
    u,
  ]),
);

/** A mailbox argument as a store name: decoded, without the trailing delimiter RFC 9051 6.3.4 allows. */
export function mailboxArgument(session: SessionContext, wire: string): string {
  let name = session.storeName(wire);
  while (name.length > 1 && name.endsWith(IMAP_DELIMITER)) name = name.slice(0, -1);
  return canonicalInbox(name);
}

/** A mailbox the user sees, or NO [NONEXISTENT] (also for folders IMAP does not show). */
export async function requireMailbox(session: SessionContext, name: string): Promise<MailboxInfo> {
  const info = await session.mailboxInfo(name);
  if (!info) refuse('NO', 'Mailbox does not exist', 'NONEXISTENT');
  return info;
}

/** RFC 9051 6.3.4, with CREATE-SPECIAL-USE (RFC 6154) and MAILBOXID (RFC 8474). */
export async function create(session: SessionContext, command: CreateCommand): Promise<void> {
  const name = mailboxArgument(session, command.mailbox);
  if (name === 'INBOX') refuse('NO', 'INBOX always exists', 'ALREADYEXISTS');
  if (command.specialUse.length > 1) refuse('NO', 'One special use per mailbox', 'USEATTR');
  let specialUse: SpecialUse | undefined;
  if (command.specialUse.length === 1) {
    specialUse = SPECIAL_USES.get(command.specialUse[0]!.toLowerCase());
    if (!specialUse) refuse('NO', `Unsupported special use ${command.specialUse[0]}`, 'USEATTR');
  }
  const info = await session.access.create(name, specialUse ? { specialUse } : {});
  await session.finish(command, 'OK', 'Create completed', `MAILBOXID (${info.id})`);
}

export async function deleteMailbox(
  session: SessionContext,
  command: MailboxCommand,
): Promise<void> {
  const name = mailboxArgument(session, command.mailbox);
  if (name === 'INBOX') refuse('NO', 'INBOX cannot be deleted', 'CANNOT');
  const info = await requireMailbox(session, name);
  if (info.hasChildren) refuse('NO', 'Mailbox has children, delete them first', 'HASCHILDREN');
  await session.access.delete(info.name);
  await session.finish(command, 'OK', 'Delete completed');
}

export async function rename(session: SessionContext, command: RenameCommand): Promise<void> {
  const from = mailboxArgument(session, command.from);
  const to = mailboxArgument(session, command.to);
  const info = await requireMailbox(session, from);
  // Whether `to` is taken, the store decides under its lock (another session may have just
  // freed or taken the name).
  await session.access.rename(info.name, to);
  await session.finish(command, 'OK', 'Rename completed');
}

/** SUBSCRIBE and UNSUBSCRIBE: any name may be subscribed, existing or not (RFC 9051 6.3.7). */
export async function subscription(
  session: SessionContext,
  command: MailboxCommand,
): Promise<void> {
  const name = mailboxArgument(session, command.mailbox);
  // Any name, as Dovecot does (RFC 9051 lets a server check that the mailbox exists).
  if (command.name === 'SUBSCRIBE') {
    await session.access.subscribe(name);
  } else {
    await session.access.unsubscribe(name);
  }
  await session.finish(
    command,
    'OK',
    `${command.name === 'SUBSCRIBE' ? 'Subscribe' : 'Unsubscribe'} completed`,
  );
}

/** The status items of a mailbox, as STATUS and LIST-STATUS report them. */
export async function statusItems(
  session: SessionContext,
  info: MailboxInfo,
  items: readonly StatusItem[],
): Promise<string> {
  const status = await session.access.status(info.name);
  const out: string[] = [];
  for (const item of new Set(items)) {
    switch (item) {
      case 'MESSAGES':
        out.push(`MESSAGES ${status.messages}`);
        break;
      case 'RECENT':
        out.push(`RECENT ${status.recent}`);
        break;
      case 'UIDNEXT':
        out.push(`UIDNEXT ${status.uidNext}`);
        break;
      case 'UIDVALIDITY':
        out.push(`UIDVALIDITY ${status.uidValidity}`);
        break;
      case 'UNSEEN':
        out.push(`UNSEEN ${status.unseen}`);
        break;
      case 'DELETED':
        out.push(`DELETED ${status.deleted}`);
        break;
      case 'SIZE':
        out.push(`SIZE ${status.size}`);
        break;
      case 'HIGHESTMODSEQ':
        out.push(`HIGHESTMODSEQ ${status.highestModSeq}`);
        break;
      case 'APPENDLIMIT':
        out.push(`APPENDLIMIT ${session.limits.appendLimit}`);
        break;
      case 'MAILBOXID':
        out.push(`MAILBOXID (${info.id})`);
        break;
    }
  }
  return `(${out.join(' ')})`;
}

/** RFC 9051 6.3.11, with STATUS=SIZE (RFC 8438), CONDSTORE, APPENDLIMIT and OBJECTID items. */
export async function status(session: SessionContext, command: StatusCommand): Promise<void> {
  const name = mailboxArgument(session, command.mailbox);
  const info = await requireMailbox(session, name);
  if (command.items.includes('HIGHESTMODSEQ')) await session.useCondstore();
  const items = await statusItems(session, info, command.items);
  const line = session
    .builder()
    .raw('* STATUS ')
    .astring(session.wireName(info.name))
    .raw(` ${items}`)
    .crlf();
  await session.send(line.finish());
  // RFC 9051 6.3.11: a client should not ask STATUS of the selected mailbox; Dovecot says so.
  const selectedOne = session.selected?.mailbox.name === info.name;
  await session.finish(
    command,
    'OK',
    selectedOne ? 'Status on selected mailbox completed' : 'Status completed',
    selectedOne ? 'CLIENTBUG' : null,
  );
}
