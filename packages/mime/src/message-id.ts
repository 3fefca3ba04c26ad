import { MORE, Rfc5322Reader, type TextBuffer } from './rfc5322-reader.js';

/**
 * The msg-ids of a Message-ID, In-Reply-To or References value, in order, duplicates kept, each
 * as `<id-left@id-right>` with its whitespace, comments and quoting removed, so that the same
 * id written two ways compares equal (THREAD, RFC 5256). Never throws; linear time.
 *
 * Reads ids the way Dovecot's THREAD does (message-id.c), so both servers build the same
 * threads: text between ids is skipped (In-Reply-To often carries a phrase or an address), an id
 * must be bracketed and hold an `@` (`<foo>` is skipped), and a quoted or commented id is
 * normalised (`<"a b"(comment)@host>` is `<a b@host>`). Ids with a domain literal on the right
 * (`<x@[1.2.3.4]>`) are skipped, as Dovecot skips them.
 */
export function parseMessageIds(value: string): string[] {
  const ids: string[] = [];
  const scanner = new MessageIdScanner(value);
  for (let id = scanner.next(); id !== null; id = scanner.next()) ids.push(id);
  return ids;
}

/** The first msg-id of a value, or null: the Message-ID of a message, for instance. */
export function firstMessageId(value: string): string | null {
  return new MessageIdScanner(value).next();
}

/**
 * Finds ids one `<` at a time. The common plain form is read by a quick scan; quotes, comments
 * and literals go through the RFC 5322 reader.
 */
class MessageIdScanner {
  private at: number;
  /**
   * After a broken quoted or commented id, Dovecot looks for the next `<` right after the broken
   * one's, even inside what it just scanned: `<a(b <c@d>` yields `<c@d>`. Rescanning is what
   * makes that quadratic on hostile input (`<(<(<(...`), so it is done only while the rescanned
   * text stays within eight times the value's length plus a megabyte (any real header fits);
   * past that, the search resumes after the broken id.
   */
  private rescanBudget: number;

  constructor(private readonly value: string) {
    this.at = value.indexOf('<');
    this.rescanBudget = 8 * value.length + 1_000_000;
  }

  next(): string | null {
    const value = this.value;
    while (this.at >= 0) {
      const from = this.at + 1;
      const found = readMessageId(value, from);
      let resume = found.end;
      if (found.id === null && found.tokenized) {
        this.rescanBudget -= found.end - from;
        if (this.rescanBudget > 0) resume = from;
      }
      this.at = value.indexOf('<', resume);
      if (found.id !== null) return `<${found.id}>`;
    }
    return null;
  }
}

interface ScannedId {
  readonly id: string | null;
  /** Where the id ended, or where reading it failed. */
  readonly end: number;
  /** Whether it was read by the RFC 5322 reader. */
  readonly tokenized: boolean;
}

/** The id after a `<` at `from - 1`. */
function readMessageId(value: string, from: number): ScannedId {
  let hasAt = false;
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x40 /* @ */) hasAt = true;
    else if (c === 0x3e /* > */) {
      const id = hasAt ? value.slice(from, i).replace(/[ \t\r\n]+/g, '') : null;
      return { id, end: i + 1, tokenized: false };
    } else if (c === 0x22 /* " */ || c === 0x28 /* ( */ || c === 0x5b /* [ */) {
      return readTokenizedMessageId(value, from);
    }
  }
  return { id: null, end: value.length, tokenized: false };
}

/** `[CFWS] (dot-atom / quoted-string) [CFWS] "@" [CFWS] dot-atom [CFWS] ">"`. */
function readTokenizedMessageId(value: string, from: number): ScannedId {
  const reader = new Rfc5322Reader(value);
  reader.pos = from;
  const id: TextBuffer = { value: '' };
  const failed = (): ScannedId => ({ id: null, end: reader.pos, tokenized: true });
  reader.skipCfws();
  const left = reader.peek() === 0x22 ? reader.readQuotedString(id) : reader.readDotAtom(id);
  if (left !== MORE || reader.peek() !== 0x40) return failed();
  id.value += '@';
  reader.pos++;
  reader.skipCfws();
  if (reader.readDotAtom(id) !== MORE || reader.peek() !== 0x3e) return failed();
  return { id: id.value, end: reader.pos + 1, tokenized: true };
}
