import {
  type LoadedMailbox,
  type LoadedTree,
  type MailboxIndex,
  type StoreEngine,
  type TreeKey,
} from '@mailyard/mailstore-interface';
import { type NoticeChange, changesFromNotice } from './notice-change.js';
import type { ChangeNotice } from './change-notifier.js';
import type { PostgresPersistence } from './postgres-persistence.js';

/**
 * Brings other nodes' changes into this node: LISTENs on the store's channel and, for each
 * notice, applies the change it carries (when the copy is at its base) or reads what changed
 * since the last mod-sequence this node saw (of a mailbox whose index it holds), or reads the
 * tree record again (of a tree it holds), updates the engine's copies under the
 * tree's lock, and tells the mailbox's subscribers as if the change had been made here. The
 * listening connection is re-established by the client when it drops; every (re)connection
 * catches up on every mailbox and tree held, so notices lost while disconnected cost nothing.
 */
export class ChangeFeed {
  private unlisten: (() => Promise<void>) | null = null;
  private listened = false;
  /** The catch-ups under way, so that close() can wait for them. */
  private readonly running = new Set<Promise<void>>();
  /**
   * Per mailbox, the catch-up waiting for the tree's lock, if one is: notices that arrive
   * before it reads join it (it reads everything after the copy's mod-sequence, so their
   * changes too) instead of queueing one read each. Under a burst of writes from another node,
   * a node reads once per burst, not once per change.
   */
  private readonly waiting = new Map<string, WaitingCatchUp>();
  /** How many changes were applied from what their notices carried, without a read. */
  carriedApplied = 0;
  /** How this node's own notices begin (see ChangeNotifier's `text`). */
  private readonly ownPrefix: string;

  constructor(
    private readonly engine: StoreEngine,
    private readonly persistence: PostgresPersistence,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.ownPrefix = `{"n":${JSON.stringify(persistence.node)},`;
  }

  async start(): Promise<void> {
    const meta = await this.persistence.sql.listen(
      this.persistence.channel,
      (payload) => this.track(this.onNotice(payload)),
      () => {
        // The first time is the start; any later call follows a reconnection.
        if (this.listened) this.track(this.catchUpAll());
        this.listened = true;
      },
    );
    this.unlisten = meta.unlisten;
  }

  async stop(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = null;
    await Promise.allSettled([...this.running]);
    if (unlisten) await unlisten().catch(() => {});
  }

  private track(work: Promise<void>): void {
    const guarded = work.catch((error: unknown) => this.onError(error));
    this.running.add(guarded);
    void guarded.finally(() => this.running.delete(guarded));
  }

  private async onNotice(payload: string): Promise<void> {
    // A node hears its own notices too, one per write: told apart without parsing them (the
    // node comes first; a JSON string cannot hold an unescaped quote, so nothing else matches).
    if (payload.startsWith(this.ownPrefix)) return;
    const notice = JSON.parse(payload) as ChangeNotice & { n: string };
    if (notice.n === this.persistence.node) return;
    if (notice.k === 't') await this.refreshTree(notice.t);
    else await this.refreshMailbox(notice.t, notice.m, notice.s, notice.c);
  }

  /** After a reconnection: every tree and every loaded index, from where this node was. */
  private async catchUpAll(): Promise<void> {
    for (const key of this.engine.cachedTrees()) {
      await this.refreshTree(key);
      const tree = await this.engine.cachedTree(key);
      if (!tree) continue;
      for (const mailbox of tree.mailboxes.values()) {
        if (mailbox.index) await this.refreshMailbox(key, mailbox.meta.id);
      }
    }
  }

  /**
   * Brings the engine's copy of a mailbox's index (if held) up to date, under the tree's lock:
   * for a notice, and for a read that found a message gone which the copy still has. `upTo`
   * is the mod-sequence the notice's write reached: a copy already there (a write of this node's
   * brought that change back meanwhile) needs no read. Without it (a read's
   * catch-up, a reconnection), the database is always read. `carried` is the change the notice
   * brought, if it fit: applied without a read when the copy is at its base.
   */
  refreshMailbox(
    key: TreeKey,
    mailboxId: string,
    upTo = Infinity,
    carried?: NoticeChange,
  ): Promise<void> {
    const waiting = this.waiting.get(mailboxId);
    if (waiting && waiting.tree === key) {
      waiting.upTo = Math.max(waiting.upTo, upTo);
      // Past the bound the changes are dropped, not held: the catch-up reads them all at once.
      if (carried && waiting.carried.length < CARRIED_NOTICES_MAX)
        waiting.carried.push({ change: carried, modSeq: upTo });
      else waiting.carried.length = 0;
      return waiting.done;
    }
    const catchUp: WaitingCatchUp = {
      tree: key,
      upTo,
      carried: carried ? [{ change: carried, modSeq: upTo }] : [],
      done: Promise.resolve(),
    };
    this.waiting.set(mailboxId, catchUp);
    catchUp.done = this.engine.mutex.run([key], async () => {
      // From here on, a notice needs a read of its own: this one may have read before its write.
      if (this.waiting.get(mailboxId) === catchUp) this.waiting.delete(mailboxId);
      const tree = await this.engine.cachedTree(key);
      const mailbox = tree && [...tree.mailboxes.values()].find((m) => m.meta.id === mailboxId);
      if (!tree || !mailbox) return;
      if (mailbox.index && mailbox.index.highestModSeq >= catchUp.upTo) return;
      // The quota count covers the whole tree: computed again on next use.
      tree.usage = null;
      if (mailbox.index && !this.applyCarried(tree, mailbox, mailbox.index, catchUp))
        await this.catchUp(tree, mailbox, mailbox.index);
    });
    return catchUp.done;
  }

  /**
   * Applies the changes the waiting notices carried, in mod-sequence order, each only if the
   * copy is exactly at its base. True when that brought the copy to `upTo`, the last notice's
   * mod-sequence; false when one is missing (a notice lost, one too big to carry its change, a
   * reconnection's catch-up): the caller reads everything after the copy's mod-sequence, so
   * what was applied here is not read twice and nothing is skipped.
   */
  private applyCarried(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    index: MailboxIndex,
    catchUp: WaitingCatchUp,
  ): boolean {
    const carried = catchUp.carried.splice(0).sort((a, b) => a.change.b - b.change.b);
    for (const { change, modSeq } of carried) {
      if (modSeq <= index.highestModSeq) continue;
      const changes = changesFromNotice(index, change, modSeq);
      if (!changes) return false;
      this.persistence.heard(mailbox.meta.id, change.b, changes);
      this.engine.applyForeignChanges(tree, mailbox, index, changes);
      this.carriedApplied++;
    }
    return index.highestModSeq >= catchUp.upTo;
  }

  /**
   * Reads what changed after the index's mod-sequence, applies it to the index in place (what
   * changed, not the whole mailbox: each of the other node's writes brings one of these), and
   * tells subscribers.
   */
  private async catchUp(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    index: MailboxIndex,
  ): Promise<void> {
    const since = index.highestModSeq;
    const changes = await this.persistence.changesSince(mailbox.meta.id, since);
    if (!changes || changes.highestModSeq <= since) return;
    this.engine.applyForeignChanges(tree, mailbox, index, changes);
  }

  /**
   * Reads a held tree's record again and brings the engine's copy in line, in place (open
   * mailboxes hold its objects): renamed mailboxes move, new ones appear, removed ones go, and
   * subscribers hear `renamed` or `deleted`.
   */
  private async refreshTree(key: TreeKey): Promise<void> {
    await this.engine.mutex.run([key], async () => {
      const tree = await this.engine.cachedTree(key);
      if (!tree) return;
      const record = await this.persistence.readTree(key);
      const { events } = this.engine;
      if (!record) {
        for (const mailbox of tree.mailboxes.values())
          events.publish(mailbox.meta.id, { type: 'deleted' });
        tree.mailboxes.clear();
        this.engine.forgetTree(key);
        return;
      }
      syncTree(tree, record.mailboxes, record.subscriptions, (id, type) =>
        events.publish(id, { type }),
      );
    });
  }
}

/**
 * How many notices' changes a catch-up waiting for its tree's lock holds at most (each up to
 * 8,000 bytes). A burst beyond it (a long write holding the lock while another node writes
 * without pause) is read once the lock is free, as before notices carried their changes: the
 * memory a waiting catch-up holds stays bounded.
 */
export const CARRIED_NOTICES_MAX = 1_000;

/** A catch-up of one mailbox queued for its tree's lock, and how far it must bring the copy. */
interface WaitingCatchUp {
  readonly tree: TreeKey;
  upTo: number;
  /** The changes the notices carried, with the mod-sequence each reached. */
  readonly carried: { change: NoticeChange; modSeq: number }[];
  done: Promise<void>;
}

function syncTree(
  tree: LoadedTree,
  metas: readonly LoadedMailbox['meta'][],
  subscriptions: readonly string[],
  publish: (id: string, type: 'renamed' | 'deleted') => void,
): void {
  const byId = new Map([...tree.mailboxes.values()].map((mailbox) => [mailbox.meta.id, mailbox]));
  const next = new Map<string, LoadedMailbox>();
  const renamed: string[] = [];
  for (const meta of metas) {
    const held = byId.get(meta.id);
    if (held) {
      if (held.meta.path !== meta.path) renamed.push(meta.id);
      held.meta = meta;
      next.set(meta.path, held);
      byId.delete(meta.id);
    } else {
      next.set(meta.path, { meta, index: null });
    }
  }
  tree.mailboxes.clear();
  for (const [path, mailbox] of next) tree.mailboxes.set(path, mailbox);
  tree.subscriptions.clear();
  for (const name of subscriptions) tree.subscriptions.add(name);
  tree.usage = null;
  for (const id of renamed) publish(id, 'renamed');
  for (const id of byId.keys()) publish(id, 'deleted');
}
