import { type Rights, hasRight } from '../acl.js';
import { MailStoreError, isMailStoreError } from '../errors.js';
import { normalizeFlags } from '../flags.js';
import type {
  CopyResult,
  FlagUpdate,
  FlagUpdateResult,
  MailboxStatus,
  MessageRecord,
  MessageState,
  OpenMailbox,
} from '../mail-store.js';
import type { MailboxListener } from '../mailbox-events.js';
import { requireRight } from './engine-access.js';
import type { MailboxIndex } from './mailbox-index.js';
import type { LoadedMailbox, ResolvedMailbox, StoreEngine } from './store-engine.js';
import type { AllocatedFlagChange, ContentRequest } from './store-persistence.js';

/** The right a flag needs (RFC 4314 section 4): `s` for \Seen, `t` for \Deleted, `w` for the rest. */
export function rightForFlag(flag: string): string {
  const lower = flag.toLowerCase();
  return lower === '\\seen' ? 's' : lower === '\\deleted' ? 't' : 'w';
}

/** The flags of a list that the rights allow to set; the others are dropped silently. */
export function allowedFlags(flags: readonly string[], rights: Rights): string[] {
  return flags.filter((flag) => hasRight(rights, rightForFlag(flag)));
}

/** A mailbox opened through a {@link StoreEngine}. It follows its mailbox through renames. */
export class EngineMailbox implements OpenMailbox {
  readonly id: string;
  readonly uidValidity: number;
  readonly rights: Rights;
  private readonly unsubscribers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly engine: StoreEngine,
    private readonly user: string,
    private readonly resolved: ResolvedMailbox,
    readonly readOnly: boolean,
  ) {
    this.id = resolved.mailbox.meta.id;
    this.uidValidity = resolved.mailbox.meta.uidValidity;
    this.rights = resolved.rights;
  }

  get name(): string {
    return this.resolved.name;
  }

  async messages(): Promise<readonly MessageState[]> {
    return (await this.index()).states();
  }

  async status(): Promise<MailboxStatus> {
    return (await this.index()).status();
  }

  async fetch(uids: readonly number[]): Promise<MessageRecord[]> {
    let asked = Infinity;
    for (;;) {
      const present = (await this.index()).select(uids).length;
      try {
        return await this.fetchOnce(uids);
      } catch (error) {
        // Storage says a message was expunged that the index had: another session expunged it
        // meanwhile (a store shared by several processes brings the index up to date before it
        // says so). What is still there, from the index as it is now, for as long as each
        // look finds fewer messages; else the reader is told.
        if (!isMailStoreError(error, 'expunged') || present >= asked) throw error;
        asked = present;
      }
    }
  }

  private async fetchOnce(uids: readonly number[]): Promise<MessageRecord[]> {
    const mailbox = this.current();
    const entries = (await this.index()).select(uids);
    const summaries = await this.engine.persistence.readSummaries(
      this.resolved.tree.key,
      mailbox.meta,
      entries.map((entry) => entry.uid),
    );
    return entries.map((entry, i) => ({ ...entry, summary: summaries[i]! }));
  }

  async *read(uid: number, range?: { start: number; end: number }): AsyncIterable<Uint8Array> {
    const mailbox = this.current();
    const index = await this.index();
    const entry = index.get(uid);
    if (!entry) {
      // UIDs are given in order: one below UIDNEXT that is not there was expunged.
      const code = uid < index.uidNext ? 'expunged' : 'not-found';
      throw new MailStoreError(code, `no message with UID ${uid}`);
    }
    const start = Math.max(0, Math.min(range?.start ?? 0, entry.size));
    const end = Math.max(start, Math.min(range?.end ?? entry.size, entry.size));
    if (start === end) return;
    try {
      yield* this.engine.persistence.readContent(this.resolved.tree.key, mailbox.meta, uid, {
        start,
        end,
      });
    } catch (error) {
      // Expunged by another session between the look-up and the read: that is what the reader
      // is to be told, not that storage failed.
      if (!(await this.index()).get(uid)) {
        throw new MailStoreError('expunged', `no message with UID ${uid}`, { cause: error });
      }
      throw error;
    }
  }

  async readMany(
    requests: readonly { readonly uid: number; readonly start: number; readonly end: number }[],
  ): Promise<(Uint8Array | null)[]> {
    const mailbox = this.current();
    const index = await this.index();
    const results: (Uint8Array | null)[] = requests.map(() => null);
    const wanted: ContentRequest[] = [];
    const at: number[] = [];
    requests.forEach((request, i) => {
      const entry = index.get(request.uid);
      if (!entry) return;
      const start = Math.max(0, Math.min(request.start, entry.size));
      const end = Math.max(start, Math.min(request.end, entry.size));
      if (start === end) results[i] = new Uint8Array(0);
      else {
        wanted.push({ uid: request.uid, start, end });
        at.push(i);
      }
    });
    if (wanted.length === 0) return results;
    const { persistence } = this.engine;
    const tree = this.resolved.tree.key;
    const contents = persistence.readContents
      ? await persistence.readContents(tree, mailbox.meta, wanted)
      : await Promise.all(
          wanted.map(async ({ uid, start, end }) => {
            const chunks: Uint8Array[] = [];
            for await (const chunk of persistence.readContent(tree, mailbox.meta, uid, {
              start,
              end,
            })) {
              chunks.push(chunk);
            }
            return Buffer.concat(chunks);
          }),
        );
    const now = await this.index();
    contents.forEach((content, j) => {
      const { uid } = wanted[j]!;
      if (content !== null) results[at[j]!] = content;
      // A message whose bytes are gone was expunged meanwhile, or storage lost them.
      else if (now.get(uid)) {
        throw new MailStoreError('unavailable', `the bytes of message ${uid} are missing`);
      }
    });
    return results;
  }

  async updateFlags(uids: readonly number[], update: FlagUpdate): Promise<FlagUpdateResult> {
    this.requireWritable();
    if (![...'swt'].some((right) => hasRight(this.rights, right))) {
      throw new MailStoreError('permission-denied', `no right to change flags in ${this.name}`);
    }
    // Tried again (by a store shared by several processes) without letting go of the tree's
    // lock, as appends and expunges are: a retry that holds storage locks of its own must not
    // wait for this lock behind a writer that waits for those.
    return this.engine.mutex.run([this.resolved.tree.key], () =>
      this.engine.persistence.updateFlagsAllocating
        ? this.updateFlagsInStorage(uids, update)
        : this.engine.retrying(() => this.updateFlagsUnlocked(uids, update), {
            tree: this.resolved.tree,
            mailbox: this.current(),
          }),
    );
  }

  /**
   * The persistence computes the change from the flags it holds and numbers it in its write,
   * which cannot lose a race with another process's: what that process wrote before comes back
   * with the answer and is applied (and told) first.
   */
  private async updateFlagsInStorage(
    uids: readonly number[],
    update: FlagUpdate,
  ): Promise<FlagUpdateResult> {
    const mailbox = this.current();
    const index = await this.index();
    const may = (right: string) => hasRight(this.rights, right);
    const flags = normalizeFlags(update.flags).filter((flag) => may(rightForFlag(flag)));
    let result: AllocatedFlagChange;
    try {
      result = await this.engine.persistence.updateFlagsAllocating!(
        this.resolved.tree.key,
        mailbox.meta,
        {
          uids,
          operation: update.operation,
          flags,
          ...(update.unchangedSince !== undefined ? { unchangedSince: update.unchangedSince } : {}),
          locked: { seen: !may('s'), deleted: !may('t'), other: !may('w') },
        },
        index.highestModSeq,
      );
    } catch (error) {
      // Whether the write was made is not always known: the index is read again on next use.
      mailbox.index = null;
      throw new MailStoreError('unavailable', 'could not store flags', { cause: error });
    }
    if (result.changes)
      this.engine.applyForeignChanges(this.resolved.tree, mailbox, index, result.changes);
    const updated = [...result.updated];
    index.applyFlagStates(updated);
    if (updated.length > 0) {
      this.engine.events.publish(this.id, {
        type: 'flags',
        messages: updated,
        modSeq: index.highestModSeq,
      });
    }
    return { updated, modified: [...result.modified] };
  }

  private async updateFlagsUnlocked(
    uids: readonly number[],
    update: FlagUpdate,
  ): Promise<FlagUpdateResult> {
    const mailbox = this.current();
    const index = await this.index();
    const locked = (flag: string) => !hasRight(this.rights, rightForFlag(flag));
    const { updated, modified } = index.updateFlags(
      uids,
      update.operation,
      update.flags,
      update.unchangedSince,
      locked,
    );
    const changes = updated.map(({ uid, flags, modSeq }) => ({ uid, flags, modSeq }));
    if (changes.length > 0) {
      try {
        await this.engine.persistence.updateFlags(
          this.resolved.tree.key,
          mailbox.meta,
          changes,
          index.highestModSeq,
        );
      } catch (error) {
        mailbox.index = null;
        throw new MailStoreError('unavailable', 'could not store flags', { cause: error });
      }
      this.engine.events.publish(this.id, {
        type: 'flags',
        messages: changes,
        modSeq: index.highestModSeq,
      });
    }
    return { updated: changes, modified };
  }

  async expunge(uids?: readonly number[]): Promise<number[]> {
    this.requireWritable();
    requireRight(this.resolved, 'e');
    return this.engine.mutex.run([this.resolved.tree.key], async () => {
      const mailbox = this.current();
      const deleted = (await this.index()).deletedAmong(uids);
      return this.engine.removeUnlocked(this.resolved.tree, mailbox, deleted, { retain: true });
    });
  }

  copy(uids: readonly number[], destination: string): Promise<CopyResult> {
    return this.transfer(uids, destination, false);
  }

  move(uids: readonly number[], destination: string): Promise<CopyResult> {
    return this.transfer(uids, destination, true);
  }

  async vanishedSince(modSeq: number): Promise<number[]> {
    return (await this.index()).vanishedSince(modSeq);
  }

  claimRecent(uids?: readonly number[]): number[] {
    return this.resolved.mailbox.index?.claimRecent(uids) ?? [];
  }

  subscribe(listener: MailboxListener): () => void {
    const unsubscribe = this.engine.events.subscribe(this.id, listener);
    this.unsubscribers.add(unsubscribe);
    return () => {
      unsubscribe();
      this.unsubscribers.delete(unsubscribe);
    };
  }

  close(): void {
    this.closed = true;
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers.clear();
  }

  private async transfer(
    uids: readonly number[],
    destination: string,
    move: boolean,
  ): Promise<CopyResult> {
    if (move) {
      this.requireWritable();
      requireRight(this.resolved, 't');
      requireRight(this.resolved, 'e');
    }
    const target = await this.engine.resolve(this.user, destination);
    requireRight(target, 'i');
    const keys = [this.resolved.tree.key, target.tree.key];
    return this.engine.mutex.run(keys, async () => {
      const source = this.current();
      if (target.tree.mailboxes.get(target.mailbox.meta.path) !== target.mailbox) {
        throw new MailStoreError('not-found', `no mailbox ${JSON.stringify(destination)}`);
      }
      const entries = (await this.index()).select(uids);
      const sourceUids = entries.map((entry) => entry.uid);
      if (sourceUids.length === 0)
        return { uidValidity: target.mailbox.meta.uidValidity, sourceUids, destinationUids: [] };
      const copies = await this.engine.readMessages(this.resolved.tree, source, sourceUids);
      const results = await this.engine.appendUnlocked(
        target.tree,
        target.mailbox,
        copies.map((copy) => ({ ...copy, flags: allowedFlags(copy.flags ?? [], target.rights) })),
      );
      if (move)
        await this.engine.removeUnlocked(this.resolved.tree, source, sourceUids, { retain: false });
      return {
        uidValidity: target.mailbox.meta.uidValidity,
        sourceUids,
        destinationUids: results.map((result) => result.uid),
      };
    });
  }

  /** The mailbox as it is now; throws when it was deleted (or re-created) since it was opened. */
  private current(): LoadedMailbox {
    const mailbox = this.resolved.mailbox;
    if (this.closed) throw new MailStoreError('not-allowed', `${this.name} is closed`);
    // A rename updates `meta.path`, so this finds the mailbox wherever it went.
    const now = this.resolved.tree.mailboxes.get(mailbox.meta.path);
    if (now === mailbox) return mailbox;
    // Deleted, and perhaps created again under the same name: the session's UIDs mean nothing there.
    if (now)
      throw new MailStoreError(
        'uidvalidity-changed',
        `${this.name} was re-created with a new UIDVALIDITY`,
      );
    throw new MailStoreError('not-found', `${this.name} no longer exists`);
  }

  private index(): Promise<MailboxIndex> {
    return this.engine.index(this.resolved.tree, this.current());
  }

  private requireWritable(): void {
    if (this.readOnly) throw new MailStoreError('not-allowed', `${this.name} is open read-only`);
  }
}
