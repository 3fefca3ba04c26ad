import { type CommandCursor, ImapSyntaxError, ascii, utf8Text } from './command-cursor.js';
import { parseDateText } from './imap-date.js';
import type { SearchDate, SearchKey } from './search-key.js';
import { parseSequenceSet } from './sequence-parser.js';

const FLAG_KEYS: Readonly<Record<string, readonly [string, boolean]>> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};

const HEADER_KEYS: Readonly<Record<string, string>> = {
  FROM: 'from',
  TO: 'to',
  CC: 'cc',
  BCC: 'bcc',
  SUBJECT: 'subject',
};

const DATE_KEYS: Readonly<
  Record<string, readonly ['internal' | 'sent' | 'saved', 'before' | 'on' | 'since']>
> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
  SAVEDBEFORE: ['saved', 'before'],
  SAVEDON: ['saved', 'on'],
  SAVEDSINCE: ['saved', 'since'],
};

/** `search-key *(SP search-key)`: one key, or the AND of several. */
export function parseSearchKeys(cursor: CommandCursor): SearchKey {
  const keys = [parseSearchKey(cursor)];
  while (cursor.trySp()) keys.push(parseSearchKey(cursor));
  return keys.length === 1 ? keys[0]! : { type: 'and', keys };
}

/** One search key (RFC 9051 `search-key`, and the keys of the extensions). */
export function parseSearchKey(cursor: CommandCursor): SearchKey {
  if (cursor.tryOpen()) {
    const inner = parseSearchKeys(cursor);
    cursor.close();
    return inner;
  }
  const c = cursor.peek();
  if ((c >= 0x30 && c <= 0x39) || c === 0x2a || c === 0x24) {
    return { type: 'sequence', set: parseSequenceSet(cursor) };
  }
  const word = cursor.word();
  const flag = FLAG_KEYS[word];
  if (flag) return { type: 'flag', flag: flag[0], set: flag[1] };
  const header = HEADER_KEYS[word];
  if (header) {
    cursor.sp();
    return { type: 'header', field: header, value: cursor.astring() };
  }
  const date = DATE_KEYS[word];
  if (date) {
    cursor.sp();
    return { type: 'date', field: date[0], comparison: date[1], date: parseSearchDate(cursor) };
  }
  switch (word) {
    case 'ALL':
      return { type: 'all' };
    case 'NEW':
      return { type: 'new' };
    case 'OLD':
      return { type: 'old' };
    case 'RECENT':
      return { type: 'recent' };
    case 'KEYWORD':
    case 'UNKEYWORD':
      cursor.sp();
      return { type: 'flag', flag: cursor.atom(), set: word === 'KEYWORD' };
    case 'BODY':
    case 'TEXT':
      cursor.sp();
      return { type: word === 'BODY' ? 'body' : 'text', value: cursor.astring() };
    case 'HEADER': {
      cursor.sp();
      const field = utf8Text(cursor.astring());
      cursor.sp();
      return { type: 'header', field: field.toLowerCase(), value: cursor.astring() };
    }
    case 'LARGER':
    case 'SMALLER':
      cursor.sp();
      return {
        type: 'size',
        comparison: word === 'LARGER' ? 'larger' : 'smaller',
        size: cursor.number(true),
      };
    case 'NOT': {
      cursor.sp();
      cursor.nest();
      const key = parseSearchKey(cursor);
      cursor.unnest();
      return { type: 'not', key };
    }
    case 'OR': {
      cursor.sp();
      cursor.nest();
      const left = parseSearchKey(cursor);
      cursor.sp();
      const right = parseSearchKey(cursor);
      cursor.unnest();
      return { type: 'or', left, right };
    }
    case 'UID':
      cursor.sp();
      return { type: 'uid', set: parseSequenceSet(cursor) };
    case 'MODSEQ':
      return parseModSeqKey(cursor);
    case 'OLDER':
    case 'YOUNGER':
      cursor.sp();
      return {
        type: 'age',
        comparison: word === 'OLDER' ? 'older' : 'younger',
        seconds: cursor.nzNumber(),
      };
    case 'EMAILID':
    case 'THREADID': {
      cursor.sp();
      const id = parseObjectId(cursor);
      return word === 'EMAILID' ? { type: 'emailid', id } : { type: 'threadid', id };
    }
    case 'SAVEDATESUPPORTED':
      return { type: 'savedatesupported' };
    default:
      throw new ImapSyntaxError(`Unknown search key ${word}`);
  }
}

/** RFC 7162: `MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer`. */
function parseModSeqKey(cursor: CommandCursor): SearchKey {
  cursor.sp();
  if (cursor.peek() === 0x22) {
    const name = ascii(cursor.string());
    const match = /^\/flags\/(\\?[^\s\\]+)$/i.exec(name);
    if (!match) throw new ImapSyntaxError('Invalid MODSEQ entry name');
    cursor.sp();
    const kind = cursor.word().toLowerCase();
    if (kind !== 'priv' && kind !== 'shared' && kind !== 'all')
      throw new ImapSyntaxError('Invalid MODSEQ entry type');
    cursor.sp();
    return { type: 'modseq', modSeq: cursor.number(true), entry: { flag: match[1]!, kind } };
  }
  return { type: 'modseq', modSeq: cursor.number(true) };
}

/** RFC 8474 `objectid`: 1 to 255 of letters, digits, `-` and `_`. */
export function parseObjectId(cursor: CommandCursor): string {
  const id = ascii(cursor.astring());
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(id)) throw new ImapSyntaxError('Invalid object id');
  return id;
}

/** `date`: date-text, bare or quoted. */
export function parseSearchDate(cursor: CommandCursor): SearchDate {
  const text = cursor.peek() === 0x22 ? ascii(cursor.string()) : cursor.atom();
  return parseDateText(text);
}
