import type { MailboxInfo } from '@mailyard/mailstore-interface';
import type { ListCommand, LsubCommand } from '../../protocol/command.js';
import { quote } from '../../protocol/response-builder.js';
import {
  IMAP_DELIMITER,
  canonicalInbox,
  joinReference,
  listMatcher,
  nameFromWire,
  namespaceRoot,
  parentsOf,
} from '../mailbox-names.js';
import type { SessionContext } from '../session-context.js';
import { statusItems } from './mailbox-commands.js';

/** One line of a LIST answer before it is written. */
interface ListEntry {
  readonly name: string;
  readonly info: MailboxInfo | null;
  readonly attributes: string[];
  readonly childInfo: boolean;
}

const DELIMITER = quote(IMAP_DELIMITER);

/**
 * LIST (RFC 9051 6.3.9) with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE
 * (RFC 6154) and CHILDREN (RFC 3348). Names the user cannot see a mailbox at, but which have
 * visible mailboxes below them (the `~user@domain` and `#public` roots, a shared folder's unshared
 * parent), are listed `\Noselect`, as Dovecot lists its namespace prefixes.
 */
export async function list(session: SessionContext, command: ListCommand): Promise<void> {
  const reference = session.storeName(command.reference);
  if (!command.extended && command.patterns.length === 1 && command.patterns[0] === '') {
    const root = namespaceRoot(reference);
    const line = session
      .builder()
      .raw(`* LIST (\\Noselect) ${DELIMITER} `)
      .string(session.wireName(root))
      .crlf();
    await session.send(line.finish());
    await session.finish(command, 'OK', 'List completed');
    return;
  }
  const { selection, returns } = command;
  // A pattern that is not valid modified UTF-7 names no mailbox: it matches nothing (Dovecot).
  const matchers = command.patterns.map((pattern) => {
    const name = nameFromWire(pattern, session.utf8);
    return name === null ? () => false : listMatcher(joinReference(reference, name));
  });
  const matches = (name: string) => matchers.some((m) => m(name));
  const mailboxes = await session.mailboxes();
  const byName = new Map(mailboxes.map((info) => [info.name, info]));
  const wantSubscribed = selection.subscribed || returns.subscribed;
  const subscribed = new Set(
    wantSubscribed ? (await session.access.subscriptions()).map(canonicalInbox) : [],
  );

  // Every name there is: the mailboxes and the names above them that are not mailboxes.
  const allNames = new Set(byName.keys());
  for (const info of mailboxes) for (const parent of parentsOf(info.name)) allNames.add(parent);
  if (selection.subscribed) for (const name of subscribed) allNames.add(name);
  const hasChildren = new Set<string>();
  for (const name of byName.keys()) for (const parent of parentsOf(name)) hasChildren.add(parent);

  const entries: ListEntry[] = [];
  const childInfoFor = new Set<string>();
  const selected = (name: string): boolean => {
    const info = byName.get(name) ?? null;
    if (selection.subscribed && !subscribed.has(name)) return false;
    if (selection.specialUse && !info?.specialUse) return false;
    return true;
  };
  if (selection.recursiveMatch) {
    // RFC 5258 3.5: a name that does not meet the selection but has a descendant that does and
    // that no pattern matches; a descendant that is listed itself needs no CHILDINFO.
    for (const name of allNames) {
      if (!selected(name) || matches(name)) continue;
      for (const parent of parentsOf(name)) if (!selected(parent)) childInfoFor.add(parent);
    }
  }
  for (const name of allNames) {
    if (!matches(name)) continue;
    const filtered = selection.subscribed || selection.specialUse;
    if (filtered && !selected(name) && !childInfoFor.has(name)) continue;
    const info = byName.get(name) ?? null;
    const attributes: string[] = [];
    if (!info)
      attributes.push(
        subscribed.has(name) && !hasChildren.has(name) ? '\\NonExistent' : '\\Noselect',
      );
    attributes.push(hasChildren.has(name) ? '\\HasChildren' : '\\HasNoChildren');
    if (wantSubscribed && subscribed.has(name)) attributes.push('\\Subscribed');
    if (info?.specialUse) attributes.push(info.specialUse);
    entries.push({ name, info, attributes, childInfo: childInfoFor.has(name) && !selected(name) });
  }
  entries.sort((a, b) => listOrder(a.name, b.name));

  for (const entry of entries) {
    const line = session
      .builder()
      .raw(`* LIST (${entry.attributes.join(' ')}) ${DELIMITER} `)
      .astring(session.wireName(entry.name));
    if (entry.childInfo) line.raw(selection.subscribed ? ' ("CHILDINFO" ("SUBSCRIBED"))' : '');
    line.crlf();
    if (entry.info && returns.status) {
      try {
        const items = await statusItems(session, entry.info, returns.status);
        line.raw('* STATUS ').astring(session.wireName(entry.name)).raw(` ${items}`).crlf();
      } catch {
        // RFC 5819: a mailbox whose status cannot be had is listed without it.
      }
    }
    if (entry.info && returns.myRights) {
      line
        .raw('* MYRIGHTS ')
        .astring(session.wireName(entry.name))
        .raw(' ')
        .string(entry.info.rights)
        .crlf();
    }
    await session.send(line.finish());
  }
  if (returns.status?.includes('HIGHESTMODSEQ')) await session.useCondstore();
  await session.finish(command, 'OK', 'List completed');
}

/** LSUB (RFC 3501 6.3.9; deprecated by RFC 9051 but kept): the subscriptions matching a pattern. */
export async function lsub(session: SessionContext, command: LsubCommand): Promise<void> {
  const reference = session.storeName(command.reference);
  const name = nameFromWire(command.pattern, session.utf8);
  const pattern = name === null ? null : joinReference(reference, name);
  const matches = pattern === null ? () => false : listMatcher(pattern);
  const names = new Set((await session.access.subscriptions()).map(canonicalInbox));
  const existing = new Set((await session.mailboxes()).map((info) => info.name));
  const candidates = new Map<string, boolean>();
  for (const name of names) {
    if (matches(name)) candidates.set(name, existing.has(name));
    // `%` also answers with the levels above subscribed names, not selectable as such.
    if (pattern?.endsWith('%')) {
      for (const parent of parentsOf(name)) {
        if (!names.has(parent) && matches(parent)) candidates.set(parent, false);
      }
    }
  }
  for (const [name, exists] of [...candidates].sort((a, b) => listOrder(a[0], b[0]))) {
    const line = session
      .builder()
      .raw(`* LSUB (${exists ? '' : '\\Noselect'}) ${DELIMITER} `)
      .astring(session.wireName(name))
      .crlf();
    await session.send(line.finish());
  }
  await session.finish(command, 'OK', 'Lsub completed');
}

/** INBOX first, then by name, as Dovecot lists. */
function listOrder(a: string, b: string): number {
  const inboxA = a === 'INBOX' || a.startsWith('INBOX/');
  const inboxB = b === 'INBOX' || b.startsWith('INBOX/');
  if (inboxA !== inboxB) return inboxA ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
