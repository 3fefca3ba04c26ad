import type { MimePart } from './mime-part.js';

/** A half-open byte range `[start, end)` of the message. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The text part of an IMAP section specifier. `HEADER.FIELDS` and `HEADER.FIELDS.NOT` are served
 * from the `HEADER` range, filtered by the caller.
 */
export type SectionText = 'HEADER' | 'TEXT' | 'MIME';

/**
 * The part an IMAP part number names (`[2, 1]` for `2.1`), or null when there is none. Part numbers
 * follow RFC 9051 section 6.4.5: a multipart's parts are numbered from 1; a `message/rfc822` part's
 * numbers are those of the message it encapsulates; a message that is not multipart has only part
 * 1, its body. Dovecot also lets a non-multipart part of a multipart be its own part 1 once
 * (`1.1` is `1`, `1.1.1` is nothing), and so do we.
 */
export function findSection(root: MimePart, path: readonly number[]): MimePart | null {
  if (path.length === 0) return root;
  // The message itself is addressed as if it were encapsulated in a message part.
  let part = partOfMessage(root, path[0]!);
  // Whether the part may be its own part 1: only a part of a multipart, and only once.
  let selfAllowed = part !== root;
  for (let i = 1; part && i < path.length; i++) {
    const n = path[i]!;
    if (part.message) {
      const body: MimePart = part.message.body;
      part = partOfMessage(body, n);
      selfAllowed = part !== body;
    } else if (part.parts) {
      part = part.parts[n - 1] ?? null;
      selfAllowed = true;
    } else {
      part = n === 1 && selfAllowed ? part : null;
      selfAllowed = false;
    }
  }
  return part;
}

/** Part `n` of a message whose root is `body`. */
function partOfMessage(body: MimePart, n: number): MimePart | null {
  if (body.parts) return body.parts[n - 1] ?? null;
  return n === 1 ? body : null;
}

/**
 * The bytes of `BODY[<path>.<text>]`, or null when the section does not exist (Dovecot then sends
 * an empty string). `MIME` needs a part number; `HEADER` and `TEXT` after a part number need a
 * `message/rfc822` part and address the message it encapsulates.
 */
export function sectionRange(
  root: MimePart,
  path: readonly number[],
  text?: SectionText,
): ByteRange | null {
  if (path.length === 0) {
    if (text === 'HEADER') return { start: root.headerStart, end: root.bodyStart };
    if (text === 'TEXT') return { start: root.bodyStart, end: root.end };
    return text === 'MIME' ? null : { start: root.headerStart, end: root.end };
  }
  const part = findSection(root, path);
  if (!part) return null;
  if (text === undefined) return { start: part.bodyStart, end: part.end };
  if (text === 'MIME') return { start: part.headerStart, end: part.bodyStart };
  const message = part.message?.body;
  if (!message) return null;
  return text === 'HEADER'
    ? { start: message.headerStart, end: message.bodyStart }
    : { start: message.bodyStart, end: message.end };
}
