/**
 * Where SpamAssassin's Message.pm ends a header that has no blank line after it, and @mailyard/mime
 * (which reads as Dovecot does, to the blank line) does not:
 * - the message's header ends at a line that starts with `--` (ratware that forgot the blank
 *   line before its first MIME boundary) or at its fourth line that is no field (the first three
 *   are skipped); the body starts with that line;
 * - a MIME part's header ends at its first line that is neither a field nor a continuation of
 *   one (`Content-Type: text/plain` then `bar`): that line starts the part's body
 *   (MISSING_MIME_HB_SEP).
 * Read to the blank line, such a message loses its body text and MIME structure to the header
 * (its first text part, or the whole multipart), where SpamAssassin's rules and Bayes read them.
 * So the view reads a copy of the message with a line break put where Message.pm ends each such
 * header, and the full message (`full` rules, Message.pm's own flags) as it was.
 */
import {
  type MessageSummary,
  type MimePart,
  fieldValue,
  isMultipart,
  parseContentDisposition,
  parseHeaders,
  parseToken,
  summarize,
} from '@mailyard/mime';

/** The message and its MIME tree as the view reads them. */
export interface ReadStructure {
  readonly bytes: Uint8Array;
  readonly summary: MessageSummary;
}

/** A field line as Message.pm knows one: printable US-ASCII name (no colon), colon. */
const FIELD_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
/** Message.pm skips this many lines that are no field in the message's header; the next ends it. */
const SKIPPED_BAD_LINES = 3;
/** Each pass may reveal parts whose headers end early in turn; nested that deep, no more. */
const MAX_PASSES = 4;

/** The lines of `[start, end)`: each line's start, and where its content ends (no line break). */
function* linesOf(
  bytes: Uint8Array,
  start: number,
  end: number,
): Generator<{ start: number; contentEnd: number; text: string }> {
  let at = start;
  while (at < end) {
    let lf = bytes.indexOf(0x0a, at);
    if (lf < 0 || lf >= end) lf = end;
    const contentEnd = lf > at && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    // Only the first octets decide what a line is: no need to copy a long one whole.
    const text = Buffer.from(
      bytes.buffer,
      bytes.byteOffset + at,
      Math.min(contentEnd - at, 300),
    ).toString('latin1');
    yield { start: at, contentEnd, text };
    at = lf + 1;
  }
}

/** Where Message.pm ends the message's header before the blank line that ends it here, or -1. */
function messageHeaderEnd(bytes: Uint8Array, root: MimePart): number {
  let badLines = 0;
  let first = true;
  for (const line of linesOf(bytes, root.headerStart, root.bodyStart)) {
    const { text } = line;
    // An mbox `From ` line before the header is taken off, not counted.
    const mbox = first && /^From\s+(?!:)/.test(text);
    first = false;
    if (mbox || /^[ \t]/.test(text)) continue;
    if (line.contentEnd === line.start) return -1;
    if (text.startsWith('--')) return line.start;
    if (!FIELD_LINE.test(text) && ++badLines > SKIPPED_BAD_LINES) return line.start;
  }
  return -1;
}

/** Where Message.pm ends a MIME part's header before the blank line that ends it here, or -1. */
function partHeaderEnd(bytes: Uint8Array, part: MimePart): number {
  let inField = false;
  for (const line of linesOf(bytes, part.headerStart, part.bodyStart)) {
    if (FIELD_LINE.test(line.text)) inField = true;
    else if (inField && /^[ \t]/.test(line.text)) continue;
    else return line.contentEnd === line.start ? -1 : line.start;
  }
  return -1;
}

/** The offsets where a header ends early, in the parts of the multiparts under `part`. */
function partBreaks(bytes: Uint8Array, part: MimePart, out: number[]): void {
  if (!isMultipart(part)) return;
  for (const child of part.parts) {
    const end = partHeaderEnd(bytes, child);
    if (end >= 0) out.push(end);
    else partBreaks(bytes, child, out);
  }
}

/** `bytes` with a line break (the message's own kind) put at each offset. */
function withBreaks(bytes: Uint8Array, offsets: readonly number[]): Uint8Array {
  const lineBreak =
    bytes.indexOf(0x0a) > 0 && bytes[bytes.indexOf(0x0a) - 1] === 0x0d ? '\r\n' : '\n';
  const pieces: Uint8Array[] = [];
  let copied = 0;
  for (const offset of offsets) {
    pieces.push(bytes.subarray(copied, offset), Buffer.from(lineBreak, 'latin1'));
    copied = offset;
  }
  pieces.push(bytes.subarray(copied));
  return Buffer.concat(pieces);
}

/**
 * A message that does not declare itself MIME (no MIME-Version, no Content-Type) is read by
 * @mailyard/mime as plain text whatever its other Content- fields say, as Dovecot reads it;
 * Message.pm reads its Content-Transfer-Encoding and Content-Disposition all the same (a
 * base64 body under `Content-Transfer-Encoding: base64` alone is decoded there). The summary's
 * root then carries them.
 */
function withUndeclaredMimeFields(bytes: Uint8Array, summary: MessageSummary): MessageSummary {
  const root = summary.body;
  if (root.contentTypeGiven || root.encoding !== null || root.disposition !== null) return summary;
  const headers = parseHeaders(bytes, root.headerStart);
  const encoding = headers.lookup('content-transfer-encoding')[0];
  const disposition = headers.lookup('content-disposition')[0];
  if (!encoding && !disposition) return summary;
  return {
    ...summary,
    body: {
      ...root,
      encoding: encoding ? parseToken(fieldValue(bytes, encoding)) || null : null,
      disposition: disposition ? parseContentDisposition(fieldValue(bytes, disposition)) : null,
    },
  };
}

/**
 * The message as the view reads it: itself (nearly always), or a copy with a line break where
 * Message.pm ends a header that runs into its body, parsed again; a message that does not
 * declare itself MIME with its transfer encoding and disposition read all the same.
 */
export function readStructure(bytes: Uint8Array, summary: MessageSummary): ReadStructure {
  const structure = withLineBreaks(bytes, summary);
  return {
    bytes: structure.bytes,
    summary: withUndeclaredMimeFields(structure.bytes, structure.summary),
  };
}

function withLineBreaks(bytes: Uint8Array, summary: MessageSummary): ReadStructure {
  let structure: ReadStructure = { bytes, summary };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const breaks: number[] = [];
    const rootEnd = messageHeaderEnd(structure.bytes, structure.summary.body);
    // The message's header first: the parts are only known once its body is.
    if (rootEnd >= 0) breaks.push(rootEnd);
    else partBreaks(structure.bytes, structure.summary.body, breaks);
    if (breaks.length === 0) break;
    const patched = withBreaks(
      structure.bytes,
      breaks.sort((a, b) => a - b),
    );
    structure = { bytes: patched, summary: summarize(patched) };
  }
  return structure;
}
