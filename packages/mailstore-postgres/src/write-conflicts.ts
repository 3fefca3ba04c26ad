import type { TreeKey } from '@mailyard/mailstore-interface';

/**
 * A write built on a copy of a mailbox's index that another node has changed since: the
 * mailbox's counters in the database are not where the writer's copy says. Nothing was written;
 * the engine reads the index again on next use. Only the engine-numbered writes (see
 * OptimisticWrites) fail so: this store's engine numbers nothing itself.
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
