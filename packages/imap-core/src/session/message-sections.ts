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

/** Reads a range of a message: from the bytes at hand when they cover it, else from the store. */
export type RangeReader = (range: ByteRange) => Promise<Uint8Array>;

export function rangeReader(
  mailbox: OpenMailbox,
  uid: number,
  /** The message's first octets, read ahead (all of them, or its header). */
  content: Uint8Array | undefined,
): RangeReader {
  return (range) =>
    content && range.end <= content.length
      ? Promise.resolve(content.subarray(range.start, range.end))
      : readRange(mailbox, uid, range);
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

/** What BINARY[part] serves (RFC 3516): the section with its transfer encodings undone. */
export type BinaryContent =
  | {
      readonly type: 'content';
      readonly bytes: Uint8Array;
      /** Whether an encoding was undone: the octets may then be anything (sent as literal8). */
      readonly decoded: boolean;
    }
  | { readonly type: 'missing' }
  /** A transfer encoding is unknown: `NO [UNKNOWN-CTE]`. */
  | { readonly type: 'unknown-encoding' };

/** The part BINARY names: the whole message for `[]`. */
export function binaryPart(root: MimePart, part: PartPath): MimePart | null {
  return part.length === 0 ? root : findSection(root, part);
}

/**
 * BINARY[part] as Dovecot serves it: a leaf's body decoded; for the whole message, a multipart
 * or an encapsulated message, the bytes as they are but with every encoded leaf inside decoded
 * and its Content-Transfer-Encoding rewritten to `binary`, so that the result is a valid message.
 */
export async function binaryContent(
  read: RangeReader,
  root: MimePart,
  part: PartPath,
): Promise<BinaryContent> {
  const found = binaryPart(root, part);
  if (!found) return { type: 'missing' };
  const isLeaf = !found.parts && !found.message;
  if (isLeaf && part.length > 0) {
    const encoding = transferEncodingOf(found.encoding);
    if (found.encoding !== null && encoding === null) return { type: 'unknown-encoding' };
    const body = await read({ start: found.bodyStart, end: found.end });
    const decoded = encoding === 'base64' || encoding === 'quoted-printable';
    return {
      type: 'content',
      bytes: decoded ? decodeTransferEncoding(body, encoding) : body,
      decoded,
    };
  }
  const range =
    part.length === 0
      ? { start: root.headerStart, end: root.end }
      : { start: found.bodyStart, end: found.end };
  const bytes = await read(range);
  // Replacements within `bytes`, in order: [start, end, new octets].
  const edits: [number, number, Uint8Array][] = [];
  let unknown = false;
  const visit = (node: MimePart) => {
    if (node.parts) return node.parts.forEach(visit);
    if (node.message) return visit(node.message.body);
    const encoding = transferEncodingOf(node.encoding);
    if (node.encoding !== null && encoding === null) unknown = true;
    if (encoding !== 'base64' && encoding !== 'quoted-printable') return;
    const at = (offset: number) => offset - range.start;
    const header = bytes.subarray(at(node.headerStart), at(node.bodyStart));
    const field = scanHeaderBlock(header, 0, header.length).fields.find(
      (f) => f.key === 'content-transfer-encoding',
    );
    if (field) {
      let valueEnd = field.end;
      while (
        valueEnd > field.valueStart &&
        (header[valueEnd - 1] === 0x0a || header[valueEnd - 1] === 0x0d)
      )
        valueEnd--;
      edits.push([
        at(node.headerStart) + field.valueStart,
        at(node.headerStart) + valueEnd,
        Buffer.from(' binary'),
      ]);
    }
    const body = bytes.subarray(at(node.bodyStart), at(node.end));
    edits.push([at(node.bodyStart), at(node.end), decodeTransferEncoding(body, encoding)]);
  };
  visit(part.length === 0 ? root : found.message ? found.message.body : found);
  if (unknown) return { type: 'unknown-encoding' };
  if (edits.length === 0) return { type: 'content', bytes, decoded: false };
  const pieces: Uint8Array[] = [];
  let position = 0;
  for (const [start, end, replacement] of edits) {
    pieces.push(bytes.subarray(position, start), replacement);
    position = end;
  }
  pieces.push(bytes.subarray(position));
  return { type: 'content', bytes: Buffer.concat(pieces), decoded: true };
}
