import type { BodySection, FetchItem, PartPath, PartialRange } from './command.js';
import { type CommandCursor, ImapSyntaxError, ascii } from './command-cursor.js';

const SIMPLE_ITEMS = new Set([
  'UID',
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODY',
  'BODYSTRUCTURE',
  'MODSEQ',
  'EMAILID',
  'THREADID',
  'SAVEDATE',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
]);

type SimpleItem = Exclude<FetchItem['type'], 'BODY[]' | 'BINARY[]' | 'BINARY.SIZE'>;

const simple = (...names: SimpleItem[]): FetchItem[] => names.map((type) => ({ type }));

/** RFC 9051 6.4.5: the macros stand for these items. */
const MACROS: Readonly<Record<string, readonly FetchItem[]>> = {
  ALL: simple('FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'),
  FAST: simple('FLAGS', 'INTERNALDATE', 'RFC822.SIZE'),
  FULL: simple('FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'),
};

/** The data items of FETCH: a macro, one item, or a parenthesized list of items. */
export function parseFetchItems(cursor: CommandCursor): FetchItem[] {
  if (cursor.tryOpen()) {
    const items: FetchItem[] = [];
    if (!cursor.tryClose()) {
      items.push(parseFetchItem(cursor));
      while (cursor.trySp()) items.push(parseFetchItem(cursor));
      cursor.close();
    }
    if (items.length === 0) throw new ImapSyntaxError('Empty fetch item list');
    return items;
  }
  // The macros stand alone: never inside a list.
  const item = parseFetchItem(cursor, true);
  return Array.isArray(item) ? [...(item as readonly FetchItem[])] : [item as FetchItem];
}

function parseFetchItem(cursor: CommandCursor): FetchItem;
function parseFetchItem(cursor: CommandCursor, macros: true): FetchItem | readonly FetchItem[];
function parseFetchItem(cursor: CommandCursor, macros = false): FetchItem | readonly FetchItem[] {
  const word = cursor.word();
  if (macros && MACROS[word]) return MACROS[word];
  if (word === 'BODY' || word === 'BODY.PEEK') {
    if (cursor.peek() === 0x5b) {
      const section = parseSection(cursor);
      const partial = parsePartial(cursor);
      return {
        type: 'BODY[]',
        peek: word === 'BODY.PEEK',
        section,
        ...(partial ? { partial } : {}),
      };
    }
    if (word === 'BODY.PEEK') throw new ImapSyntaxError('BODY.PEEK needs a section');
  }
  if (word === 'BINARY' || word === 'BINARY.PEEK' || word === 'BINARY.SIZE') {
    const part = parseBinarySection(cursor);
    if (word === 'BINARY.SIZE') return { type: 'BINARY.SIZE', part };
    const partial = parsePartial(cursor);
    return {
      type: 'BINARY[]',
      peek: word === 'BINARY.PEEK',
      part,
      ...(partial ? { partial } : {}),
    };
  }
  if (SIMPLE_ITEMS.has(word)) return { type: word as SimpleItem };
  throw new ImapSyntaxError(`Unknown fetch item ${word}`);
}

/** `section`: `[` [section-spec] `]`. */
export function parseSection(cursor: CommandCursor): BodySection {
  cursor.expect('[');
  if (cursor.tryChar(']')) return { part: [] };
  const spec = cursor.word();
  const levels = spec.split('.');
  const part: number[] = [];
  while (levels.length > 0 && /^\d+$/.test(levels[0]!)) part.push(partNumber(levels.shift()!));
  const text = levels.join('.');
  let section: BodySection;
  if (text === '') {
    if (part.length === 0) throw new ImapSyntaxError('Invalid section');
    section = { part };
  } else if (text === 'HEADER' || text === 'TEXT' || (text === 'MIME' && part.length > 0)) {
    section = { part, text };
  } else if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') {
    cursor.sp();
    section = { part, text, fields: parseHeaderList(cursor) };
  } else {
    throw new ImapSyntaxError('Invalid section');
  }
  cursor.expect(']');
  return section;
}

/** `header-list`: `(` header-fld-name *(SP header-fld-name) `)`. */
function parseHeaderList(cursor: CommandCursor): string[] {
  cursor.open();
  const names = [fieldName(cursor)];
  while (cursor.trySp()) names.push(fieldName(cursor));
  cursor.close();
  return names;
}

function fieldName(cursor: CommandCursor): string {
  const name = ascii(cursor.astring());
  // RFC 5322 ftext: printable ASCII but the colon.
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) throw new ImapSyntaxError('Invalid header field name');
  return name;
}

/** `section-binary`: `[` [section-part] `]`. */
function parseBinarySection(cursor: CommandCursor): PartPath {
  cursor.expect('[');
  if (cursor.tryChar(']')) return [];
  const levels = cursor.word().split('.');
  const part = levels.map(partNumber);
  cursor.expect(']');
  return part;
}

function partNumber(text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new ImapSyntaxError('Invalid part number');
  return Number(text);
}

/** `partial`: `<` number64 `.` nz-number64 `>`. */
function parsePartial(cursor: CommandCursor): PartialRange | undefined {
  if (!cursor.tryChar('<')) return undefined;
  const start = cursor.number(true);
  cursor.expect('.');
  const length = cursor.nzNumber(true);
  cursor.expect('>');
  return { start, length };
}
