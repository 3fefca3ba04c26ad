import { baseSubject } from './base-subject.js';
import { decodeEncodedWords } from './encoded-words.js';
import { fieldValue } from './header-value.js';
import type { Envelope } from './envelope.js';
import { parseMailDate } from './mail-date.js';
import { parseMessageIds } from './message-id.js';
import type { MimePart } from './mime-part.js';
import { parseMimeTree } from './mime-tree.js';

/**
 * Everything a store keeps per message so that no protocol has to parse it again: IMAP FETCH of
 * ENVELOPE, BODY, BODYSTRUCTURE and any `BODY[section]`, and the keys of SEARCH, SORT and THREAD.
 * Plain data: it survives `JSON.stringify` unchanged.
 */
export interface MessageSummary {
  /** Octets in the message. */
  readonly size: number;
  /** The MIME tree with byte offsets; its root's header is the message header. */
  readonly body: MimePart;
  readonly envelope: Envelope;
  /** The Subject with encoded words decoded; empty when there is none. */
  readonly subject: string;
  /** The RFC 5256 base subject, for SORT SUBJECT and THREAD=ORDEREDSUBJECT. */
  readonly baseSubject: string;
  /** The Date header as UTC milliseconds, or null when absent or unreadable (SORT DATE falls back). */
  readonly sentDate: number | null;
  /** The first msg-id of Message-ID, or null. */
  readonly messageId: string | null;
  /** The msg-ids of In-Reply-To, in order. */
  readonly inReplyTo: readonly string[];
  /** The msg-ids of References, in order (THREAD=REFERENCES). */
  readonly references: readonly string[];
}

/**
 * Summarises a message in one pass over its bytes. Never throws, and takes time linear in the
 * message's length whatever it contains (see MIME_LIMITS).
 */
export function summarize(bytes: Uint8Array): MessageSummary {
  const { root, envelope, header } = parseMimeTree(bytes);
  const subject = envelope.subject === null ? '' : decodeEncodedWords(envelope.subject);
  const referencesField = header.find((field) => field.key === 'references');
  return {
    size: bytes.length,
    body: root,
    envelope,
    subject,
    baseSubject: baseSubject(subject),
    sentDate: envelope.date === null ? null : (parseMailDate(envelope.date)?.timestamp ?? null),
    messageId:
      envelope.messageId === null ? null : (parseMessageIds(envelope.messageId)[0] ?? null),
    inReplyTo: envelope.inReplyTo === null ? [] : parseMessageIds(envelope.inReplyTo),
    references: referencesField ? parseMessageIds(fieldValue(bytes, referencesField)) : [],
  };
}
