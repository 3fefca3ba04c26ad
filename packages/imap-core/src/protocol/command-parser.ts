import type {
  AppendMessage,
  Command,
  ListReturn,
  ListSelection,
  QresyncParameters,
  SearchReturn,
  SortCriterion,
  SortKey,
  StatusItem,
} from './command.js';
import { CommandCursor, ImapSyntaxError, ascii, utf8Text } from './command-cursor.js';
import { commandHead } from './command-reader.js';
import type { FramedCommand } from './command-reader.js';
import { parseFetchItems } from './fetch-parser.js';
import { parseDateTime } from './imap-date.js';
import { DEFAULT_PARSER_LIMITS, type ParserLimits } from './parser-limits.js';
import { parseSearchKeys } from './search-parser.js';
import { parseSequenceSet } from './sequence-parser.js';

export type ParseResult =
  | { readonly ok: true; readonly command: Command }
  | {
      readonly ok: false;
      /** The tag, when one could be read: BAD goes to it, else untagged. */
      readonly tag: string | null;
      /** The command name, when readable (for logs and for refusing literals consistently). */
      readonly command: string | null;
      readonly message: string;
    };

const NO_ARGUMENTS = new Set([
  'CAPABILITY',
  'NOOP',
  'LOGOUT',
  'STARTTLS',
  'UNAUTHENTICATE',
  'CHECK',
  'CLOSE',
  'UNSELECT',
  'NAMESPACE',
  'IDLE',
]);

const ONE_MAILBOX = new Set([
  'DELETE',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'GETQUOTAROOT',
  'GETACL',
  'MYRIGHTS',
]);

const STATUS_ITEMS = new Set<StatusItem>([
  'MESSAGES',
  'RECENT',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'SIZE',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
  'MAILBOXID',
]);

const SORT_KEYS = new Set<SortKey>(['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO']);

const SYSTEM_FLAGS = new Map(
  ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'].map((f) => [f.toUpperCase(), f]),
);

/**
 * Parses one framed command into a typed {@link Command}: RFC 9051's grammar, RFC 3501's where
 * it differs, and the grammar of every extension the engine implements. Never throws: a command
 * that does not parse comes back with the tag (if any) and the reason, for a BAD reply.
 */
export function parseCommand(
  framed: FramedCommand,
  limits: ParserLimits = DEFAULT_PARSER_LIMITS,
): ParseResult {
  const first = framed.parts[0];
  const head = commandHead(first instanceof Uint8Array ? first : new Uint8Array(0));
  const cursor = new CommandCursor(framed, limits);
  let tag: string | null = null;
  try {
    tag = cursor.tag();
    cursor.sp();
    let name = cursor.word();
    let uid = false;
    if (name === 'UID') {
      cursor.sp();
      uid = true;
      name = cursor.word();
      if (!['COPY', 'MOVE', 'FETCH', 'SEARCH', 'STORE', 'EXPUNGE', 'SORT', 'THREAD'].includes(name))
        throw new ImapSyntaxError(`Unknown command UID ${name}`);
    }
    const command = parseArguments(cursor, tag, name, uid);
    cursor.end();
    return { ok: true, command };
  } catch (error) {
    if (!(error instanceof ImapSyntaxError)) throw error;
    return { ok: false, tag, command: head.command, message: error.message };
  }
}

function parseArguments(cursor: CommandCursor, tag: string, name: string, uid: boolean): Command {
  if (NO_ARGUMENTS.has(name)) return { tag, name: name as 'NOOP' };
  if (ONE_MAILBOX.has(name)) {
    cursor.sp();
    return { tag, name: name as 'DELETE', mailbox: mailbox(cursor) };
  }
  switch (name) {
    case 'EXPUNGE':
      if (!uid) return { tag, name };
      cursor.sp();
      return { tag, name, uids: parseSequenceSet(cursor) };
    case 'LOGIN': {
      cursor.sp();
      const user = utf8Text(cursor.astring());
      cursor.sp();
      return { tag, name, user, password: utf8Text(cursor.astring()) };
    }
    case 'AUTHENTICATE': {
      cursor.sp();
      const mechanism = cursor.atom().toUpperCase();
      if (!cursor.trySp()) return { tag, name, mechanism };
      const initialResponse = cursor.token();
      if (!/^(?:[A-Za-z0-9+/]*=*|=)$/.test(initialResponse))
        throw new ImapSyntaxError('Invalid initial response');
      return { tag, name, mechanism, initialResponse };
    }
    case 'ENABLE': {
      const capabilities: string[] = [];
      while (cursor.trySp()) capabilities.push(cursor.atom());
      if (capabilities.length === 0) throw new ImapSyntaxError('ENABLE needs a capability');
      return { tag, name, capabilities };
    }
    case 'SELECT':
    case 'EXAMINE':
      return parseSelect(cursor, tag, name);
    case 'CREATE':
      return parseCreate(cursor, tag);
    case 'RENAME': {
      cursor.sp();
      const from = mailbox(cursor);
      cursor.sp();
      return { tag, name, from, to: mailbox(cursor) };
    }
    case 'LIST':
      return parseList(cursor, tag);
    case 'LSUB': {
      cursor.sp();
      const reference = mailbox(cursor);
      cursor.sp();
      return { tag, name, reference, pattern: utf8Text(cursor.listMailbox()) };
    }
    case 'STATUS': {
      cursor.sp();
      const box = mailbox(cursor);
      cursor.sp();
      return { tag, name, mailbox: box, items: parseStatusItems(cursor) };
    }
    case 'APPEND':
      return parseAppend(cursor, tag);
    case 'SEARCH': {
      cursor.sp();
      const returns = parseReturnOptions(cursor, ['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);
      let charset: string | null = null;
      const mark = cursor.mark();
      if (cursor.peek() !== 0x28 && wordOrNull(cursor) === 'CHARSET') {
        cursor.sp();
        charset = ascii(cursor.astring());
        cursor.sp();
      } else {
        cursor.reset(mark);
      }
      return { tag, name, uid, returns, charset, key: parseSearchKeys(cursor) };
    }
    case 'FETCH': {
      cursor.sp();
      const sequence = parseSequenceSet(cursor);
      cursor.sp();
      const items = parseFetchItems(cursor);
      let changedSince: number | undefined;
      let vanished = false;
      if (cursor.trySp()) {
        cursor.open();
        do {
          const modifier = cursor.word();
          if (modifier === 'CHANGEDSINCE') {
            cursor.sp();
            changedSince = cursor.number(true);
          } else if (modifier === 'VANISHED') {
            vanished = true;
          } else {
            throw new ImapSyntaxError(`Unknown FETCH modifier ${modifier}`);
          }
        } while (cursor.trySp());
        cursor.close();
        if (vanished && (!uid || changedSince === undefined))
          throw new ImapSyntaxError('VANISHED needs UID FETCH with CHANGEDSINCE');
      }
      return {
        tag,
        name,
        uid,
        sequence,
        items,
        vanished,
        ...(changedSince !== undefined ? { changedSince } : {}),
      };
    }
    case 'STORE':
      return parseStore(cursor, tag, uid);
    case 'COPY':
    case 'MOVE': {
      cursor.sp();
      const sequence = parseSequenceSet(cursor);
      cursor.sp();
      return { tag, name, uid, sequence, mailbox: mailbox(cursor) };
    }
    case 'SORT':
      return parseSort(cursor, tag, uid);
    case 'THREAD': {
      cursor.sp();
      const algorithm = cursor.word();
      if (algorithm !== 'ORDEREDSUBJECT' && algorithm !== 'REFERENCES')
        throw new ImapSyntaxError(`Unknown thread algorithm ${algorithm}`);
      cursor.sp();
      const charset = ascii(cursor.astring());
      cursor.sp();
      return { tag, name, uid, algorithm, charset, key: parseSearchKeys(cursor) };
    }
    case 'ID':
      return parseId(cursor, tag);
    case 'GETQUOTA':
      cursor.sp();
      return { tag, name, root: utf8Text(cursor.astring()) };
    case 'SETQUOTA': {
      cursor.sp();
      const root = utf8Text(cursor.astring());
      cursor.sp();
      cursor.open();
      const resources: { name: string; limit: number }[] = [];
      if (!cursor.tryClose()) {
        do {
          const resource = cursor.atom().toUpperCase();
          cursor.sp();
          resources.push({ name: resource, limit: cursor.number(true) });
        } while (cursor.trySp());
        cursor.close();
      }
      return { tag, name, root, resources };
    }
    case 'SETACL': {
      cursor.sp();
      const box = mailbox(cursor);
      cursor.sp();
      const identifier = utf8Text(cursor.astring());
      cursor.sp();
      const rights = ascii(cursor.astring());
      const mode = rights.startsWith('+') ? 'add' : rights.startsWith('-') ? 'remove' : 'replace';
      return {
        tag,
        name,
        mailbox: box,
        identifier,
        rights: mode === 'replace' ? rights : rights.slice(1),
        mode,
      };
    }
    case 'DELETEACL':
    case 'LISTRIGHTS': {
      cursor.sp();
      const box = mailbox(cursor);
      cursor.sp();
      return { tag, name, mailbox: box, identifier: utf8Text(cursor.astring()) };
    }
    case 'COMPRESS':
      cursor.sp();
      return { tag, name, algorithm: cursor.atom().toUpperCase() };
    default:
      throw new ImapSyntaxError(`Unknown command ${name}`);
  }
}

function mailbox(cursor: CommandCursor): string {
  return utf8Text(cursor.astring());
}

function wordOrNull(cursor: CommandCursor): string | null {
  try {
    return cursor.word();
  } catch {
    return null;
  }
}

function parseSelect(cursor: CommandCursor, tag: string, name: 'SELECT' | 'EXAMINE'): Command {
  cursor.sp();
  const box = mailbox(cursor);
  let condstore = false;
  let qresync: QresyncParameters | undefined;
  if (cursor.trySp()) {
    cursor.open();
    do {
      const parameter = cursor.word();
      if (parameter === 'CONDSTORE') {
        condstore = true;
      } else if (parameter === 'QRESYNC') {
        cursor.sp();
        qresync = parseQresync(cursor);
      } else {
        throw new ImapSyntaxError(`Unknown SELECT parameter ${parameter}`);
      }
    } while (cursor.trySp());
    cursor.close();
  }
  return { tag, name, mailbox: box, condstore, ...(qresync ? { qresync } : {}) };
}

/** `"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`. */
function parseQresync(cursor: CommandCursor): QresyncParameters {
  cursor.open();
  const uidValidity = cursor.nzNumber();
  cursor.sp();
  const modSeq = cursor.nzNumber(true);
  let knownUids: QresyncParameters['knownUids'];
  let sequenceMatch: QresyncParameters['sequenceMatch'];
  if (cursor.trySp()) {
    if (cursor.peek() !== 0x28) {
      knownUids = parseSequenceSet(cursor);
      if (knownUids.type === 'saved') throw new ImapSyntaxError('Invalid known-uids');
      if (!cursor.trySp()) {
        cursor.close();
        return { uidValidity, modSeq, knownUids };
      }
    }
    cursor.open();
    const sequences = parseSequenceSet(cursor);
    cursor.sp();
    const uids = parseSequenceSet(cursor);
    cursor.close();
    sequenceMatch = { sequences, uids };
  }
  cursor.close();
  return {
    uidValidity,
    modSeq,
    ...(knownUids ? { knownUids } : {}),
    ...(sequenceMatch ? { sequenceMatch } : {}),
  };
}

function parseCreate(cursor: CommandCursor, tag: string): Command {
  cursor.sp();
  const box = mailbox(cursor);
  const specialUse: string[] = [];
  if (cursor.trySp()) {
    cursor.open();
    do {
      const parameter = cursor.word();
      if (parameter !== 'USE') throw new ImapSyntaxError(`Unknown CREATE parameter ${parameter}`);
      cursor.sp();
      cursor.open();
      if (!cursor.tryClose()) {
        do specialUse.push(parseFlag(cursor, true));
        while (cursor.trySp());
        cursor.close();
      }
    } while (cursor.trySp());
    cursor.close();
  }
  return { tag, name: 'CREATE', mailbox: box, specialUse };
}

function parseList(cursor: CommandCursor, tag: string): Command {
  cursor.sp();
  let extended = false;
  const selection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  if (cursor.tryOpen()) {
    extended = true;
    if (!cursor.tryClose()) {
      do {
        const option = cursor.word();
        if (option === 'SUBSCRIBED') selection.subscribed = true;
        else if (option === 'REMOTE') selection.remote = true;
        else if (option === 'RECURSIVEMATCH') selection.recursiveMatch = true;
        else if (option === 'SPECIAL-USE') selection.specialUse = true;
        else throw new ImapSyntaxError(`Unknown LIST selection option ${option}`);
      } while (cursor.trySp());
      cursor.close();
    }
    // RFC 5258 3.1: RECURSIVEMATCH alone says nothing.
    if (selection.recursiveMatch && !selection.subscribed && !selection.specialUse)
      throw new ImapSyntaxError('RECURSIVEMATCH needs another selection option');
    cursor.sp();
  }
  const reference = mailbox(cursor);
  cursor.sp();
  const patterns: string[] = [];
  if (cursor.tryOpen()) {
    extended = true;
    do patterns.push(utf8Text(cursor.listMailbox()));
    while (cursor.trySp());
    cursor.close();
  } else {
    patterns.push(utf8Text(cursor.listMailbox()));
  }
  const returns = {
    subscribed: false,
    children: false,
    specialUse: false,
    myRights: false,
    status: null as StatusItem[] | null,
  };
  if (cursor.trySp()) {
    extended = true;
    if (cursor.word() !== 'RETURN') throw new ImapSyntaxError('Expected RETURN');
    cursor.sp();
    cursor.open();
    if (!cursor.tryClose()) {
      do {
        const option = cursor.word();
        if (option === 'SUBSCRIBED') returns.subscribed = true;
        else if (option === 'CHILDREN') returns.children = true;
        else if (option === 'SPECIAL-USE') returns.specialUse = true;
        else if (option === 'MYRIGHTS') returns.myRights = true;
        else if (option === 'STATUS') {
          cursor.sp();
          returns.status = parseStatusItems(cursor);
        } else throw new ImapSyntaxError(`Unknown LIST return option ${option}`);
      } while (cursor.trySp());
      cursor.close();
    }
  }
  return {
    tag,
    name: 'LIST',
    reference,
    patterns,
    selection: selection satisfies ListSelection,
    returns: returns satisfies ListReturn,
    extended,
  };
}

function parseStatusItems(cursor: CommandCursor): StatusItem[] {
  cursor.open();
  const items: StatusItem[] = [];
  do {
    const item = cursor.word() as StatusItem;
    if (!STATUS_ITEMS.has(item)) throw new ImapSyntaxError(`Unknown STATUS item ${item}`);
    items.push(item);
  } while (cursor.trySp());
  cursor.close();
  return items;
}

/**
 * `APPEND mailbox 1*(SP [flag-list SP] [date-time SP] append-data)`: one message, or several
 * (MULTIAPPEND), each as a literal, a literal8 (BINARY) or `UTF8 (literal8)` (RFC 6855).
 */
function parseAppend(cursor: CommandCursor, tag: string): Command {
  cursor.sp();
  const box = mailbox(cursor);
  const messages: AppendMessage[] = [];
  while (cursor.trySp()) {
    let flags: string[] = [];
    let internalDate: { time: number; zone: number } | undefined;
    if (cursor.peek() === 0x28) {
      flags = parseFlagList(cursor);
      cursor.sp();
    }
    if (cursor.peek() === 0x22) {
      internalDate = parseDateTime(ascii(cursor.string()));
      cursor.sp();
    }
    let utf8 = false;
    if (cursor.literalHere() === null) {
      if (cursor.word() !== 'UTF8') throw new ImapSyntaxError('Expected a message literal');
      cursor.sp();
      cursor.open();
      utf8 = true;
    }
    const literal = cursor.takeLiteral();
    if (utf8) {
      if (!literal.binary) throw new ImapSyntaxError('UTF8 needs a literal8');
      cursor.close();
    }
    messages.push({
      flags,
      content: literal.bytes,
      binary: literal.binary,
      utf8,
      ...(internalDate !== undefined
        ? { internalDate: internalDate.time, internalDateZone: internalDate.zone }
        : {}),
    });
  }
  if (messages.length === 0) throw new ImapSyntaxError('APPEND needs a message');
  return { tag, name: 'APPEND', mailbox: box, messages };
}

function parseStore(cursor: CommandCursor, tag: string, uid: boolean): Command {
  cursor.sp();
  const sequence = parseSequenceSet(cursor);
  cursor.sp();
  let unchangedSince: number | undefined;
  if (cursor.tryOpen()) {
    if (cursor.word() !== 'UNCHANGEDSINCE') throw new ImapSyntaxError('Unknown STORE modifier');
    cursor.sp();
    unchangedSince = cursor.number(true);
    cursor.close();
    cursor.sp();
  }
  const operation = cursor.tryChar('+') ? 'add' : cursor.tryChar('-') ? 'remove' : 'replace';
  const item = cursor.word();
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT') throw new ImapSyntaxError('Expected FLAGS');
  cursor.sp();
  let flags: string[];
  if (cursor.peek() === 0x28) {
    flags = parseFlagList(cursor);
  } else {
    flags = [parseFlag(cursor)];
    while (cursor.trySp()) flags.push(parseFlag(cursor));
  }
  return {
    tag,
    name: 'STORE',
    uid,
    sequence,
    operation,
    silent: item === 'FLAGS.SILENT',
    flags,
    ...(unchangedSince !== undefined ? { unchangedSince } : {}),
  };
}

/** `flag-list`: `(` [flag *(SP flag)] `)`. */
export function parseFlagList(cursor: CommandCursor): string[] {
  cursor.open();
  const flags: string[] = [];
  if (cursor.tryClose()) return flags;
  do flags.push(parseFlag(cursor));
  while (cursor.trySp());
  cursor.close();
  return flags;
}

/**
 * `flag`: a system flag (the five storable ones; `\Recent` and unknown ones are refused, as
 * Dovecot refuses them) or a keyword atom. `anySystem` accepts any `\atom` (special-use names).
 */
function parseFlag(cursor: CommandCursor, anySystem = false): string {
  if (cursor.tryChar('\\')) {
    const name = `\\${cursor.atom()}`;
    if (anySystem) return name;
    const flag = SYSTEM_FLAGS.get(name.toUpperCase());
    if (!flag) throw new ImapSyntaxError(`Invalid system flag ${name.toUpperCase()}`);
    return flag;
  }
  return cursor.atom();
}

/** `RETURN (...)` of SEARCH and SORT, or null when absent. */
function parseReturnOptions(
  cursor: CommandCursor,
  allowed: readonly string[],
): SearchReturn | null {
  const mark = cursor.mark();
  if (cursor.peek() === 0x28 || wordOrNull(cursor) !== 'RETURN') {
    cursor.reset(mark);
    return null;
  }
  cursor.sp();
  cursor.open();
  const options = { min: false, max: false, all: false, count: false, save: false };
  if (!cursor.tryClose()) {
    do {
      const option = cursor.word();
      if (!allowed.includes(option)) throw new ImapSyntaxError(`Unknown RETURN option ${option}`);
      options[option.toLowerCase() as keyof typeof options] = true;
    } while (cursor.trySp());
    cursor.close();
  }
  cursor.sp();
  return options;
}

function parseSort(cursor: CommandCursor, tag: string, uid: boolean): Command {
  cursor.sp();
  const returns = parseReturnOptions(cursor, ['MIN', 'MAX', 'ALL', 'COUNT']);
  cursor.open();
  const criteria: SortCriterion[] = [];
  do {
    let key = cursor.word();
    const reverse = key === 'REVERSE';
    if (reverse) {
      cursor.sp();
      key = cursor.word();
    }
    if (!SORT_KEYS.has(key as SortKey)) throw new ImapSyntaxError(`Unknown sort key ${key}`);
    criteria.push({ key: key as SortKey, reverse });
  } while (cursor.trySp());
  cursor.close();
  cursor.sp();
  const charset = ascii(cursor.astring());
  cursor.sp();
  return { tag, name: 'SORT', uid, criteria, charset, key: parseSearchKeys(cursor), returns };
}

function parseId(cursor: CommandCursor, tag: string): Command {
  cursor.sp();
  if (!cursor.tryOpen()) {
    if (cursor.atom().toUpperCase() !== 'NIL') throw new ImapSyntaxError('Expected ( or NIL');
    return { tag, name: 'ID', parameters: null };
  }
  const parameters: [string, string | null][] = [];
  if (!cursor.tryClose()) {
    do {
      const field = utf8Text(cursor.astring());
      cursor.sp();
      const value = cursor.nstring();
      parameters.push([field, value === null ? null : utf8Text(value)]);
    } while (cursor.trySp());
    cursor.close();
  }
  return { tag, name: 'ID', parameters };
}
