import { decodeTransferEncoding } from '@mailyard/mime';
import { bytesToBinaryString } from './binary-string.js';
import type { SaMessageView } from './message-view.js';
import { MAX_HEADER_VALUE_LENGTH } from './raw-header-block.js';

/**
 * What Mail::SpamAssassin::Message flags while it parses a message, for MIMEEval's
 * `check_msg_parse_flags(flag)`: the header block and each multipart's lines read again as
 * Message.pm reads them (not as @mailyard/mime does, which follows RFC 2046 and Dovecot).
 */
export interface MessageParseFlags {
  /** A header name over 256 octets, a value over 8,192, or all headers over 65,536 (HEAD_LONG). */
  readonly truncated_header: boolean;
  /** The header ends at the end of the message, a `--` line or the 4th line that is no field. */
  readonly missing_head_body_separator: boolean;
  /** A part's header runs into its body without a blank line (MISSING_MIME_HB_SEP). */
  readonly missing_mime_head_body_separator: boolean;
  /** A delimiter line not followed by a header line (T_TVD_MIME_NO_HEADERS). */
  readonly missing_mime_headers: boolean;
  /** Text after a multipart's close delimiter other than white space and dots (T_TVD_MIME_EPI). */
  readonly mime_epilogue_exists: boolean;
}

export type MessageParseFlag = keyof MessageParseFlags;

export const MESSAGE_PARSE_FLAGS: readonly MessageParseFlag[] = [
  'truncated_header',
  'missing_head_body_separator',
  'missing_mime_head_body_separator',
  'missing_mime_headers',
  'mime_epilogue_exists',
];

/** Message.pm's MAX_HEADER_KEY_LENGTH. */
const MAX_HEADER_KEY_LENGTH = 256;
/** Node.pm's MAX_HEADER_LENGTH: all headers, `Name: value\n` each, decoded. */
const MAX_HEADER_LENGTH = 65_536;
/**
 * Message.pm's default `subparse`: multiparts nested deeper are not parsed. It also bounds the
 * work here: each level reads its lines once, so a message is read at most 20 times.
 */
export const MAX_MULTIPART_DEPTH = 20;
/** _parse_multipart stops reading a multipart at its 1,000th part. */
const MAX_PARTS_PER_MULTIPART = 1000;

/** A MIME header line as Message.pm knows one: printable US-ASCII name (no colon), colon. */
const FIELD_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
/** The same at the start of a part's line after a delimiter (no white space before the colon). */
const FIELD_START = /^[\x21-\x39\x3b-\x7e]+:/;
const CONTINUATION = /^[ \t]/;
/** Perl's \S on octets. */
const NOT_SPACE = /[^ \t\n\x0b\f\r]/;
const ONLY_SPACE = /^[ \t\n\x0b\f\r]*$/;
const EPILOGUE_TEXT = /[^ \t\n\x0b\f\r.]/;

const flagsByContent = new WeakMap<object, MessageParseFlags>();

export function messageParseFlagsOf(view: SaMessageView): MessageParseFlags {
  let flags = flagsByContent.get(view.contentKey);
  if (!flags) flagsByContent.set(view.contentKey, (flags = parseFlags(view)));
  return flags;
}

type MutableFlags = { -readonly [flag in MessageParseFlag]: boolean };

function parseFlags(view: SaMessageView): MessageParseFlags {
  const flags: MutableFlags = {
    truncated_header: false,
    missing_head_body_separator: false,
    missing_mime_head_body_separator: false,
    missing_mime_headers: false,
    mime_epilogue_exists: false,
  };
  if ((view.header('ALL', null) ?? '').length > MAX_HEADER_LENGTH) flags.truncated_header = true;
  const queue: Pending[] = [readMessage(view.full(), MAX_MULTIPART_DEPTH, flags)];
  // A scratch object for the header flags of attached messages: Message.pm sets those on the
  // attached message's own object, but the multipart flags on the message being scanned.
  const attachedHeaderFlags: MutableFlags = { ...flags };
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { type, boundary, body, depth } = next;
    if (type.startsWith('multipart/') && boundary !== undefined && depth > 0)
      parseMultipart(body, boundary, depth - 1, queue, flags);
    else if ((type === 'message/rfc822' || type === 'message/global') && depth > 0) {
      const decoded = decodedText(body.join(''), next.encoding);
      if (decoded !== '') queue.push(readMessage(decoded, depth - 1, attachedHeaderFlags));
    }
  }
  return flags;
}

/**
 * Message.pm's `new` on a message's text: its header read (header flags into `flags`), its
 * body in lines, ready for the parse queue.
 */
function readMessage(text: string, depth: number, flags: MutableFlags): Pending {
  const lines = linesOf(text);
  // Message.pm takes an mbox separator off first.
  if (lines.length > 0 && /^From\s+(?!:)/.test(lines[0]!)) lines.shift();
  const crlf = lines.length > 0 && (lines[0]!.includes('\r\n') || lines.at(-1)!.includes('\r\n'));
  const lineEnding = crlf ? '\r\n' : '\n';
  const { bodyStart, contentType, encoding } = readHeader(lines, crlf, lineEnding, flags);
  const body = lines.slice(bodyStart);
  if (crlf) for (let i = 0; i < body.length; i++) body[i] = body[i]!.replace(/\r\n$/, '\n');
  const { type, boundary } = parseContentType(contentType);
  // Bug 6845: a multipart body whose first line has text and is not the delimiter gets a blank
  // line before it, so that no MIME header is read from it.
  if (
    type.startsWith('multipart/') &&
    body.length > 1 &&
    NOT_SPACE.test(body[0]!) &&
    (boundary === undefined || !body[0]!.startsWith(`--${boundary}`))
  )
    body.unshift('\n');
  return { type, boundary, body, depth, encoding };
}

/** Node.pm's decode() of a message part: base64 and quoted-printable undone, else as it is. */
function decodedText(text: string, encoding: string | undefined): string {
  const name = (encoding ?? '').toLowerCase();
  const known = name.includes('quoted-printable')
    ? 'quoted-printable'
    : name.includes('base64')
      ? 'base64'
      : null;
  if (known === null) return text;
  return bytesToBinaryString(decodeTransferEncoding(Buffer.from(text, 'latin1'), known));
}

/** A part waiting to be parsed, as Message.pm's parse queue holds it. */
interface Pending {
  readonly type: string;
  readonly boundary: string | undefined;
  readonly body: readonly string[];
  /** How many more multipart levels may be parsed (Message.pm's `subparse`). */
  readonly depth: number;
  /** The part's last Content-Transfer-Encoding (for an attached message). */
  readonly encoding: string | undefined;
}

/** The message's lines, each with its line ending (the last one may have none). */
function linesOf(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let lf = text.indexOf('\n'); lf >= 0; lf = text.indexOf('\n', start)) {
    lines.push(text.slice(start, lf + 1));
    start = lf + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/**
 * Message.pm's header loop: where the body starts, the last Content-Type's value (unfolded,
 * trimmed), and the header flags.
 */
function readHeader(
  lines: readonly string[],
  crlf: boolean,
  lineEnding: string,
  flags: MutableFlags,
): { bodyStart: number; contentType: string | undefined; encoding: string | undefined } {
  let header: string | undefined;
  let errors = 0;
  let contentType: string | undefined;
  let encoding: string | undefined;
  for (let i = 0; ; i++) {
    const eof = i >= lines.length;
    let current = eof ? lineEnding : lines[i]!;
    if (crlf) current = current.replace(/(?<!\r)\n/g, '\r\n');
    if (CONTINUATION.test(current)) {
      header = (header ?? '') + current;
      continue;
    }
    if (header !== undefined) {
      const colon = header.indexOf(':');
      if (colon >= 0) {
        const key = header.slice(0, colon).replace(/[ \t]+$/, '');
        let value = header.slice(colon + 1);
        if (crlf) value = value.replace(/\r\n/g, '\n');
        if (key.length > MAX_HEADER_KEY_LENGTH || value.length > MAX_HEADER_VALUE_LENGTH)
          flags.truncated_header = true;
        const name = key.slice(0, MAX_HEADER_KEY_LENGTH).toLowerCase();
        if (name === 'content-type')
          contentType = unfoldedValue(value.slice(0, MAX_HEADER_VALUE_LENGTH));
        if (name === 'content-transfer-encoding')
          encoding = unfoldedValue(value.slice(0, MAX_HEADER_VALUE_LENGTH));
      }
    }
    if (current === lineEnding) {
      if (eof) flags.missing_head_body_separator = true;
      return { bodyStart: i + 1, contentType, encoding };
    }
    if (current.startsWith('--')) {
      flags.missing_head_body_separator = true;
      return { bodyStart: i, contentType, encoding };
    }
    // A few lines that are no field are read as fields; the 4th starts the body.
    if (!FIELD_LINE.test(current) && ++errors > 3) {
      flags.missing_head_body_separator = true;
      return { bodyStart: i, contentType, encoding };
    }
    header = current;
  }
}

/** Node.pm's decoded value: folds one space, white space trimmed, line ends dropped. */
function unfoldedValue(value: string): string {
  return value
    .replace(/\n[ \t]+/g, ' ')
    .replace(/^[ \t\n\x0b\f\r]+|[ \t\n\x0b\f\r]+$/g, '')
    .replace(/\r?\n/g, '');
}

/** Util.pm's parse_content_type: the type and the boundary, as Message.pm reads them. */
function parseContentType(value: string | undefined): {
  type: string;
  boundary: string | undefined;
} {
  const ct = value || 'text/plain; charset=us-ascii';
  const boundary = /\bboundary\s*=\s*("[^"]+|[^\s";]+(?=[\s;]|$))/i
    .exec(ct)?.[1]
    ?.replace(/"/g, '');
  let type = ct
    .replace(/^[ \t\n\x0b\f\r]+/, '')
    .replace(/;[\s\S]*$/, '')
    .replace(/^([^/]+(?:\/[^/ \t\n\x0b\f\r]*)?)[\s\S]*$/, '$1')
    .toLowerCase();
  if (!type || (/^text\b/.test(type) && !/^text\/(?:x-vcard|calendar|html)$/.test(type)))
    type = 'text/plain';
  type = type.replace(/[\x00-\x20\x7f-\xff"(),:-?@[-\]]/g, '');
  return { type, boundary };
}

/** Whether a line is `--boundary` (open) or `--boundary--` (close), white space after it. */
function delimiterOf(line: string, boundary: string): 'open' | 'close' | null {
  if (!line.startsWith('--') || !line.startsWith(boundary, 2)) return null;
  const rest = line.slice(2 + boundary.length);
  if (rest.startsWith('--') && ONLY_SPACE.test(rest.slice(2))) return 'close';
  return ONLY_SPACE.test(rest) ? 'open' : null;
}

/** Message.pm's _parse_multipart, for its flags and the parts it queues. */
function parseMultipart(
  lines: readonly string[],
  boundary: string,
  depth: number,
  queue: Pending[],
  flags: MutableFlags,
): void {
  let body = lines;
  // The preamble up to the first opening delimiter is skipped; none, and the whole body is read.
  const open = body.findIndex((line) => delimiterOf(line, boundary) === 'open');
  if (open >= 0) {
    if (open + 1 < body.length && !FIELD_START.test(body[open + 1]!))
      flags.missing_mime_headers = true;
    body = body.slice(open + 1);
  }
  let nested = false;
  let inBody = false;
  let header: string | null = null;
  let partContentType: string | undefined;
  let partEncoding: string | undefined;
  let part: string[] | null = null;
  let parts = 0;
  let left = body.length;
  let closed = false;
  // Perl's split(/:\s*/, $header, 2): the key as written, the value after the colon. Only the
  // header that ends the part's header block is checked for a nested reuse of the boundary.
  const keepHeader = (last: boolean) => {
    if (!header) return;
    const colon = header.indexOf(':');
    const name = header.slice(0, colon).toLowerCase();
    if (name === 'content-transfer-encoding') partEncoding = unfoldedValue(header.slice(colon + 1));
    if (name !== 'content-type') return;
    partContentType = unfoldedValue(header.slice(colon + 1));
    if (last && parseContentType(partContentType).boundary === boundary) nested = true;
  };
  for (const line of body) {
    let delimiter = delimiterOf(line, boundary);
    // One level of a nested multipart that reuses this boundary (bug 7358).
    if (delimiter !== null && nested) {
      if (delimiter === 'close') nested = false;
      delimiter = null;
    }
    if (--left === 0 || delimiter !== null) {
      if (delimiter === null) (part ??= []).push(line);
      else if (part) {
        part[part.length - 1] = part.at(-1)!.replace(/\n$/, '');
        if (part.at(-1) === '') part.pop();
      } else part = [];
      const { type, boundary: partBoundary } = parseContentType(partContentType);
      queue.push({
        type,
        boundary: partBoundary || boundary,
        body: part,
        depth,
        encoding: partEncoding,
      });
      if (delimiter === 'close') {
        closed = true;
        break;
      }
      if (delimiter === 'open' && left > 0 && !FIELD_START.test(body[body.length - left]!))
        flags.missing_mime_headers = true;
      if (++parts === MAX_PARTS_PER_MULTIPART) return;
      inBody = false;
      part = null;
      header = null;
      partContentType = undefined;
      partEncoding = undefined;
      continue;
    }
    if (!inBody) {
      if (FIELD_LINE.test(line)) {
        keepHeader(false);
        header = line;
        continue;
      }
      if (CONTINUATION.test(line) && header) {
        header += line;
        continue;
      }
      keepHeader(true);
      inBody = true;
      if (/^\r?\n?$/.test(line)) continue;
      flags.missing_mime_head_body_separator = true;
    }
    (part ??= []).push(line);
  }
  // The epilogue: what follows the close delimiter.
  if (closed && left > 0)
    for (let i = body.length - left; i < body.length; i++)
      if (EPILOGUE_TEXT.test(body[i]!)) {
        flags.mime_epilogue_exists = true;
        break;
      }
}

/** MIMEEval's `check_msg_parse_flags(flag)`: 1 when Message.pm set that flag. */
export function checkMsgParseFlags(
  args: readonly string[],
): ((view: SaMessageView) => number) | null {
  const flag = MESSAGE_PARSE_FLAGS.find((known) => known === args[0]);
  if (flag === undefined) return null;
  return (view) => (messageParseFlagsOf(view)[flag] ? 1 : 0);
}
