import {
  type ByteRange,
  type MimePart,
  decodeTransferEncoding,
  findSection,
  scanHeaderBlock,
  sectionRange,
  transferEncodingOf,
} from '@mailyard/mime';
import type { OpenMailbox } from '@mailyard/mailstore-interface';
import type { BodySection, PartPath } from '../protocol/command.js';

/** `BODY[...]`'s label in the response: the section as requested, field names in upper case. */
export function sectionLabel(section: BodySection): string {
  const parts = section.part.join('.');
  let spec = parts;
  if (section.text) spec += `${parts ? '.' : ''}${section.text}`;
  if (section.fields) spec += ` (${section.fields.map((f) => f.toUpperCase()).join(' ')})`;
  return `[${spec}]`;
}

/**
 * The range of the stored message a section reads (HEADER.FIELDS reads the header it filters),
 * or null when the message has no such part.
 */
export function sectionBytes(root: MimePart, section: BodySection): ByteRange | null {
  const text =
    section.text === 'HEADER.FIELDS' || section.text === 'HEADER.FIELDS.NOT'
      ? 'HEADER'
      : section.text;
  return sectionRange(root, section.part, text);
}

/** Reads a range of a message whole (headers, parts to decode: never a whole large message). */
export async function readRange(
  mailbox: OpenMailbox,
  uid: number,
  range: ByteRange,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of mailbox.read(uid, range)) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * HEADER.FIELDS and HEADER.FIELDS.NOT (RFC 9051 6.4.5): the fields named (or all others), as
 * they are in the message, then the blank line that ends a header.
 */
export function filterHeaderFields(
  header: Uint8Array,
  names: readonly string[],
  exclude: boolean,
): Uint8Array {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const { fields } = scanHeaderBlock(header, 0, header.length);
  const kept: Uint8Array[] = [];
  for (const field of fields) {
    if (wanted.has(field.key) !== exclude) {
      let bytes = header.subarray(field.start, field.end);
      // A last field without a line ending (a header cut short) still gets one.
      if (bytes[bytes.length - 1] !== 0x0a) bytes = Buffer.concat([bytes, Buffer.from('\r\n')]);
      kept.push(bytes);
    }
  }
  kept.push(Buffer.from('\r\n'));
  return Buffer.concat(kept);
}

/** What BINARY[part] serves (RFC 3516): a part's body with its transfer encoding undone. */
export type BinaryContent =
  | { readonly type: 'content'; readonly bytes: Uint8Array }
  | { readonly type: 'missing' }
  /** The transfer encoding is unknown: `NO [UNKNOWN-CTE]`. */
  | { readonly type: 'unknown-encoding' };

/** The part BINARY names and how to read it: the whole message for `[]`. */
export function binaryPart(root: MimePart, part: PartPath): MimePart | null {
  return part.length === 0 ? root : findSection(root, part);
}

export async function binaryContent(
  mailbox: OpenMailbox,
  uid: number,
  root: MimePart,
  part: PartPath,
): Promise<BinaryContent> {
  const found = binaryPart(root, part);
  if (!found) return { type: 'missing' };
  if (part.length === 0 || found.parts || found.message) {
    // Multiparts and messages are sent as they are: only leaf bodies carry an encoding to undo.
    const range =
      part.length === 0
        ? { start: root.headerStart, end: root.end }
        : { start: found.bodyStart, end: found.end };
    return { type: 'content', bytes: await readRange(mailbox, uid, range) };
  }
  const encoding = transferEncodingOf(found.encoding);
  if (found.encoding !== null && encoding === null) return { type: 'unknown-encoding' };
  const body = await readRange(mailbox, uid, { start: found.bodyStart, end: found.end });
  return { type: 'content', bytes: encoding ? decodeTransferEncoding(body, encoding) : body };
}

/** Whether octets hold NUL, which only a literal8 may carry. */
export function hasNul(bytes: Uint8Array): boolean {
  return bytes.includes(0);
}
