import {
  type MimePart,
  isMultipart,
  parseContentDisposition,
  parseContentType,
  parseToken,
} from '@mailyard/mime';

/** A MIME header line as Message.pm's _parse_multipart knows one: printable name, colon. */
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
const CONTINUATION_LINE = /^[ \t]/;
// Perl's $ matches before a final newline; the line here keeps its ending.
const BLANK_LINE = /^\r?\n?$/;

/**
 * The one part SpamAssassin reads in a multipart whose body never opens with its boundary
 * (`--boundary` alone on a line), or that names none; null when the body opens normally.
 *
 * @mailyard/mime shows such a multipart as IMAP servers do (Dovecot's one empty part), but
 * Message.pm's _parse_multipart keeps the whole body then, preamble included: it reads MIME
 * header lines from its first line up to the first line that is neither a header nor a
 * continuation (skipped if blank, else the body's first line), and the part runs to the first
 * close delimiter (`--boundary--`) or to the end. With no Content-Type it is text/plain, so
 * spam whose boundary parameter differs from the one its body uses is still read as text.
 * `isRoot`: the multipart is the message's own body (not a part's), where no header is read
 * when its first line has text. A multipart type in that header is not parsed further
 * (SpamAssassin would; not seen).
 */
export function unopenedMultipartPart(
  bytes: Uint8Array,
  multipart: MimePart,
  isRoot: boolean,
): MimePart | null {
  if (!isMultipart(multipart)) return null;
  const boundary = multipart.contentType.parameters.find(
    (p) => p.name.toLowerCase() === 'boundary',
  )?.value;
  const delimiter = boundary === undefined ? null : `--${boundary}`;
  // The common case, a body that opens with its boundary, is found without splitting the body
  // into lines: those are made only for the rare body that never does.
  if (delimiter !== null && hasDelimiterLine(bytes, multipart.bodyStart, multipart.end, delimiter))
    return null;
  const lines = linesOf(bytes, multipart.bodyStart, multipart.end);

  const fields = new Map<string, string>();
  let header: string | null = null;
  // Perl's split(/:\s*/, $header, 2) on a finished header; the last of a repeated one wins, as
  // parse_content_type takes $_[-1]. A header still open when the part ends is dropped, as there.
  const keep = () => {
    if (header === null) return;
    const colon = header.indexOf(':');
    const value = header
      .slice(colon + 1)
      .replace(/^\s+/, '')
      .replace(/\r?\n$/, '');
    fields.set(header.slice(0, colon).toLowerCase(), value);
  };
  // Message.pm (bug 6845) puts a blank line before a message's own multipart body when its first
  // line has text and does not start with the delimiter: there no MIME header is read.
  const first = lines[0]?.text ?? '';
  const headless =
    isRoot &&
    lines.length > 1 &&
    /\S/.test(first) &&
    (delimiter === null || !first.startsWith(delimiter));
  let bodyStart: number | null = headless ? multipart.bodyStart : null;
  let end = multipart.end;
  for (const [index, line] of lines.entries()) {
    if (delimiter !== null && isDelimiter(line.text, delimiter, true)) {
      // The line ending before the delimiter is the delimiter's (RFC 2046).
      bodyStart ??= line.start;
      end = Math.max(trimEol(bytes, line.start), bodyStart);
      break;
    }
    // Message.pm deals with the last line before the header test: it is body.
    if (index === lines.length - 1) {
      bodyStart ??= line.start;
      break;
    }
    if (bodyStart !== null) continue;
    if (HEADER_LINE.test(line.text)) {
      keep();
      header = line.text;
    } else if (CONTINUATION_LINE.test(line.text) && header !== null) {
      header += line.text;
    } else {
      keep();
      bodyStart = BLANK_LINE.test(line.text) ? line.next : line.start;
    }
  }
  bodyStart ??= multipart.end;

  const contentType = fields.has('content-type')
    ? parseContentType(fields.get('content-type')!)
    : null;
  const encoding = fields.get('content-transfer-encoding');
  const disposition = fields.get('content-disposition');
  let lineCount = 0;
  for (let i = bodyStart; i < end; i++) if (bytes[i] === 0x0a) lineCount++;
  return {
    headerStart: multipart.bodyStart,
    bodyStart,
    end,
    lines: lineCount,
    contentType: contentType ?? { type: 'text', subtype: 'plain', parameters: [] },
    contentTypeGiven: contentType !== null,
    encoding: encoding === undefined ? null : parseToken(encoding) || null,
    id: null,
    description: null,
    md5: null,
    disposition: disposition === undefined ? null : parseContentDisposition(disposition),
    language: null,
    location: null,
  };
}

interface Line {
  /** The line with its line ending, as latin1 text (only ASCII is tested). */
  readonly text: string;
  readonly start: number;
  /** Where the next line starts. */
  readonly next: number;
}

function linesOf(bytes: Uint8Array, start: number, end: number): Line[] {
  const lines: Line[] = [];
  const buffer = bufferOf(bytes);
  for (let at = start; at < end;) {
    const next = lineEnd(buffer, at, end);
    lines.push({ text: buffer.toString('latin1', at, next), start: at, next });
    at = next;
  }
  return lines;
}

/** Whether a line between `start` and `end` is the delimiter (`^--\Q$boundary\E\s*$`). */
function hasDelimiterLine(bytes: Uint8Array, start: number, end: number, delimiter: string) {
  const buffer = bufferOf(bytes);
  for (
    let at = buffer.indexOf(delimiter, start, 'latin1');
    at >= 0 && at + delimiter.length <= end;
    at = buffer.indexOf(delimiter, at + 1, 'latin1')
  ) {
    if (at !== start && bytes[at - 1] !== 0x0a) continue;
    const line = buffer.toString('latin1', at, lineEnd(buffer, at, end));
    if (isDelimiter(line, delimiter, false)) return true;
  }
  return false;
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Where the line starting at `at` ends: after its LF, or at `end`. */
function lineEnd(buffer: Buffer, at: number, end: number): number {
  const lf = buffer.indexOf(0x0a, at);
  return lf < 0 || lf >= end ? end : lf + 1;
}

/** `^--\Q$boundary\E\s*$`, or with `(--)?` when a close delimiter also counts. */
function isDelimiter(line: string, delimiter: string, close: boolean): boolean {
  if (!line.startsWith(delimiter)) return false;
  let rest = line.slice(delimiter.length);
  if (close) {
    if (!rest.startsWith('--')) return false;
    rest = rest.slice(2);
  }
  return /^\s*$/.test(rest);
}

/** The offset before the CRLF or LF that ends the line before `lineStart`. */
function trimEol(bytes: Uint8Array, lineStart: number): number {
  let end = lineStart;
  if (bytes[end - 1] === 0x0a) end--;
  if (bytes[end - 1] === 0x0d) end--;
  return end;
}
