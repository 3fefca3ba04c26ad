import { decodeCharset } from './charset.js';
import type { MimePart } from './mime-part.js';
import { decodeTransferEncoding, transferEncodingOf } from './transfer-encoding.js';

/**
 * A part's body as text: transfer encoding undone, then decoded from the declared charset to a
 * string (UTF-8 or Windows-1252 when the charset is missing or unknown). What IMAP SEARCH BODY
 * and TEXT match against, and what a filter reads. `message` is the whole message, as the
 * part's offsets point into it; an unknown transfer encoding leaves the bytes as they are.
 */
export function partText(message: Uint8Array, part: MimePart): string {
  const body = message.subarray(part.bodyStart, part.end);
  const encoding = transferEncodingOf(part.encoding);
  const decoded = encoding === null ? body : decodeTransferEncoding(body, encoding);
  const charset = part.contentType.parameters.find(
    (p) => p.name.toLowerCase() === 'charset',
  )?.value;
  return decodeCharset(decoded, charset);
}
