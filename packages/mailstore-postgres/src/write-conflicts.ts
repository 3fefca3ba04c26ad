import type { TreeKey } from '@mailyard/mailstore-interface';

/**
 * A write built on a copy of a mailbox's index that another node has changed since: the
 * mailbox's counters in the database are not where the writer's copy says. Nothing was written;
 * the engine reloads the index, and the store tries again (see PostgresMailStore).
 */
export class StaleIndexError extends Error {
  constructor(readonly mailboxId: string) {
    super(`mailbox ${mailboxId} was changed by another node`);
    this.name = 'StaleIndexError';
  }
}

/** A tree record written over a version another node has replaced since it was read. */
export class StaleTreeError extends Error {
  constructor(tree: TreeKey) {
    super(`the tree of ${tree} was changed by another node`);
    this.name = 'StaleTreeError';
  }
}

/** The mailbox a write found stale, through the engine's wrapping; null for any other error. */
export function staleMailbox(error: unknown): string | null {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof StaleIndexError) return cause.mailboxId;
  }
  return null;
}

/** Whether PostgreSQL undid a transaction to break a deadlock (SQLSTATE 40P01). */
export function isDeadlock(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as { code?: unknown }).code === '40P01') return true;
  }
  return false;
}
