import { randomUUID } from 'node:crypto';
import { summarize } from '@mailyard/mime';
import { type AccountPolicy, OPEN_ACCOUNT_POLICY, domainOf } from '../account-policy.js';
import { ALL_RIGHTS, type Rights, hasRight, rightsFromAcl } from '../acl.js';
import { type Clock, systemClock } from '../clock.js';
import { MailStoreError } from '../errors.js';
import { normalizeFlags } from '../flags.js';
import { DELETED_ITEMS, KERIO_STANDARD_FOLDERS } from '../kerio-folders.js';
import type { AppendInput, AppendResult, MailAccess, MailStore } from '../mail-store.js';
import { MailboxEventHub } from '../mailbox-events.js';
import {
  type MailboxLocation,
  formatMailboxName,
  isSameOrBelow,
  parseMailboxName,
} from '../mailbox-name.js';
import { type QuotaUsage, type QuotaWarning, QuotaWarnings, wouldExceedQuota } from '../quota.js';
import { EngineAccess } from './engine-access.js';
import { guardPersistence } from './guarded-persistence.js';
import { KeyedMutex } from './keyed-mutex.js';
import { type IndexChanges, type IndexEntry, MailboxIndex } from './mailbox-index.js';
import type {
  AllocatedAppend,
  AllocatedRemoval,
  MailboxMeta,
  StorePersistence,
  StoredMessage,
  TreeKey,
  UnnumberedMessage,
} from './store-persistence.js';

export interface StoreEngineOptions {
  readonly persistence: StorePersistence;
  /** Quotas, groups, public-folder admins and scope, retention; default: none of them. */
  readonly policy?: AccountPolicy;
  readonly clock?: Clock;
  /** Kerio's quota warning, at most once per 24 hours per user. */
  readonly onQuotaWarning?: (warning: QuotaWarning) => void;
  /** Fraction of a quota at which to warn; default 0.9 (`QuotaWarningThreshold`). */
  readonly quotaWarningThreshold?: number;
  /** Source of mailbox and message ids; default random UUIDs. */
  readonly newId?: () => string;
  /** The largest message accepted, in octets; 0 (the default) accepts any. */
  readonly maxMessageSize?: number;
}

/** The hidden mailbox of a user's tree that keeps expunged messages for recovery. */
export const RETAINED_PATH = '#retained';

const DAY = 24 * 60 * 60 * 1000;

/** A mailbox of a loaded tree; its index is read on first use. */
export interface LoadedMailbox {
  meta: MailboxMeta;
  index: MailboxIndex | null;
  /**
   * The UIDNEXT the index had when it was dropped after a failed append: the index read again
   * from storage starts at least there (see {@link StoreEngine.appendUnlocked}).
   */
  uidNextFloor?: number;
  /** The reading of the index in progress, which every caller that comes meanwhile waits for. */
  loading?: Promise<MailboxIndex>;
}

export interface LoadedTree {
  readonly key: TreeKey;
  readonly mailboxes: Map<string, LoadedMailbox>;
  readonly subscriptions: Set<string>;
  /** Storage and message count of the whole tree, once computed. */
  usage: { storage: number; messages: number } | null;
}

/** The mailbox a write goes to (the caller holds its tree's lock), for {@link StoreEngine.retrying}. */
export interface WriteTarget {
  readonly tree: LoadedTree;
  readonly mailbox: LoadedMailbox;
}

/** A mailbox name resolved for a user: where it is and what the user may do with it. */
export interface ResolvedMailbox {
  readonly name: string;
  readonly tree: LoadedTree;
  readonly mailbox: LoadedMailbox;
  readonly rights: Rights;
}

/**
 * The store logic every Mailyard store shares, over a {@link StorePersistence}: namespaces and
 * ACLs, quotas and their warnings, UID and mod-sequence bookkeeping, the change feed, deleted-item
 * retention, and the locking that makes each operation atomic.
 */
export class StoreEngine implements MailStore {
  /** The persistence, behind a guard: whatever it throws comes out as a MailStoreError. */
  readonly persistence: StorePersistence;
  readonly policy: AccountPolicy;
  readonly clock: Clock;
  readonly events = new MailboxEventHub();
  readonly mutex = new KeyedMutex();
  readonly newId: () => string;
  readonly maxMessageSize: number;
  private readonly warnings: QuotaWarnings;
  private readonly trees = new Map<TreeKey, Promise<LoadedTree | null>>();
  private lastUidValidity = 0;

  constructor(options: StoreEngineOptions) {
    this.persistence = guardPersistence(options.persistence);
    this.policy = options.policy ?? OPEN_ACCOUNT_POLICY;
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? (() => randomUUID().replaceAll('-', ''));
    this.maxMessageSize = options.maxMessageSize ?? 0;
    this.warnings = new QuotaWarnings(
      this.clock,
      options.onQuotaWarning,
      options.quotaWarningThreshold,
    );
  }

  access(user: string): MailAccess {
    return new EngineAccess(this, normalizeUser(user));
  }

  async provision(user: string): Promise<void> {
    await this.ownTree(normalizeUser(user));
  }

  async removeUser(user: string, options: { moveTo?: string } = {}): Promise<void> {
    const key = normalizeUser(user);
    const target = options.moveTo === undefined ? null : normalizeUser(options.moveTo);
    await this.mutex.run(target ? [key, target] : [key], async () => {
      const tree = await this.loadTree(key);
      if (!tree) return;
      if (target) {
        const into = (await this.loadTree(target)) ?? (await this.createTree(target));
        // Kerio 8.5: the mailbox becomes a subfolder "Deleted mailbox — user@domain".
        const base = uniquePath(into, `Deleted mailbox \u2014 ${key}`);
        const holder: MailboxMeta = {
          id: this.newId(),
          path: base,
          uidValidity: this.nextUidValidity(),
          folderType: 'mail',
          specialUse: null,
          acl: [],
        };
        await this.persistence.createMailbox(target, holder);
        into.mailboxes.set(base, { meta: holder, index: null });
        const moved = sortedByPath(tree).filter((mailbox) => mailbox.meta.path !== RETAINED_PATH);
        const moves = moved.map((mailbox) => ({
          mailbox: mailbox.meta,
          path: `${base}/${mailbox.meta.path}`,
        }));
        await this.persistence.moveMailboxes(key, moves, target);
        moved.forEach((mailbox, i) => {
          const path = moves[i]!.path;
          into.mailboxes.set(path, {
            meta: { ...mailbox.meta, path, acl: [] },
            index: mailbox.index,
          });
          this.events.publish(mailbox.meta.id, { type: 'renamed' });
        });
        into.usage = null;
        await this.writeTree(into);
      } else {
        for (const mailbox of tree.mailboxes.values())
          this.events.publish(mailbox.meta.id, { type: 'deleted' });
      }
      await this.persistence.deleteTree(key);
      this.trees.delete(key);
    });
  }

  async deliver(user: string, message: AppendInput & { mailbox?: string }): Promise<AppendResult> {
    const owner = normalizeUser(user);
    const location = parseMailboxName(message.mailbox ?? 'INBOX');
    if (location.namespace === 'other') {
      throw new MailStoreError(
        'not-allowed',
        'delivery goes into the recipient’s own folders or public folders',
      );
    }
    const treeKey = location.namespace === 'public' ? await this.publicTreeKey(owner) : owner;
    return this.mutex.run([treeKey], async () => {
      const tree =
        location.namespace === 'public'
          ? await this.loadTree(treeKey)
          : await this.ownTreeUnlocked(owner);
      const mailbox = tree?.mailboxes.get(location.path);
      if (!tree || !mailbox || mailbox.meta.path === RETAINED_PATH) {
        throw new MailStoreError('not-found', `no mailbox ${formatMailboxName(location)}`);
      }
      const [result] = await this.appendUnlocked(tree, mailbox, [message]);
      return result!;
    });
  }

  /**
   * Removes retained (expunged) messages older than the user's retention time, for good.
   * Returns how many went. A scheduler calls it, Kerio runs it with the clean-out.
   */
  async purgeRetained(user: string): Promise<number> {
    const key = normalizeUser(user);
    const days = await this.policy.retentionDays(key);
    return this.mutex.run([key], async () => {
      const tree = await this.loadTree(key);
      const retained = tree?.mailboxes.get(RETAINED_PATH);
      if (!tree || !retained) return 0;
      const index = await this.index(tree, retained);
      const cutoff = this.clock.now() - days * DAY;
      const expired = index
        .all()
        .filter((entry) => entry.saveDate < cutoff)
        .map((entry) => entry.uid);
      await this.removeUnlocked(tree, retained, expired, { retain: false });
      return expired.length;
    });
  }

  async close(): Promise<void> {
    this.trees.clear();
    await this.persistence.close();
  }

  // ---- the engine's internals, for EngineAccess and EngineMailbox ----

  /** The public tree a user sees: the user's domain's, or the server's when public folders are global. */
  async publicTreeKey(user: string): Promise<TreeKey> {
    return (await this.policy.publicFolderScope()) === 'global'
      ? '#public'
      : `#public@${domainOf(user)}`;
  }

  /**
   * The trees this engine holds in memory, for stores shared by several processes: what another
   * process changed must be brought into these (see `@mailyard/mailstore-postgres`).
   */
  cachedTrees(): TreeKey[] {
    return [...this.trees.keys()];
  }

  /** A tree held in memory, without reading it: undefined when it is not (or still loading). */
  async cachedTree(key: TreeKey): Promise<LoadedTree | null | undefined> {
    const loading = this.trees.get(key);
    return loading ? loading.catch(() => undefined) : undefined;
  }

  /**
   * Runs one mutation of an open mailbox (a flag change, under the tree's lock) again while it fails for a reason that a
   * fresh read of the index cures. Stores of one process never need it: this runs it once. A
   * store shared by several processes may override it (told the mailbox written to, it can
   * bring its copy of the index up to date first); none here does: a persistence with
   * `updateFlagsAllocating` (`@mailyard/mailstore-postgres`) numbers the change in storage,
   * where it cannot lose, and the engine then never calls this.
   */
  retrying<T>(mutation: () => Promise<T>, _target?: WriteTarget): Promise<T> {
    return mutation();
  }

  /** Drops a tree from memory (another process removed it); the next use reads storage. */
  forgetTree(key: TreeKey): void {
    this.trees.delete(key);
  }

  /** Loads a tree (cached), or null when it does not exist. Callers hold the tree's lock to change it. */
  loadTree(key: TreeKey): Promise<LoadedTree | null> {
    let loading = this.trees.get(key);
    if (!loading) {
      loading = this.persistence.readTree(key).then((record) => {
        if (!record) return null;
        const mailboxes = new Map<string, LoadedMailbox>(
          record.mailboxes.map((meta) => [meta.path, { meta, index: null }]),
        );
        return { key, mailboxes, subscriptions: new Set(record.subscriptions), usage: null };
      });
      // A failed read is not remembered: the next call reads again (and never takes the failure
      // for a missing tree, which would create a new one over the real one).
      loading.catch(() => {
        if (this.trees.get(key) === loading) this.trees.delete(key);
      });
      this.trees.set(key, loading);
    }
    return loading;
  }

  /**
   * A user's own tree, created with Kerio's standard folders on first use. Takes the tree's lock
   * only to create it, so callers must not hold it.
   */
  async ownTree(user: string): Promise<LoadedTree> {
    return (await this.loadTree(user)) ?? this.mutex.run([user], () => this.ownTreeUnlocked(user));
  }

  async ownTreeUnlocked(user: string): Promise<LoadedTree> {
    return (await this.loadTree(user)) ?? (await this.createTree(user));
  }

  /** Creates a tree; a user's gets Kerio's standard folders. The caller holds the tree's lock. */
  async createTree(key: TreeKey): Promise<LoadedTree> {
    const tree: LoadedTree = { key, mailboxes: new Map(), subscriptions: new Set(), usage: null };
    try {
      if (!key.startsWith('#')) {
        for (const folder of KERIO_STANDARD_FOLDERS) {
          const meta: MailboxMeta = {
            ...folder,
            id: this.newId(),
            uidValidity: this.nextUidValidity(),
            acl: [],
          };
          await this.persistence.createMailbox(key, meta);
          tree.mailboxes.set(meta.path, { meta, index: null });
          tree.subscriptions.add(meta.path);
        }
      }
      await this.writeTree(tree);
    } catch (error) {
      // "No tree" was read before the creation began; the next try asks the persistence again.
      this.trees.delete(key);
      throw error;
    }
    this.trees.set(key, Promise.resolve(tree));
    return tree;
  }

  async writeTree(tree: LoadedTree): Promise<void> {
    await this.persistence.writeTree(tree.key, {
      mailboxes: sortedByPath(tree).map((mailbox) => mailbox.meta),
      subscriptions: [...tree.subscriptions].sort(),
    });
  }

  async index(tree: LoadedTree, mailbox: LoadedMailbox): Promise<MailboxIndex> {
    if (mailbox.index) return mailbox.index;
    // One reading at a time (a delivery's STATUS beside an IMAP SELECT, say): reading repairs
    // what a crash left (mailstore-fs), and two repairs at once would each act on what it read
    // before the other, or an append made meanwhile, changed the files.
    mailbox.loading ??= this.persistence
      .readIndex(tree.key, mailbox.meta)
      .then((snapshot) => {
        // Kept if something else set it meanwhile (a shared store's change feed).
        if (!mailbox.index) {
          const index = new MailboxIndex(mailbox.meta.uidValidity, snapshot);
          index.uidNext = Math.max(index.uidNext, mailbox.uidNextFloor ?? 0);
          mailbox.index = index;
        }
        return mailbox.index;
      })
      .finally(() => {
        mailbox.loading = undefined;
      });
    return mailbox.loading;
  }

  /**
   * Resolves a name for a user. Mailboxes the user may not look up (no `l` right) do not exist as
   * far as the user can tell. Throws `not-found` or `invalid-name`.
   */
  async resolve(user: string, name: string): Promise<ResolvedMailbox> {
    const location = parseMailboxName(name);
    const treeKey = await this.treeKeyOf(user, location);
    const tree =
      location.namespace === 'personal' ? await this.ownTree(user) : await this.loadTree(treeKey);
    const mailbox = tree?.mailboxes.get(location.path);
    if (!tree || !mailbox || mailbox.meta.path === RETAINED_PATH) {
      throw new MailStoreError('not-found', `no mailbox ${JSON.stringify(name)}`);
    }
    const rights = await this.rightsOn(user, location, mailbox.meta);
    if (!hasRight(rights, 'l'))
      throw new MailStoreError('not-found', `no mailbox ${JSON.stringify(name)}`);
    return { name: formatMailboxName(location), tree, mailbox, rights };
  }

  async treeKeyOf(user: string, location: MailboxLocation): Promise<TreeKey> {
    if (location.namespace === 'personal') return user;
    if (location.namespace === 'other') return location.owner;
    return this.publicTreeKey(user);
  }

  /** A user's rights on a mailbox: all of them in the user's own tree, else what the ACL grants. */
  async rightsOn(user: string, location: MailboxLocation, meta: MailboxMeta): Promise<Rights> {
    if (location.namespace === 'personal') return ALL_RIGHTS;
    if (location.namespace === 'other' && location.owner === user) return ALL_RIGHTS;
    if (location.namespace === 'public' && (await this.policy.isPublicFolderAdmin(user)))
      return ALL_RIGHTS;
    return rightsFromAcl(meta.acl, user, await this.policy.groups(user));
  }

  nextUidValidity(): number {
    this.lastUidValidity = Math.max(
      this.lastUidValidity + 1,
      Math.floor(this.clock.now() / 1000) % 0xffffffff || 1,
    );
    return this.lastUidValidity;
  }

  /** The storage and message count of a whole tree (the quota root). */
  async usage(tree: LoadedTree): Promise<QuotaUsage> {
    if (!tree.usage) {
      let storage = 0;
      let messages = 0;
      for (const mailbox of tree.mailboxes.values()) {
        if (mailbox.meta.path === RETAINED_PATH) continue;
        const counters = (await this.index(tree, mailbox)).counters();
        storage += counters.size;
        messages += counters.messages;
      }
      tree.usage = { storage, messages };
    }
    return tree.usage;
  }

  /**
   * Stores messages in a mailbox whose tree lock the caller holds: checks size and quota,
   * summarises, assigns UIDs, persists, updates usage, and tells subscribers.
   */
  async appendUnlocked(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    inputs: readonly (AppendInput & { emailId?: string; saveDate?: number })[],
  ): Promise<AppendResult[]> {
    const now = this.clock.now();
    for (const input of inputs) {
      if (this.maxMessageSize > 0 && input.content.length > this.maxMessageSize) {
        throw new MailStoreError(
          'too-big',
          `message of ${input.content.length} octets is over the limit`,
        );
      }
    }
    const quotaOwner = tree.key.startsWith('#') ? null : tree.key;
    const added = {
      storage: inputs.reduce((sum, input) => sum + input.content.length, 0),
      messages: inputs.length,
    };
    const limits =
      quotaOwner && mailbox.meta.path !== RETAINED_PATH
        ? await this.policy.quota(quotaOwner)
        : null;
    const usage = await this.usage(tree);
    if (limits && wouldExceedQuota(usage, limits, added)) {
      throw new MailStoreError('over-quota', `the mailbox of ${quotaOwner} is full`);
    }
    const index = await this.index(tree, mailbox);
    const messages: UnnumberedMessage[] = inputs.map((input) => ({
      entry: {
        flags: normalizeFlags(input.flags ?? []),
        internalDate: input.internalDate ?? now,
        ...(input.internalDate !== undefined && input.internalDateZone !== undefined
          ? { internalDateZone: input.internalDateZone }
          : {}),
        saveDate: input.saveDate ?? now,
        size: input.content.length,
        emailId: input.emailId ?? this.newId(),
      },
      content: input.content,
      summary: summarize(input.content),
      ...(input.uid !== undefined ? { uid: input.uid } : {}),
    }));
    const entries = this.allocatesIds()
      ? await this.storeAllocating(tree, mailbox, index, messages)
      : await this.storeNumbered(tree, mailbox, index, messages, inputs);
    if (mailbox.meta.path !== RETAINED_PATH) {
      // Another process's writes that the store brought back have already moved the count.
      const current = tree.usage ?? usage;
      tree.usage = {
        storage: current.storage + added.storage,
        messages: current.messages + added.messages,
      };
      if (limits) this.warnings.check(quotaOwner!, tree.usage, limits);
    }
    this.events.publish(mailbox.meta.id, {
      type: 'appended',
      messages: entries.map(({ uid, flags, modSeq }) => ({ uid, flags, modSeq })),
      modSeq: index.highestModSeq,
    });
    return entries.map((entry) => ({
      uid: entry.uid,
      uidValidity: index.uidValidity,
      mailboxId: mailbox.meta.id,
    }));
  }

  /**
   * Whether appends are numbered by the persistence, in its write
   * ({@link StorePersistence.appendAllocating}), restores (messages that ask for their UIDs)
   * included: when it can.
   */
  allocatesIds(): boolean {
    return this.persistence.appendAllocating !== undefined;
  }

  /**
   * The persistence numbers the messages in its write, which therefore cannot lose a race with
   * another process's; what that process wrote before them comes back with the answer and is
   * applied (and told) first, so the index and its subscribers follow mod-sequence order.
   */
  private async storeAllocating(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    index: MailboxIndex,
    messages: readonly UnnumberedMessage[],
  ): Promise<readonly IndexEntry[]> {
    let stored: AllocatedAppend;
    try {
      stored = await this.persistence.appendAllocating!(
        tree.key,
        mailbox.meta,
        messages,
        index.highestModSeq,
      );
    } catch (error) {
      // A failure does not always say whether the write was made (a connection lost around the
      // commit): the index, which does not show the messages, is read again on next use.
      mailbox.index = null;
      throw new MailStoreError('unavailable', 'could not store the message', { cause: error });
    }
    if (stored.changes) this.applyForeignChanges(tree, mailbox, index, stored.changes);
    index.appendNumbered(stored.entries);
    return stored.entries;
  }

  /** The engine numbers the messages in its index, then the persistence stores them as numbered. */
  private async storeNumbered(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    index: MailboxIndex,
    messages: readonly UnnumberedMessage[],
    inputs: readonly { readonly uid?: number }[],
  ): Promise<readonly IndexEntry[]> {
    const entries = index.append(
      messages.map(({ entry }, i) => ({
        ...entry,
        ...(inputs[i]!.uid !== undefined ? { uid: inputs[i]!.uid } : {}),
      })),
    );
    const stored: StoredMessage[] = entries.map((entry, i) => ({
      entry,
      content: messages[i]!.content,
      summary: messages[i]!.summary,
    }));
    try {
      await this.persistence.addMessages(tree.key, mailbox.meta, stored);
    } catch (error) {
      // Nothing was stored: drop the index, which holds the messages, to read it again from
      // storage. The UIDs they took are not given back, though: while the append waited,
      // UIDNEXT may have been reported (STATUS, or a delivery agent noting where its message
      // will land so as to find it after a crash: smtp-core's local delivery), and a message
      // stored later with a UID below a reported UIDNEXT is one such a reader never looks at.
      mailbox.uidNextFloor = index.uidNext;
      mailbox.index = null;
      throw new MailStoreError('unavailable', 'could not store the message', { cause: error });
    }
    return entries;
  }

  /**
   * Brings a mailbox's index to what another process changed after its mod-sequence (read by
   * a shared store's change feed, or brought back by a write), and tells subscribers as if the
   * changes had been made here: expunges, flag changes, then appends. The tree's quota count
   * moves with the index. The caller holds the tree's lock.
   */
  applyForeignChanges(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    index: MailboxIndex,
    changes: IndexChanges,
  ): void {
    if (changes.highestModSeq <= index.highestModSeq) return;
    // What subscribers hear is told apart by what the index held before the changes.
    const expunged = [...new Set(changes.expunged.map((entry) => entry.uid))]
      .filter((uid) => index.get(uid))
      .sort((a, b) => a - b);
    const state = ({ uid, flags, modSeq }: IndexEntry) => ({ uid, flags, modSeq });
    const flags = changes.changed.filter((entry) => index.get(entry.uid)).map(state);
    const appended = changes.changed.filter((entry) => entry.uid >= index.uidNext).map(state);
    const before = index.counters();
    index.applyChanges(changes);
    const after = index.counters();
    if (tree.usage && mailbox.meta.path !== RETAINED_PATH) {
      tree.usage = {
        storage: tree.usage.storage + after.size - before.size,
        messages: tree.usage.messages + after.messages - before.messages,
      };
    }
    const modSeq = changes.highestModSeq;
    const id = mailbox.meta.id;
    if (expunged.length > 0) this.events.publish(id, { type: 'expunged', uids: expunged, modSeq });
    if (flags.length > 0) this.events.publish(id, { type: 'flags', messages: flags, modSeq });
    if (appended.length > 0)
      this.events.publish(id, { type: 'appended', messages: appended, modSeq });
  }

  /**
   * Removes messages from a mailbox whose tree lock the caller holds. In a user's own tree with
   * retention on, the messages are first kept in the hidden retention mailbox (Kerio 7.4).
   */
  async removeUnlocked(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    uids: readonly number[],
    options: { retain: boolean },
  ): Promise<number[]> {
    const index = await this.index(tree, mailbox);
    const entries = index.select(uids);
    if (entries.length === 0) return [];
    if (options.retain && !tree.key.startsWith('#') && mailbox.meta.path !== RETAINED_PATH) {
      const days = await this.policy.retentionDays(tree.key);
      if (days > 0)
        await this.retainUnlocked(
          tree,
          mailbox,
          entries.map((entry) => entry.uid),
        );
    }
    const {
      gone,
      uids: removed,
      modSeq,
    } = this.persistence.removeAllocating
      ? await this.removeAllocating(tree, mailbox, index, entries)
      : await this.removeNumbered(tree, mailbox, index, entries);
    if (mailbox.meta.path !== RETAINED_PATH && tree.usage) {
      const size = gone.reduce((sum, entry) => sum + entry.size, 0);
      tree.usage = {
        storage: tree.usage.storage - size,
        messages: tree.usage.messages - gone.length,
      };
    }
    if (removed.length > 0)
      this.events.publish(mailbox.meta.id, { type: 'expunged', uids: removed, modSeq });
    return removed;
  }

  /** The engine numbers the expunge in its index, then the persistence records it. */
  private async removeNumbered(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    index: MailboxIndex,
    entries: readonly IndexEntry[],
  ): Promise<{ gone: readonly IndexEntry[]; uids: number[]; modSeq: number }> {
    const { uids, modSeq } = index.expunge(entries.map((entry) => entry.uid));
    try {
      await this.persistence.removeMessages(tree.key, mailbox.meta, uids, modSeq);
    } catch (error) {
      mailbox.index = null;
      throw new MailStoreError('unavailable', 'could not expunge', { cause: error });
    }
    return { gone: entries, uids, modSeq };
  }

  /**
   * The persistence removes what it holds of the messages and numbers the expunge in its
   * write, which cannot lose a race with another process's: what that process wrote before
   * comes back with the answer and is applied (and told) first; a message it expunged already
   * is told gone then, not again.
   */
  private async removeAllocating(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    index: MailboxIndex,
    entries: readonly IndexEntry[],
  ): Promise<{ gone: readonly IndexEntry[]; uids: number[]; modSeq: number }> {
    let result: AllocatedRemoval;
    try {
      result = await this.persistence.removeAllocating!(
        tree.key,
        mailbox.meta,
        entries.map((entry) => entry.uid),
        index.highestModSeq,
      );
    } catch (error) {
      // Whether the write was made is not always known: the index is read again on next use.
      mailbox.index = null;
      throw new MailStoreError('unavailable', 'could not expunge', { cause: error });
    }
    if (result.changes) this.applyForeignChanges(tree, mailbox, index, result.changes);
    const gone = index.select(result.uids);
    const { uids, modSeq } = index.expungeAt(result.uids, result.modSeq);
    return { gone, uids, modSeq };
  }

  private async retainUnlocked(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    uids: readonly number[],
  ): Promise<void> {
    let retained = tree.mailboxes.get(RETAINED_PATH);
    if (!retained) {
      const meta: MailboxMeta = {
        id: this.newId(),
        path: RETAINED_PATH,
        uidValidity: this.nextUidValidity(),
        folderType: 'mail',
        specialUse: null,
        acl: [],
      };
      await this.persistence.createMailbox(tree.key, meta);
      retained = { meta, index: null };
      tree.mailboxes.set(RETAINED_PATH, retained);
      await this.writeTree(tree);
    }
    const copies = await this.readMessages(tree, mailbox, uids);
    await this.appendUnlocked(tree, retained, copies);
  }

  /** Moves retained messages saved within the last `days` days into Deleted Items. */
  async recoverDeletedUnlocked(tree: LoadedTree, days: number): Promise<number> {
    const retained = tree.mailboxes.get(RETAINED_PATH);
    const trash =
      tree.mailboxes.get(DELETED_ITEMS) ??
      [...tree.mailboxes.values()].find((m) => m.meta.specialUse === '\\Trash');
    if (!retained || !trash) return 0;
    const cutoff = this.clock.now() - days * DAY;
    const index = await this.index(tree, retained);
    const uids = index
      .all()
      .filter((entry) => entry.saveDate >= cutoff)
      .map((entry) => entry.uid);
    if (uids.length === 0) return 0;
    const copies = await this.readMessages(tree, retained, uids);
    await this.appendUnlocked(
      tree,
      trash,
      copies.map((copy) => ({ ...copy, saveDate: undefined })),
    );
    await this.removeUnlocked(tree, retained, uids, { retain: false });
    return uids.length;
  }

  /** Whole messages, ready to append elsewhere: content, flags, dates and email id kept. */
  async readMessages(
    tree: LoadedTree,
    mailbox: LoadedMailbox,
    uids: readonly number[],
  ): Promise<(AppendInput & { emailId: string })[]> {
    const index = await this.index(tree, mailbox);
    const copies: (AppendInput & { emailId: string })[] = [];
    for (const entry of index.select(uids)) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of this.persistence.readContent(tree.key, mailbox.meta, entry.uid))
        chunks.push(chunk);
      copies.push({
        content: Buffer.concat(chunks),
        flags: entry.flags,
        internalDate: entry.internalDate,
        ...(entry.internalDateZone !== undefined
          ? { internalDateZone: entry.internalDateZone }
          : {}),
        emailId: entry.emailId,
      });
    }
    return copies;
  }

  /** Locations of the mailboxes at or below a path in a tree, parents first. */
  subtree(tree: LoadedTree, path: string): LoadedMailbox[] {
    return sortedByPath(tree).filter((mailbox) => isSameOrBelow(mailbox.meta.path, path));
  }
}

export function normalizeUser(user: string): string {
  const id = user.trim().toLowerCase();
  // `.` and `..` would name the directory itself or its parent in a store that keeps a tree per
  // user on disk; escaped, they still make a second spelling of a path, so they are no user.
  if (!/^[^\s@/#~]+@[^\s@/]+$/.test(id) || id.split('@').some((part) => /^\.{1,2}$/.test(part)))
    throw new MailStoreError('invalid-argument', `not a user id: ${JSON.stringify(user)}`);
  return id;
}

function sortedByPath(tree: LoadedTree): LoadedMailbox[] {
  return [...tree.mailboxes.values()].sort((a, b) =>
    a.meta.path < b.meta.path ? -1 : a.meta.path > b.meta.path ? 1 : 0,
  );
}

function uniquePath(tree: LoadedTree, base: string): string {
  let path = base;
  for (let n = 2; [...tree.mailboxes.keys()].some((p) => isSameOrBelow(p, path)); n++)
    path = `${base} (${n})`;
  return path;
}
