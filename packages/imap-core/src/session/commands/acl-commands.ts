import {
  ALL_RIGHTS,
  canonicalRights,
  parseRights,
  unionRights,
  withoutRights,
} from '@mailyard/mailstore-interface';
import type { AclCommand, MailboxCommand, SetAclCommand } from '../../protocol/command.js';
import type { SessionContext } from '../session-context.js';
import { refuse } from '../store-refusal.js';
import { mailboxArgument, requireMailbox } from './mailbox-commands.js';

/** GETACL (RFC 4314 3.3). */
export async function getAcl(session: SessionContext, command: MailboxCommand): Promise<void> {
  const info = await requireMailbox(session, mailboxArgument(session, command.mailbox));
  const entries = await session.access.getAcl(info.name);
  const line = session.builder().raw('* ACL ').astring(session.wireName(info.name));
  for (const entry of entries)
    line.raw(' ').astring(entry.identifier).raw(' ').astring(entry.rights);
  await session.send(line.crlf().finish());
  await session.finish(command, 'OK', 'Getacl completed');
}

/** SETACL (RFC 4314 3.1): rights replaced, or with `+`/`-` added to or taken from the present ones. */
export async function setAcl(session: SessionContext, command: SetAclCommand): Promise<void> {
  const info = await requireMailbox(session, mailboxArgument(session, command.mailbox));
  let rights: string;
  try {
    rights = parseRights(command.rights);
  } catch {
    refuse('BAD', `Invalid rights ${command.rights}`);
  }
  const identifier = command.identifier.toLowerCase();
  if (command.mode !== 'replace') {
    const current =
      (await session.access.getAcl(info.name)).find(
        (e) => e.identifier.toLowerCase() === identifier,
      )?.rights ?? '';
    rights = command.mode === 'add' ? unionRights(current, rights) : withoutRights(current, rights);
  }
  await session.access.setAcl(info.name, identifier, rights);
  await session.finish(command, 'OK', 'Setacl completed');
}

export async function deleteAcl(session: SessionContext, command: AclCommand): Promise<void> {
  const info = await requireMailbox(session, mailboxArgument(session, command.mailbox));
  await session.access.setAcl(info.name, command.identifier.toLowerCase(), '');
  await session.finish(command, 'OK', 'Deleteacl completed');
}

/**
 * LISTRIGHTS (RFC 4314 3.4): the owner always has every right; anyone else may be given each
 * right on its own, none required.
 */
export async function listRights(session: SessionContext, command: AclCommand): Promise<void> {
  const info = await requireMailbox(session, mailboxArgument(session, command.mailbox));
  const entries = await session.access.getAcl(info.name);
  const owner = entries.find((e) => e.rights === ALL_RIGHTS && e.identifier.includes('@'));
  const isOwner =
    owner !== undefined && owner.identifier.toLowerCase() === command.identifier.toLowerCase();
  const line = session
    .builder()
    .raw('* LISTRIGHTS ')
    .astring(session.wireName(info.name))
    .raw(' ')
    .astring(command.identifier)
    .raw(isOwner ? ` ${canonicalRights(ALL_RIGHTS)}` : ` "" ${[...ALL_RIGHTS].join(' ')}`)
    .crlf();
  await session.send(line.finish());
  await session.finish(command, 'OK', 'Listrights completed');
}

export async function myRights(session: SessionContext, command: MailboxCommand): Promise<void> {
  const info = await requireMailbox(session, mailboxArgument(session, command.mailbox));
  const rights = await session.access.myRights(info.name);
  const line = session.builder().raw('* MYRIGHTS ').astring(session.wireName(info.name)).raw(' ');
  if (rights === '') line.string('');
  else line.astring(rights);
  line.crlf();
  await session.send(line.finish());
  await session.finish(command, 'OK', 'Myrights completed');
}
