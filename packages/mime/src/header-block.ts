import { latin1String } from './charset.js';
import { MIME_LIMITS } from './limits.js';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/**
 * One field of a header block, as byte offsets into the message: nothing is copied, so the raw
 * bytes of every field stay available (IMAP `BODY[HEADER.FIELDS]`, DKIM, re-serialisation).
 */
export interface HeaderField {
  /** The field name as written, without whitespace before the colon (obsolete syntax allows it). */
  readonly name: string;
  /** The name in lower case, for lookups: field names compare case-insensitively. */
  readonly key: string;
  /** Offset of the field's first byte. */
  readonly start: number;
  /** Offset just past the colon; for a line without a colon, the end of that line. */
  readonly valueStart: number;
  /** Offset just past the line ending of the field's last (folded) line. */
  readonly end: number;
}

/** Where a header block lies, and its fields. */
export interface HeaderBlockLayout {
  /** The fields in order; at most {@link MIME_LIMITS.maxHeaderFields} of them. */
  readonly fields: HeaderField[];
  /**
   * Offset of the body: just past the empty line that ends the header, so the header section
   * (IMAP `BODY[HEADER]`, `BODY[1.MIME]`) is `[start, bodyStart)`, blank line included.
   */
  readonly bodyStart: number;
}

/**
 * Tells whether the line `[lineStart, lineEnd)` (line ending excluded) ends the header early. A
 * MIME part's header ends at a boundary line even without the blank line, as Dovecot reads it.
 */
export type HeaderStop = (lineStart: number, lineEnd: number) => boolean;

/**
 * Finds the fields of the header block that starts at `start` and may extend to `limit`. The block
 * ends at the first empty line (CRLF or bare LF), at a line `stop` accepts, or at `limit`. A line
 * that starts with whitespace continues the previous field; a line without a colon is kept as a
 * field with an empty value (mbox `From ` lines, garbage), so it never swallows the next field.
 * Linear in the size of the block whatever it holds.
 */
export function scanHeaderBlock(
  bytes: Uint8Array,
  start: number,
  limit: number,
  stop?: HeaderStop,
): HeaderBlockLayout {
  const fields: HeaderField[] = [];
  let name = '';
  let fieldStart = -1;
  let valueStart = 0;
  let pos = start;

  const finishField = (end: number) => {
    if (fieldStart >= 0 && fields.length < MIME_LIMITS.maxHeaderFields) {
      fields.push({ name, key: name.toLowerCase(), start: fieldStart, valueStart, end });
    }
    fieldStart = -1;
  };

  while (pos < limit) {
    const lf = indexOfByte(bytes, LF, pos, limit);
    const next = lf < 0 ? limit : lf + 1;
    const contentEnd = lf < 0 ? limit : lf > pos && bytes[lf - 1] === CR ? lf - 1 : lf;

    if (contentEnd === pos && lf >= 0) {
      finishField(pos);
      return { fields, bodyStart: next };
    }
    if (stop && bytes[pos] === 0x2d && stop(pos, contentEnd)) {
      finishField(pos);
      return { fields, bodyStart: pos };
    }
    const first = bytes[pos];
    if ((first === SP || first === HT) && fieldStart >= 0) {
      pos = next;
      continue;
    }
    finishField(pos);
    const colon = indexOfByte(bytes, COLON, pos, contentEnd);
    const nameEnd = colon < 0 ? contentEnd : trimEndWhitespace(bytes, pos, colon);
    name = latin1String(bytes, pos, Math.min(nameEnd, pos + MIME_LIMITS.maxHeaderNameLength));
    fieldStart = pos;
    valueStart = colon < 0 ? contentEnd : colon + 1;
    pos = next;
  }
  finishField(limit);
  return { fields, bodyStart: limit };
}

/** `bytes.indexOf(byte, from)` bounded by `to`; -1 when absent. */
export function indexOfByte(bytes: Uint8Array, byte: number, from: number, to: number): number {
  const at = bytes.indexOf(byte, from);
  return at < 0 || at >= to ? -1 : at;
}

function trimEndWhitespace(bytes: Uint8Array, start: number, end: number): number {
  while (end > start && (bytes[end - 1] === SP || bytes[end - 1] === HT)) end--;
  return end;
}
