import type { Envelope } from './envelope.js';
import type { ContentDisposition, ContentType } from './mime-parameters.js';

/**
 * One entity of a message's MIME tree, as plain data (it survives JSON, so a store can keep it),
 * with the byte offsets IMAP needs to serve any section without parsing the message again:
 *
 * ```
 * headerStart            bodyStart                        end
 * |  MIME header + blank  |  body ...                       |  (CRLF before the next boundary)
 * ```
 *
 * For the root of a message (and of an encapsulated message), the "MIME header" is the message
 * header. Offsets are absolute: into the whole message's bytes.
 */
export interface MimePart {
  readonly headerStart: number;
  /** Just past the blank line that ends the header: `[headerStart, bodyStart)` is IMAP's `MIME`. */
  readonly bodyStart: number;
  /** End of the body: before the line ending that precedes the next boundary, or end of data. */
  readonly end: number;
  /** Line feeds in the body: IMAP's body-fld-lines for text and message parts. */
  readonly lines: number;
  /**
   * The content type as written, or the default that applies where none is given or it is
   * unreadable: `text/plain` (no parameters), or `message/rfc822` in a `multipart/digest`.
   */
  readonly contentType: ContentType;
  /** Whether `contentType` was read from the part's header rather than defaulted. */
  readonly contentTypeGiven: boolean;
  /** `Content-Transfer-Encoding` token as written (case kept), or null when absent. */
  readonly encoding: string | null;
  readonly id: string | null;
  readonly description: string | null;
  readonly md5: string | null;
  readonly disposition: ContentDisposition | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
  /** The parts of a multipart, in order; at least one (an empty part stands in when none). */
  readonly parts?: readonly MimePart[];
  /** The encapsulated message of a `message/rfc822` or `message/global` part. */
  readonly message?: EncapsulatedMessage;
}

export interface EncapsulatedMessage {
  readonly envelope: Envelope;
  /** The encapsulated message's root: its header is the message header, at the part's bodyStart. */
  readonly body: MimePart;
}

/** `type/subtype` in lower case, for comparisons. */
export function mediaType(part: MimePart): string {
  return `${part.contentType.type}/${part.contentType.subtype}`.toLowerCase();
}

/** Whether the part is a multipart with parts (false for one shown opaque past the depth limit). */
export function isMultipart(part: MimePart): part is MimePart & { parts: readonly MimePart[] } {
  return part.parts !== undefined;
}
