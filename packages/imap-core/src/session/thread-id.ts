import { createHash } from 'node:crypto';
import type { MessageRecord } from '@mailyard/mailstore-interface';

/**
 * RFC 8474 THREADID, read from the message itself: the messages of a conversation share the
 * first Message-ID of their References (the conversation's first message, which replies keep
 * as they pass References on), or, without References, In-Reply-To's; a message that refers to
 * nothing starts a thread of its own, named by its own Message-ID (or, without one, its email
 * id). Nothing is stored, so the id is the same in every mailbox and after any reindexing, and
 * SEARCH THREADID finds the same messages FETCH THREADID named. A reply that carries only
 * In-Reply-To to a reply lands in a thread of its own; clients that send References (nearly
 * all do) are threaded whole.
 */
export function threadIdOf(record: Pick<MessageRecord, 'summary' | 'emailId'>): string {
  const { summary } = record;
  const root = summary.references[0] ?? summary.inReplyTo[0] ?? summary.messageId;
  if (root === null) return `T${record.emailId}`.slice(0, 255);
  // An objectid is 1*255 of ALPHA / DIGIT / "_" / "-" (RFC 8474 4): a digest of the root id.
  return `T${createHash('sha256').update(root).digest('base64url').slice(0, 22)}`;
}
