import { type MimePart, isMultipart, mediaType } from '@mailyard/mime';
import type { SaMessageView } from './message-view.js';

const CR = 0x0d;
const LF = 0x0a;

/**
 * MIMEEval's `check_for_ascii_text_illegal` (PP_MIME_FAKE_ASCII_TEXT): a text/plain part that
 * claims US-ASCII (no charset, `us-ascii`, or no Content-Type at all) whose raw body, as sent,
 * holds a NUL, an octet over 0x7F or a CR that does not end a line. A message written with CRLF
 * line ends has its CRLFs read as line ends (SpamAssassin squashes them); one written with LF
 * alone keeps any CR it has, which then counts. One pass over each such part's octets.
 */
export function checkForAsciiTextIllegal(view: SaMessageView): number {
  const { bytes } = view;
  const crlf = usesCrlf(bytes);
  let illegal = false;
  const visit = (part: MimePart) => {
    if (illegal) return;
    if (isMultipart(part)) return part.parts.forEach(visit);
    if (part.message) return visit(part.message.body);
    if (mediaType(part) !== 'text/plain') return;
    const charset = part.contentType.parameters
      .find((p) => p.name.toLowerCase() === 'charset')
      ?.value.toLowerCase();
    if (charset !== undefined && charset !== 'us-ascii') return;
    for (let i = part.bodyStart; i < part.end; i++) {
      const octet = bytes[i]!;
      if (octet === 0 || octet >= 0x80 || (octet === CR && !(crlf && bytes[i + 1] === LF))) {
        illegal = true;
        return;
      }
    }
  };
  visit(view.summary.body);
  return illegal ? 1 : 0;
}

/** Whether the message's first or last line ends in CRLF, as Message.pm decides it. */
export function usesCrlf(bytes: Uint8Array): boolean {
  const firstEnd = bytes.indexOf(LF);
  const lastEnd = bytes.length > 0 && bytes[bytes.length - 1] === LF ? bytes.length - 1 : -1;
  return (firstEnd > 0 && bytes[firstEnd - 1] === CR) || (lastEnd > 0 && bytes[lastEnd - 1] === CR);
}
