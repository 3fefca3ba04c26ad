import { type MimePart, isMultipart, mediaType } from '@mailyard/mime';
import type { SaEvalTest } from './eval-tests.js';
import type { SaMessageView } from './message-view.js';
import { unopenedMultipartPart } from './unopened-multipart.js';

const longestLines = new WeakMap<SaMessageView, number>();

/**
 * MIMEEval's `check_base64_length(min[, max])` (BASE64_LENGTH_78_79, BASE64_LENGTH_79_INF): 1
 * when the longest line of the message's base64 parts is at least `min` and at most `max`
 * characters long. A line counts with its line ending, as Perl's `length` of the part's raw()
 * lines does (so RFC 2045's 76 characters are 77, or 78 with CRLF), and the last line of a part
 * in a multipart without it (Message.pm gives the line ending before a delimiter to the
 * delimiter), and a CRLF counted as one when Message.pm turns the message's CRLFs into LFs (its
 * first or last line ends in CRLF). `application/ics` parts are skipped (Google Calendar's invitations), as there.
 */
export function checkBase64Length(args: readonly string[]): SaEvalTest | null {
  const min = Number(args[0]);
  const max = args[1] === undefined ? Infinity : Number(args[1]);
  if (args[0] === undefined || !Number.isFinite(min) || Number.isNaN(max)) return null;
  return (view) => {
    let longest = longestLines.get(view);
    if (longest === undefined) longestLines.set(view, (longest = longestBase64Line(view)));
    return longest >= min && longest <= max ? 1 : 0;
  };
}

function longestBase64Line(view: SaMessageView): number {
  const squashCrlf = endsLinesWithCrlf(view.bytes);
  let longest = 0;
  const visit = (part: MimePart): void => {
    if (isMultipart(part)) {
      const whole = unopenedMultipartPart(view.bytes, part, part === view.summary.body);
      return whole ? visit(whole) : part.parts.forEach(visit);
    }
    if (part.message) return visit(part.message.body);
    if (mediaType(part) === 'application/ics') return;
    if ((part.encoding ?? '').toLowerCase() !== 'base64') return;
    let lineStart = part.bodyStart;
    for (let i = part.bodyStart; i < part.end; i++) {
      if (view.bytes[i] !== 0x0a) continue;
      const crlf = squashCrlf && i > lineStart && view.bytes[i - 1] === 0x0d;
      longest = Math.max(longest, i + 1 - lineStart - (crlf ? 1 : 0));
      lineStart = i + 1;
    }
    longest = Math.max(longest, part.end - lineStart);
  };
  visit(view.summary.body);
  return longest;
}

/** Message.pm's test for a CRLF message: its first line, or its last, holds a CRLF. */
function endsLinesWithCrlf(bytes: Uint8Array): boolean {
  const firstLf = bytes.indexOf(0x0a);
  if (firstLf > 0 && bytes[firstLf - 1] === 0x0d) return true;
  const end =
    bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length;
  const lastLineStart = bytes.lastIndexOf(0x0a, end - 1) + 1;
  const lastLf = bytes.indexOf(0x0a, lastLineStart);
  return lastLf > lastLineStart && bytes[lastLf - 1] === 0x0d;
}
