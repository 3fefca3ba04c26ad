import { canonicalCharset, decodeCharset } from './charset.js';
import { decodeBase64 } from './transfer-encoding.js';

/**
 * Decodes the RFC 2047 encoded words of unstructured text (Subject, a display name, a comment).
 * Never throws, and takes time linear in the length of the text.
 *
 * Beyond RFC 2047, it reads what mail clients send in practice, as other readers do:
 * - the bytes of adjacent words in the same charset are joined before the charset decodes them,
 *   so a multibyte character split across two words comes out whole;
 * - words need not be separated from surrounding text (`foo=?utf-8?q?bar?=baz`);
 * - `q` and `b` in either case, `*lang` after the charset (RFC 2231 section 5), base64 with
 *   missing or misplaced padding, Q text holding literal spaces or `?`;
 * - unknown charsets fall back to UTF-8 when the bytes are valid UTF-8, else Windows-1252;
 *   UTF-7 is not decoded (see canonicalCharset).
 *
 * A `=?` that does not start a well-formed word (an unclosed one, say) is left as it is.
 */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text;
  let out = '';
  let copied = 0;
  let run: WordRun | null = null;
  for (let at = text.indexOf('=?'); at >= 0; at = text.indexOf('=?', at + 1)) {
    const word = readEncodedWord(text, at);
    if (word === null) continue;
    const between = text.slice(copied, at);
    // Whitespace between two encoded words is not part of the text (RFC 2047 section 6.2).
    if (run === null || !isLinearWhitespace(between)) {
      if (run !== null) out += run.decode();
      out += between;
      run = null;
    }
    if (run !== null && run.charset === word.charset) run.add(word);
    else {
      if (run !== null) out += run.decode();
      run = new WordRun(word);
    }
    copied = word.end;
    at = word.end - 1;
  }
  if (run !== null) out += run.decode();
  return out + text.slice(copied);
}

interface EncodedWord {
  /** Canonical charset name, or the lowercased label when no decoder knows it. */
  readonly charset: string;
  /** The decoded bytes, with literal non-ASCII characters kept as text where they occur. */
  readonly pieces: readonly (Uint8Array | string)[];
  /** Offset just past the closing `?=`. */
  readonly end: number;
}

/** Adjacent words in one charset, whose bytes decode together. */
class WordRun {
  readonly charset: string;
  private pieces: (Uint8Array | string)[] = [];

  constructor(word: EncodedWord) {
    this.charset = word.charset;
    this.add(word);
  }

  add(word: EncodedWord): void {
    this.pieces.push(...word.pieces);
  }

  decode(): string {
    let out = '';
    let bytes: Uint8Array[] = [];
    const flush = () => {
      if (bytes.length === 0) return;
      out += decodeCharset(bytes.length === 1 ? bytes[0]! : Buffer.concat(bytes), this.charset);
      bytes = [];
    };
    for (const piece of this.pieces) {
      if (typeof piece === 'string') {
        flush();
        out += piece;
      } else bytes.push(piece);
    }
    flush();
    return out;
  }
}

/** Long enough for any registered charset name plus a language tag. */
const MAX_CHARSET_LENGTH = 80;

/**
 * Reads `=?charset?encoding?text?=` at `at`, or returns null. Each scan stops at the next `=?`
 * at the latest (the charset and the B text cannot hold one, and Q text that does is refused),
 * so scanning every candidate costs no more than one pass over the text.
 */
function readEncodedWord(text: string, at: number): EncodedWord | null {
  const charsetStart = at + 2;
  let i = charsetStart;
  while (
    i < text.length &&
    i - charsetStart <= MAX_CHARSET_LENGTH &&
    isCharsetChar(text.charCodeAt(i))
  ) {
    i++;
  }
  if (i === charsetStart || text.charCodeAt(i) !== 0x3f /* ? */) return null;
  const label = text.slice(charsetStart, i);
  const encoding = text.charCodeAt(i + 1) | 0x20;
  if ((encoding !== 0x62 /* b */ && encoding !== 0x71) /* q */ || text.charCodeAt(i + 2) !== 0x3f) {
    return null;
  }
  const textStart = i + 3;
  const textEnd = encoding === 0x62 ? findBase64End(text, textStart) : findQEnd(text, textStart);
  if (textEnd < 0) return null;
  const encoded = text.slice(textStart, textEnd);
  // RFC 2231 section 5: `charset*language`; the language does not change the text.
  const star = label.indexOf('*');
  const charsetLabel = star >= 0 ? label.slice(0, star) : label;
  return {
    charset: canonicalCharset(charsetLabel) ?? charsetLabel.toLowerCase(),
    pieces: encoding === 0x62 ? [decodeBase64(Buffer.from(encoded, 'latin1'))] : decodeQ(encoded),
    end: textEnd + 2,
  };
}

/** token characters of RFC 2047, plus `.` that real charset names have (`ANSI_X3.4-1968`). */
function isCharsetChar(code: number): boolean {
  return code > 0x20 && code < 0x7f && code !== 0x3f && code !== 0x3d && code !== 0x22;
}

/** The offset of the `?=` after base64 text (padding may sit anywhere), or -1. */
function findBase64End(text: string, from: number): number {
  let i = from;
  while (i < text.length && isBase64Char(text.charCodeAt(i))) i++;
  return text.charCodeAt(i) === 0x3f && text.charCodeAt(i + 1) === 0x3d ? i : -1;
}

function isBase64Char(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2b ||
    code === 0x2f ||
    code === 0x3d
  );
}

/**
 * The offset of the `?=` that ends Q text, or -1. Broken clients put literal spaces and `?` in
 * Q text, so anything goes until `?=`, except a `=?`: that starts the next word, and means this
 * one never closed (unless it is a stray `=` right before the closing `?=`).
 */
function findQEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3f && text.charCodeAt(i + 1) === 0x3d) return i;
    if (c === 0x3d && text.charCodeAt(i + 1) === 0x3f) {
      return text.charCodeAt(i + 2) === 0x3d ? i + 1 : -1;
    }
  }
  return -1;
}

/**
 * Q encoding (RFC 2047 section 4.2): `_` is a space, `=XX` a byte, other ASCII itself. Literal
 * non-ASCII characters, which only broken senders write, are kept as the characters they are.
 */
function decodeQ(encoded: string): (Uint8Array | string)[] {
  const pieces: (Uint8Array | string)[] = [];
  const bytes = new Uint8Array(encoded.length);
  let length = 0;
  let start = 0;
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charCodeAt(i);
    if (c === 0x5f /* _ */) bytes[length++] = 0x20;
    else if (c === 0x3d /* = */ && hexValue(encoded, i + 1) >= 0 && hexValue(encoded, i + 2) >= 0) {
      bytes[length++] = (hexValue(encoded, i + 1) << 4) | hexValue(encoded, i + 2);
      i += 2;
    } else if (c < 0x80) bytes[length++] = c;
    else {
      if (length > start) pieces.push(bytes.slice(start, length));
      start = length;
      pieces.push(encoded[i]!);
    }
  }
  if (length > start) pieces.push(bytes.slice(start, length));
  return pieces;
}

function hexValue(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function isLinearWhitespace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}
