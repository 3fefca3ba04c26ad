// Writing header fields into a message's bytes, for extensions that change the message
// (editheader) or build new ones (enotify): a field value folded or RFC 2047-encoded so the
// field is valid RFC 5322 whatever the script put in it, and a header block rebuilt with fields
// added and removed. Pure functions over bytes.
import type { HeaderField, Headers } from '@mailyard/mime';

const encoder = new TextEncoder();

/** Longest encoded word (RFC 2047 section 2), and the UTF-8 bytes that fit in one as base64. */
const ENCODED_WORD_BYTES = 45; // ceil(45 / 3) * 4 = 60 characters + `=?UTF-8?B??=` = 72 <= 75

/** Splits a string into pieces of at most `max` UTF-8 bytes, never inside a character. */
function utf8Chunks(value: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let size = 0;
  for (const character of value) {
    const bytes = encoder.encode(character).length;
    if (size + bytes > max && current !== '') {
      chunks.push(current);
      current = '';
      size = 0;
    }
    current += character;
    size += bytes;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/** The value as RFC 2047 encoded words (UTF-8, base64), one per folded line. */
export function encodeWords(value: string, newline = '\r\n'): string {
  return utf8Chunks(value, ENCODED_WORD_BYTES)
    .map((chunk) => `=?UTF-8?B?${Buffer.from(chunk, 'utf8').toString('base64')}?=`)
    .join(`${newline} `);
}

/**
 * A field value as it may be written after `Name: `: plain printable ASCII is folded at
 * whitespace (lines kept under 78 characters where a space allows it, RFC 5322 section 2.1.1);
 * anything else (non-ASCII, control characters, a word too long to fold) is RFC 2047-encoded, so
 * that a header test reading the field back gets the value as given. Line breaks in the value
 * become folds.
 */
export function foldFieldValue(name: string, value: string, newline = '\r\n'): string {
  const lines = value.split(/\r\n|\r|\n/);
  const plain = lines.every((line) => /^[\x20-\x7e\t]*$/.test(line));
  if (!plain || value.split(/[\s]+/).some((word) => word.length > 900)) {
    return encodeWords(lines.join(' '), newline);
  }
  const out: string[] = [];
  let width = name.length + 2;
  for (const [index, line] of lines.entries()) {
    let rest = line;
    if (index > 0) {
      // A line of the value becomes a continuation line, which must start with whitespace.
      if (!/^[ \t]/.test(rest)) rest = ` ${rest}`;
      out.push(newline);
      width = 0;
    }
    while (width + rest.length > 78) {
      const cut = rest.lastIndexOf(' ', 78 - width);
      if (cut <= 0) break;
      out.push(rest.slice(0, cut), newline);
      rest = rest.slice(cut);
      width = 0;
    }
    out.push(rest);
    width += rest.length;
  }
  return out.join('');
}

/** The line ending a message uses: that of its first line (CRLF unless it uses bare LF). */
export function messageNewline(bytes: Uint8Array): string {
  const lf = bytes.indexOf(0x0a);
  return lf > 0 && bytes[lf - 1] !== 0x0d ? '\n' : '\r\n';
}

export interface HeaderEdit {
  /** Fields to insert before the first field (in this order). */
  readonly first?: readonly string[];
  /** Fields to append after the last field. */
  readonly last?: readonly string[];
  /** Fields to leave out. */
  readonly remove?: ReadonlySet<HeaderField>;
}

/**
 * The message with its header block edited: each added field is `Name: value` without its line
 * ending (added here, in the message's own style). The body is copied unchanged.
 */
export function editHeaderBytes(bytes: Uint8Array, headers: Headers, edit: HeaderEdit): Uint8Array {
  const newline = messageNewline(bytes);
  const pieces: Uint8Array[] = [];
  const start = headers.start;
  pieces.push(bytes.subarray(0, start));
  for (const field of edit.first ?? []) pieces.push(encoder.encode(field + newline));
  let end = start;
  for (const field of headers.fields) {
    if (!edit.remove?.has(field)) pieces.push(bytes.subarray(field.start, field.end));
    end = field.end;
  }
  if (edit.last && edit.last.length > 0) {
    // A last field without a line ending (a message that is only a header) gets one first.
    if (end > start && bytes[end - 1] !== 0x0a) pieces.push(encoder.encode(newline));
    for (const field of edit.last) pieces.push(encoder.encode(field + newline));
  }
  pieces.push(bytes.subarray(end));
  const size = pieces.reduce((total, piece) => total + piece.length, 0);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
