import type { StoredMessage } from '@mailyard/mailstore-interface';
import type { ContentCache } from './content-cache.js';

/**
 * Keeps the bytes of messages this node stored, once their write committed (a write refused
 * keeps nothing: its UID may be another node's message): a FETCH of a message just appended
 * reads only its row's look-up.
 */
export function keepStoredContents(
  contents: ContentCache,
  mailboxId: string,
  messages: readonly StoredMessage[],
): void {
  const kept = messages.filter(({ content }) => contents.keeps(content.byteLength));
  if (kept.length === 0) return;
  // A copy: the caller's buffer is not this cache's to hold on to.
  for (const { entry, content } of kept) contents.set(mailboxId, entry.uid, Buffer.from(content));
}
