import { toBuffer } from './charset.js';
import { EMPTY_ENVELOPE, type Envelope, readEnvelope } from './envelope.js';
import { type HeaderField, scanHeaderBlock } from './header-block.js';
import { fieldValue } from './header-value.js';
import { MIME_LIMITS } from './limits.js';
import {
  type ContentType,
  parseContentDisposition,
  parseContentLanguage,
  parseContentType,
  parseToken,
} from './mime-parameters.js';
import type { MimePart } from './mime-part.js';

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

const TEXT_PLAIN: ContentType = { type: 'text', subtype: 'plain', parameters: [] };
const MESSAGE_RFC822: ContentType = { type: 'message', subtype: 'rfc822', parameters: [] };

/** A parsed message: the root of its MIME tree, its envelope, and its header's fields. */
export interface MimeTree {
  readonly root: MimePart;
  readonly envelope: Envelope;
  readonly header: readonly HeaderField[];
}

/**
 * Parses a message's MIME structure in one forward pass over its bytes, in time linear in their
 * length, whatever the nesting (see {@link MIME_LIMITS}). It never throws: every byte sequence is
 * some message. Bodies are not decoded; the result records where everything is.
 *
 * Boundaries follow RFC 2046 5.1.1 as Dovecot reads it: a line is a delimiter when it starts with
 * `--` and an enclosing multipart's boundary (a prefix is enough); when several boundaries match,
 * the longest wins, and among equals the innermost. A part's header ends at a blank line or at a
 * delimiter line. A multipart without a usable boundary, or without parts, shows one empty part.
 */
export function parseMimeTree(bytes: Uint8Array): MimeTree {
  const { part, envelope, fields } = new TreeParser(bytes).entity(true, TEXT_PLAIN, 0);
  return { root: part, envelope: envelope ?? EMPTY_ENVELOPE, header: fields };
}

/** A delimiter line found at the parser's position. */
interface Delimiter {
  /** Index of the matched boundary in the stack of active ones (0 = outermost). */
  readonly level: number;
  /** A close delimiter (`--boundary--`). */
  readonly close: boolean;
}

class TreeParser {
  private readonly bytes: Buffer;
  private readonly limit: number;
  /** Always at a line start. */
  private pos = 0;
  /** Line feeds in `[0, pos)`, so any body's line count is a subtraction. */
  private lineFeeds = 0;
  /** Boundaries of the enclosing multiparts, outermost first. */
  private readonly boundaries: Buffer[] = [];
  /** The delimiter at `pos`, when the parser stopped at one. */
  private delimiter: Delimiter | null = null;
  private partCount = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = toBuffer(bytes);
    this.limit = bytes.length;
  }

  /**
   * Parses the entity at `pos`, header and body, and stops at the next delimiter line of an
   * enclosing multipart (leaving it in `delimiter`) or at the end of the data.
   */
  entity(
    isMessageRoot: boolean,
    defaultType: ContentType,
    depth: number,
  ): { part: MimePart; envelope: Envelope | null; fields: readonly HeaderField[] } {
    this.partCount++;
    const headerStart = this.pos;
    this.delimiter = null;
    const stop = this.boundaries.length > 0 ? this.stopAtDelimiter : undefined;
    const { fields, bodyStart } = scanHeaderBlock(this.bytes, headerStart, this.limit, stop);
    this.advanceTo(bodyStart);
    const bodyLineFeeds = this.lineFeeds;

    const header = readMimeHeader(this.bytes, fields, isMessageRoot, defaultType);
    const envelope = isMessageRoot
      ? readEnvelope(this.bytes, fields, charsetOf(header.contentType))
      : null;
    /**
     * Completes the part once `pos` has reached what follows it. The line ending before a
     * delimiter belongs to the delimiter, so the part ends before it, but never before
     * `contentStart`: the end of the last line the part consumed whole (a close delimiter).
     * A header cut short that way is cut with it, as Dovecot does.
     */
    const finish = (
      extra: Partial<MimePart>,
      contentStart: number,
      end = this.contentEnd(contentStart),
    ) => {
      const start = Math.min(bodyStart, end);
      const lines = end === start ? 0 : this.lineFeeds - bodyLineFeeds - (end < this.pos ? 1 : 0);
      const part: MimePart = { headerStart, bodyStart: start, end, lines, ...header, ...extra };
      return { part, envelope, fields };
    };

    const type = header.contentType.type.toLowerCase();
    const subtype = header.contentType.subtype.toLowerCase();
    const isMessage = type === 'message' && (subtype === 'rfc822' || subtype === 'global');
    if ((type === 'multipart' || isMessage) && depth >= MIME_LIMITS.maxDepth) {
      this.seekDelimiter();
      const { parameters } = header.contentType;
      return finish(
        { contentType: { type: 'application', subtype: 'octet-stream', parameters } },
        headerStart,
      );
    }
    if (type === 'multipart') {
      const isDigest = subtype === 'digest';
      const { parts, epilogueStart } = this.multipartBody(
        header.contentType,
        isDigest,
        depth,
        bodyStart,
      );
      return finish({ parts }, epilogueStart);
    }
    if (isMessage) {
      const inner = this.entity(true, TEXT_PLAIN, depth + 1);
      const message = { envelope: inner.envelope ?? EMPTY_ENVELOPE, body: inner.part };
      return finish({ message }, bodyStart, inner.part.end);
    }
    this.seekDelimiter();
    // An encapsulated message keeps its whole header even when a delimiter cuts it short.
    return finish({}, isMessageRoot ? bodyStart : headerStart);
  }

  /**
   * The parts of a multipart whose body starts at `pos`. Returns at the delimiter (or end of
   * data) that follows its epilogue or cuts it short, with where the epilogue began.
   */
  private multipartBody(
    contentType: ContentType,
    isDigest: boolean,
    depth: number,
    bodyStart: number,
  ): { parts: MimePart[]; epilogueStart: number } {
    const boundary =
      contentType.parameters.find((p) => p.name.toLowerCase() === 'boundary')?.value ?? '';
    const parts: MimePart[] = [];
    let epilogueStart = bodyStart;
    if (boundary.length > 0 && boundary.length <= MIME_LIMITS.maxBoundaryLength) {
      const level = this.boundaries.push(Buffer.from(boundary, 'utf8')) - 1;
      let delimiter = this.seekDelimiter();
      while (delimiter?.level === level && !delimiter.close) {
        this.skipLine();
        parts.push(this.entity(false, isDigest ? MESSAGE_RFC822 : TEXT_PLAIN, depth + 1).part);
        delimiter = this.delimiter;
      }
      this.boundaries.pop();
      if (delimiter?.level === level) {
        this.skipLine();
        epilogueStart = this.pos;
        this.seekDelimiter();
      }
    } else {
      this.seekDelimiter();
    }
    if (parts.length === 0) parts.push(emptyPart(bodyStart));
    return { parts, epilogueStart };
  }

  /** Header scanning stops at a delimiter line, and remembers it. */
  private readonly stopAtDelimiter = (lineStart: number, lineEnd: number): boolean => {
    this.delimiter = this.matchDelimiter(lineStart, lineEnd);
    return this.delimiter !== null;
  };

  /**
   * Moves to the next delimiter line of any enclosing multipart, or to the end of the data,
   * counting line feeds on the way. Returns the delimiter found, also left in `delimiter`.
   */
  private seekDelimiter(): Delimiter | null {
    this.delimiter = null;
    const { bytes, limit } = this;
    const watching = this.boundaries.length > 0 && this.partCount < MIME_LIMITS.maxParts;
    while (this.pos < limit) {
      const lf = bytes.indexOf(LF, this.pos);
      if (watching && bytes[this.pos] === DASH) {
        const lineEnd = lf < 0 ? limit : lf > this.pos && bytes[lf - 1] === CR ? lf - 1 : lf;
        this.delimiter = this.matchDelimiter(this.pos, lineEnd);
        if (this.delimiter) return this.delimiter;
      }
      if (lf < 0) {
        this.pos = limit;
        break;
      }
      this.pos = lf + 1;
      this.lineFeeds++;
    }
    return null;
  }

  private matchDelimiter(lineStart: number, lineEnd: number): Delimiter | null {
    const { bytes } = this;
    if (this.partCount >= MIME_LIMITS.maxParts) return null;
    if (bytes[lineStart] !== DASH || bytes[lineStart + 1] !== DASH) return null;
    const start = lineStart + 2;
    let level = -1;
    let length = -1;
    for (let i = this.boundaries.length - 1; i >= 0; i--) {
      const boundary = this.boundaries[i]!;
      if (
        boundary.length > length &&
        start + boundary.length <= lineEnd &&
        bytes.compare(boundary, 0, boundary.length, start, start + boundary.length) === 0
      ) {
        level = i;
        length = boundary.length;
      }
    }
    if (level < 0) return null;
    const after = start + length;
    const close = after + 2 <= lineEnd && bytes[after] === DASH && bytes[after + 1] === DASH;
    return { level, close };
  }

  /** Where content that runs to `pos` ends: before the line ending a delimiter owns. */
  private contentEnd(contentStart: number): number {
    if (this.delimiter === null) return this.pos;
    let end = this.pos;
    if (this.bytes[end - 1] === LF) end--;
    if (this.bytes[end - 1] === CR) end--;
    return Math.max(end, contentStart);
  }

  private skipLine(): void {
    const lf = this.bytes.indexOf(LF, this.pos);
    if (lf < 0) {
      this.pos = this.limit;
    } else {
      this.pos = lf + 1;
      this.lineFeeds++;
    }
  }

  private advanceTo(target: number): void {
    for (
      let lf = this.bytes.indexOf(LF, this.pos);
      lf >= 0 && lf < target;
      lf = this.bytes.indexOf(LF, lf + 1)
    ) {
      this.lineFeeds++;
    }
    this.pos = target;
  }
}

type MimeHeader = Pick<
  MimePart,
  | 'contentType'
  | 'contentTypeGiven'
  | 'encoding'
  | 'id'
  | 'description'
  | 'md5'
  | 'disposition'
  | 'language'
  | 'location'
>;

const MIME_FIELDS = [
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'content-md5',
  'content-disposition',
  'content-language',
  'content-location',
] as const;

/**
 * Reads the MIME fields of a header; the first of each counts. In a message header they count only
 * when the message declares itself MIME with MIME-Version or Content-Type, as Dovecot reads it.
 */
function readMimeHeader(
  bytes: Uint8Array,
  fields: readonly HeaderField[],
  isMessageRoot: boolean,
  defaultType: ContentType,
): MimeHeader {
  const found = new Map<string, HeaderField>();
  let isMime = !isMessageRoot;
  for (const field of fields) {
    const name = field.key;
    if (!name.startsWith('content-') && name !== 'mime-version') continue;
    if (name === 'mime-version' || name === 'content-type') isMime = true;
    if (!found.has(name)) found.set(name, field);
  }
  const values: Partial<Record<(typeof MIME_FIELDS)[number], string>> = {};
  if (isMime) {
    for (const name of MIME_FIELDS) {
      const field = found.get(name);
      if (field) values[name] = fieldValue(bytes, field);
    }
  }
  const parsedType =
    values['content-type'] === undefined ? null : parseContentType(values['content-type']);
  const encoding = values['content-transfer-encoding'];
  const disposition = values['content-disposition'];
  const language = values['content-language'];
  return {
    contentType: parsedType ?? defaultType,
    contentTypeGiven: parsedType !== null,
    encoding: encoding === undefined ? null : parseToken(encoding) || null,
    id: values['content-id'] ?? null,
    description: values['content-description'] ?? null,
    md5: values['content-md5'] ?? null,
    disposition: disposition === undefined ? null : parseContentDisposition(disposition),
    language: language === undefined ? null : parseContentLanguage(language),
    location: values['content-location'] ?? null,
  };
}

function charsetOf(contentType: ContentType): string | null {
  return contentType.parameters.find((p) => p.name.toLowerCase() === 'charset')?.value ?? null;
}

/** The part that stands in for the missing parts of a multipart. */
function emptyPart(at: number): MimePart {
  return {
    headerStart: at,
    bodyStart: at,
    end: at,
    lines: 0,
    contentType: TEXT_PLAIN,
    contentTypeGiven: false,
    encoding: null,
    id: null,
    description: null,
    md5: null,
    disposition: null,
    language: null,
    location: null,
  };
}
