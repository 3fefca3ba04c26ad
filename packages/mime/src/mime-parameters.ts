import { decodeCharset } from './charset.js';
import { decodeEncodedWords } from './encoded-words.js';

/** A parameter of a MIME field (`charset=utf-8`), name and value as written. */
export interface MimeParameter {
  readonly name: string;
  readonly value: string;
}

/** A `Content-Type` value; type and subtype keep the case they were written in. */
export interface ContentType {
  readonly type: string;
  readonly subtype: string;
  readonly parameters: readonly MimeParameter[];
}

/** A `Content-Disposition` value. */
export interface ContentDisposition {
  readonly type: string;
  readonly parameters: readonly MimeParameter[];
}

/**
 * Parses a `Content-Type` value (RFC 2045 section 5.1), tolerating comments anywhere, junk after
 * parameters and missing semicolons' worth of garbage. Returns null when there is no `type/subtype`
 * at all: RFC 2045 recommends reading such a field as if it were absent.
 * RFC 2231 continuations are joined, see {@link joinContinuations}.
 */
export function parseContentType(value: string): ContentType | null {
  const scanner = new ParameterScanner(value);
  const type = scanner.token();
  if (!type || !scanner.take('/')) return null;
  const subtype = scanner.token();
  if (!subtype) return null;
  return { type, subtype, parameters: joinContinuations(scanner.parameters()) };
}

/** Parses a `Content-Disposition` value (RFC 2183); the type may be empty, as Dovecot reports it. */
export function parseContentDisposition(value: string): ContentDisposition {
  const scanner = new ParameterScanner(value);
  const type = scanner.token();
  return { type, parameters: joinContinuations(scanner.parameters()) };
}

/** Parses a `Content-Language` list (RFC 3282): its tags, comments dropped; null when empty. */
export function parseContentLanguage(value: string): string[] | null {
  const scanner = new ParameterScanner(value);
  const tags: string[] = [];
  while (!scanner.atEnd()) {
    const tag = scanner.token();
    if (tag) tags.push(tag);
    else if (!scanner.take(',')) scanner.skipJunk();
  }
  return tags.length > 0 ? tags : null;
}

/** The first token of a value with comments dropped, e.g. `BASE64 (comment)` → `BASE64`. */
export function parseToken(value: string): string {
  return new ParameterScanner(value).token();
}

/**
 * The decoded value of a parameter by name (case-insensitive): an RFC 2231 extended value
 * (`filename*=utf-8''%E2%82%AC.txt`) is preferred, as RFC 6266 asks, and decoded from its charset;
 * a plain value is returned with any RFC 2047 encoded words decoded, because many clients write
 * `name="=?utf-8?B?...?="` although RFC 2047 forbids it.
 */
export function parameterValue(
  parameters: readonly MimeParameter[],
  name: string,
): string | undefined {
  const key = name.toLowerCase();
  const extended = parameters.find((p) => p.name.toLowerCase() === `${key}*`);
  if (extended) return decodeExtendedValue(extended.value);
  const plain = parameters.find((p) => p.name.toLowerCase() === key);
  return plain && decodeEncodedWords(plain.value);
}

/**
 * Joins RFC 2231 continuations the way Dovecot presents them in BODYSTRUCTURE: `name*0`, `name*1`
 * become one `name`; when a section is extended (`name*0*=utf-8''...`), one `name*` whose value keeps
 * the `charset'language'` prefix and percent-encoding, plain sections percent-encoded to match.
 * Plain parameters keep their order and come first; extended and joined ones follow in order of
 * first appearance, as Dovecot orders them. Sections that do not run 0, 1, 2, ... without gap or repeat are left
 * as they were written rather than guessed at.
 */
export function joinContinuations(parameters: readonly MimeParameter[]): MimeParameter[] {
  const plain: MimeParameter[] = [];
  const continuations = new Map<string, Continuation>();
  // Extended parameters (`name*=`) and joined continuations follow the plain ones.
  const joined: MimeParameter[] = [];
  for (const parameter of parameters) {
    const match = /^(.+?)\*(0|[1-9]\d{0,3})(\*?)$/.exec(parameter.name);
    if (!match) {
      (parameter.name.endsWith('*') ? joined : plain).push(parameter);
      continue;
    }
    const key = match[1]!.toLowerCase();
    let continuation = continuations.get(key);
    if (!continuation) continuations.set(key, (continuation = { base: match[1]!, sections: [] }));
    continuation.sections.push({
      index: Number(match[2]),
      extended: match[3] === '*',
      value: parameter.value,
    });
  }

  for (const { base, sections } of continuations.values()) {
    const ordered = [...sections].sort((a, b) => a.index - b.index);
    if (!ordered.every((section, i) => section.index === i)) {
      for (const s of sections)
        joined.push({ name: `${base}*${s.index}${s.extended ? '*' : ''}`, value: s.value });
    } else if (!ordered.some((section) => section.extended)) {
      joined.push({ name: base, value: ordered.map((section) => section.value).join('') });
    } else {
      const prefix = ordered[0]!.extended ? '' : "''";
      const value = ordered.map((s) => (s.extended ? s.value : percentEncode(s.value))).join('');
      joined.push({ name: `${base}*`, value: prefix + value });
    }
  }
  return [...plain, ...joined];
}

interface Continuation {
  /** The parameter name as first written, without the section suffix. */
  base: string;
  sections: { index: number; extended: boolean; value: string }[];
}

/** Decodes `charset'language'percent-encoded` (RFC 2231 section 4). */
function decodeExtendedValue(value: string): string {
  const match = /^([^']*)'[^']*'(.*)$/s.exec(value);
  const charset = match ? match[1]! : '';
  const encoded = match ? match[2]! : value;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(encoded[i]!, 'utf8'));
    }
  }
  return decodeCharset(Uint8Array.from(bytes), charset || null);
}

/** Percent-encodes what an RFC 2231 extended value may not carry bare. */
function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c)
      ? c
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** RFC 2045 tspecials, plus whitespace and controls: what ends a token. */
const TOKEN_END = /[\s()<>@,;:\\"/[\]?=\x00-\x1f\x7f]/;

/**
 * A cursor over a structured MIME field value: tokens, quoted strings and `;`-separated
 * parameters, with comments (nested, with quoted-pairs) skipped wherever whitespace may stand.
 */
class ParameterScanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    this.skipSpaceAndComments();
    return this.pos >= this.text.length;
  }

  take(char: string): boolean {
    this.skipSpaceAndComments();
    if (this.text[this.pos] !== char) return false;
    this.pos++;
    return true;
  }

  token(): string {
    this.skipSpaceAndComments();
    const start = this.pos;
    while (this.pos < this.text.length && !TOKEN_END.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Skips one character that fits nowhere, so that scanning always moves on. */
  skipJunk(): void {
    this.pos++;
  }

  /** The `; name=value` list that follows the main value, as written. */
  parameters(): MimeParameter[] {
    const parameters: MimeParameter[] = [];
    while (this.skipToSemicolon()) {
      const name = this.token();
      if (!name || !this.take('=')) continue;
      this.skipSpaceAndComments();
      const value = this.text[this.pos] === '"' ? this.quoted() : this.bareValue();
      parameters.push({ name, value });
    }
    return parameters;
  }

  /** Moves past the next `;` outside quotes and comments; false at the end. */
  private skipToSemicolon(): boolean {
    for (;;) {
      this.skipSpaceAndComments();
      const c = this.text[this.pos];
      if (c === undefined) return false;
      this.pos++;
      if (c === ';') return true;
      if (c === '"') this.skipQuotedRest();
    }
  }

  /**
   * An unquoted value runs to whitespace, `;` or a quote. That is looser than RFC 2045's token:
   * `filename=report(1).pdf` or `name=a=b` are common and mean what they say.
   */
  private bareValue(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s;"]/.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private quoted(): string {
    this.pos++;
    let value = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === '"') return value;
      if (c === '\\' && this.pos < this.text.length) value += this.text[this.pos++];
      else if (c !== '\r' && c !== '\n') value += c;
    }
    return value;
  }

  private skipQuotedRest(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++];
      if (c === '"') return;
      if (c === '\\') this.pos++;
    }
  }

  private skipSpaceAndComments(): void {
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === '(') depth++;
      else if (c === ')' && depth > 0) depth--;
      else if (c === '\\' && depth > 0) this.pos++;
      else if (depth === 0 && c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') return;
      this.pos++;
    }
  }
}
