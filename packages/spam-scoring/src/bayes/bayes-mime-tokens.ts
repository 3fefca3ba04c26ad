import { createHash } from 'node:crypto';
import {
  type MimePart,
  decodeTransferEncoding,
  isMultipart,
  mediaType,
  transferEncodingOf,
} from '@mailyard/mime';
import type { SaMessageView } from '../spamassassin/message-view.js';
import { asciiLowerCase } from './bayes-line-tokens.js';

/** The structure token is cut here: a message of a thousand parts says so in its first ones. */
const MAX_STRUCTURE_LENGTH = 200;

/**
 * Tokens of the MIME structure: the tree of media types (`MIME*:multipart/alternative(text/plain,
 * text/html)`: HTML alone, an image beside two words), each leaf's type, charset and transfer
 * encoding (`MIME*part:`), and each leaf's content digest with its type (`MIME:<sha1>:<type>`,
 * SpamAssassin's `mimepart` token source), so that an image or an attachment a campaign sends
 * again is known.
 */
export function mimeTokens(view: SaMessageView): string[] {
  const out: string[] = [];
  const structure = describe(view.summary.body, view.bytes, out);
  out.push(`MIME*:${structure.slice(0, MAX_STRUCTURE_LENGTH)}`);
  return out;
}

function describe(part: MimePart, bytes: Uint8Array, out: string[]): string {
  const type = mediaType(part);
  if (isMultipart(part))
    return `${type}(${part.parts.map((child) => describe(child, bytes, out)).join(',')})`;
  if (part.message) return `${type}(${describe(part.message.body, bytes, out)})`;
  const charset = part.contentType.parameters.find((p) => /^charset$/i.test(p.name))?.value;
  const encoding = part.encoding?.trim() ?? '';
  out.push(
    `MIME*part:${type}`,
    `MIME*part:${type};${asciiLowerCase(charset ?? '')};${asciiLowerCase(encoding)}`,
  );
  const body = bytes.subarray(part.bodyStart, part.end);
  const known = transferEncodingOf(encoding);
  const decoded = known === null ? body : decodeTransferEncoding(body, known);
  out.push(`MIME:${createHash('sha1').update(decoded).digest('hex')}:${type}`);
  return type;
}
