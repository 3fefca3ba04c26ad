import { MAX_RETENTION_DAYS } from '../account-policy.js';
import {
  type AclEntry,
  ALL_RIGHTS,
  type Rights,
  hasRight,
  parseAclIdentifier,
  parseRights,
} from '../acl.js';
import { MailStoreError } from '../errors.js';
import type {
  AppendInput,
  AppendResult,
  CreateOptions,
  MailAccess,
  MailboxInfo,
  MailboxStatus,
  OpenMailbox,
  QuotaReport,
} from '../mail-store.js';
import {
  DELIMITER,
  type MailboxLocation,
  formatMailboxName,
  isInbox,
  isSameOrBelow,
  parentPath,
  parseMailboxName,
} from '../mailbox-name.js';
import { EngineMailbox, allowedFlags } from './engine-mailbox.js';
import {
  type LoadedTree,
  RETAINED_PATH,
  type ResolvedMailbox,
  type StoreEngine,
} from './store-engine.js';
import type { MailboxMeta } from './store-persistence.js';

/** A user's view of a {@link StoreEngine}. */
export class EngineAccess implements MailAccess {
  constructor(
    private readonly engine: StoreEngine,
    readonly user: string,
  ) {}

  async list(): Promise<MailboxInfo[]> {
    const own = await this.engine.ownTree(this.user);
    const infos: MailboxInfo[] = [];
    const visible = async (tree: LoadedTree, location: (path: string) => MailboxLocation) => {
      const found: { location: MailboxLocation; meta: MailboxMeta; rights: Rights }[] = [];
      for (const { meta } of tree.mailboxes.values()) {
        if (meta.path === RETAINED_PATH) continue;
        const where = location(meta.path);
        const rights = await this.engine.rightsOn(this.user, where, meta);
        if (hasRight(rights, 'l')) found.push({ location: where, meta, rights });
      }
      for (const { location: where, meta, rights } of found) {
        infos.push({
          name: formatMailboxName(where),
          id: meta.id,
          namespace: where.namespace,
          folderType: meta.folderType,
          specialUse: meta.specialUse,
          subscribed: own.subscriptions.has(formatMailboxName(where)),
          hasChildren: found.some((other) => other.meta.path.startsWith(meta.path + DELIMITER)),
          rights,
        });
      }
    };
    await visible(own, (path) => ({ namespace: 'personal', path }));
    for (const key of await this.engine.persistence.listTrees()) {
      if (key === this.user || key.startsWith('#')) continue;
      const tree = await this.engine.loadTree(key);
      if (tree) await visible(tree, (path) => ({ namespace: 'other', owner: key, path }));
    }
    const publicTree = await this.engine.loadTree(await this.engine.publicTreeKey(this.user));
    if (publicTree) await visible(publicTree, (path) => ({ namespace: 'public', path }));
    return infos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async info(name: string): Promise<MailboxInfo> {
    const resolved = await this.engine.resolve(this.user, name);
    const location = parseMailboxName(resolved.name);
    const { meta } = resolved.mailbox;
    const own = await this.engine.ownTree(this.user);
    let hasChildren = false;
    for (const child of resolved.tree.mailboxes.values()) {
      const path = child.meta.path;
      if (path === RETAINED_PATH || !path.startsWith(meta.path + DELIMITER)) continue;
      const where = { ...location, path } as MailboxLocation;
      if (hasRight(await this.engine.rightsOn(this.user, where, child.meta), 'l')) {
        hasChildren = true;
        break;
      }
    }
    return {
      name: resolved.name,
      id: meta.id,
      namespace: location.namespace,
      folderType: meta.folderType,
      specialUse: meta.specialUse,
      subscribed: own.subscriptions.has(resolved.name),
      hasChildren,
      rights: resolved.rights,
    };
  }

  async status(name: string): Promise<MailboxStatus> {
    const resolved = await this.engine.resolve(this.user, name);
    requireRight(resolved, 'r');
    return (await this.engine.index(resolved.tree, resolved.mailbox)).status();
  }

  async create(name: string, options: CreateOptions = {}): Promise<MailboxInfo> {
    const location = parseMailboxName(name);
    if (location.namespace === 'personal' && /^[#~]/.test(location.path)) {
      throw new MailStoreError(
        'invalid-name',
        `names starting with # or ~ are reserved: ${JSON.stringify(name)}`,
      );
    }
    const treeKey = await this.engine.treeKeyOf(this.user, location);
    if (location.namespace === 'personal') await this.engine.ownTree(this.user);
    const meta = await this.engine.mutex.run([treeKey], async () => {
      const tree = await this.treeForWrite(treeKey, location);
      if (tree.mailboxes.has(location.path)) {
        throw new MailStoreError('already-exists', `mailbox ${JSON.stringify(name)} exists`);
      }
      await this.requireCreateRight(tree, location);
      let created: MailboxMeta | null = null;
      // Missing parents are created too (RFC 9051 6.3.4).
      const levels = location.path.split(DELIMITER);
      for (let depth = 1; depth <= levels.length; depth++) {
        const path = levels.slice(0, depth).join(DELIMITER);
        if (tree.mailboxes.has(path)) continue;
        const last = depth === levels.length;
        created = {
          id: this.engine.newId(),
          path,
          uidValidity:
            last && options.uidValidity !== undefined
              ? validUidValidity(options.uidValidity)
              : this.engine.nextUidValidity(),
          folderType: (last && options.folderType) || 'mail',
          specialUse: (last && options.specialUse) || null,
          acl: location.namespace === 'public' ? [{ identifier: 'anyone', rights: 'lr' }] : [],
        };
        await this.engine.persistence.createMailbox(tree.key, created);
        tree.mailboxes.set(path, { meta: created, index: null });
      }
      await this.engine.writeTree(tree);
      return created!;
    });
    return {
      name: formatMailboxName(location),
      id: meta.id,
      namespace: location.namespace,
      folderType: meta.folderType,
      specialUse: meta.specialUse,
      subscribed: false,
      hasChildren: false,
      rights: await this.engine.rightsOn(this.user, location, meta),
    };
  }

  async delete(name: string): Promise<void> {
    const resolved = await this.engine.resolve(this.user, name);
    requireRight(resolved, 'x');
    if (resolved.tree.key === this.user && isInbox(resolved.mailbox.meta.path)) {
      throw new MailStoreError('not-allowed', 'INBOX cannot be deleted');
    }
    await this.engine.mutex.run([resolved.tree.key], async () => {
      const { tree } = resolved;
      const mailbox = tree.mailboxes.get(resolved.mailbox.meta.path);
      if (mailbox !== resolved.mailbox)
        throw new MailStoreError('not-found', `no mailbox ${JSON.stringify(name)}`);
      if (this.engine.subtree(tree, mailbox.meta.path).length > 1) {
        throw new MailStoreError('not-allowed', `${name} has child mailboxes; delete them first`);
      }
      await this.engine.persistence.deleteMailbox(tree.key, mailbox.meta);
      tree.mailboxes.delete(mailbox.meta.path);
      tree.usage = null;
      await this.engine.writeTree(tree);
      this.engine.events.publish(mailbox.meta.id, { type: 'deleted' });
    });
  }

  async rename(from: string, to: string): Promise<void> {
    const source = await this.engine.resolve(this.user, from);
    const target = parseMailboxName(to);
    const treeKey = await this.engine.treeKeyOf(this.user, target);
    if (treeKey !== source.tree.key) {
      throw new MailStoreError('not-allowed', 'a mailbox can only be renamed within its own tree');
    }
    requireRight(source, 'x');
    const fromPath = source.mailbox.meta.path;
    if (isSameOrBelow(target.path, fromPath)) {
      throw new MailStoreError('not-allowed', `cannot rename ${from} below itself`);
    }
    if (source.tree.key === this.user && isInbox(fromPath)) return this.renameInbox(to);
    await this.engine.mutex.run([treeKey], async () => {
      const { tree } = source;
      if (tree.mailboxes.has(target.path))
        throw new MailStoreError('already-exists', `mailbox ${JSON.stringify(to)} exists`);
      if (tree.mailboxes.get(fromPath) !== source.mailbox)
        throw new MailStoreError('not-found', `no mailbox ${JSON.stringify(from)}`);
      await this.requireCreateRight(tree, target);
      await this.createParents(tree, target.path);
      const moved = this.engine.subtree(tree, fromPath);
      const moves = moved.map((mailbox) => ({
        mailbox: mailbox.meta,
        path: target.path + mailbox.meta.path.slice(fromPath.length),
      }));
      await this.engine.persistence.moveMailboxes(tree.key, moves, tree.key);
      const own = await this.engine.ownTree(this.user);
      moved.forEach((mailbox, i) => {
        const path = moves[i]!.path;
        const oldName = formatMailboxName({
          ...target,
          path: mailbox.meta.path,
        } as MailboxLocation);
        tree.mailboxes.delete(mailbox.meta.path);
        mailbox.meta = { ...mailbox.meta, path };
        if (own.subscriptions.delete(oldName))
          own.subscriptions.add(formatMailboxName({ ...target, path } as MailboxLocation));
      });
      for (const mailbox of moved) {
        tree.mailboxes.set(mailbox.meta.path, mailbox);
        this.engine.events.publish(mailbox.meta.id, { type: 'renamed' });
      }
      await this.engine.writeTree(tree);
      if (tree.key !== this.user) await this.engine.writeTree(await this.engine.ownTree(this.user));
    });
  }

  /** RFC 9051 6.3.6: renaming INBOX moves its messages to a new mailbox and leaves INBOX empty. */
  private async renameInbox(to: string): Promise<void> {
    await this.create(to);
    const opened = await this.open('INBOX');
    try {
      const uids = (await opened.messages()).map((message) => message.uid);
      if (uids.length > 0) await opened.move(uids, to);
    } finally {
      opened.close();
    }
  }

  async subscribe(name: string): Promise<void> {
    await this.changeSubscription(name, true);
  }

  async unsubscribe(name: string): Promise<void> {
    await this.changeSubscription(name, false);
  }

  async subscriptions(): Promise<string[]> {
    return [...(await this.engine.ownTree(this.user)).subscriptions].sort();
  }

  async open(name: string, options: { readOnly?: boolean } = {}): Promise<OpenMailbox> {
    const resolved = await this.engine.resolve(this.user, name);
    requireRight(resolved, 'r');
    await this.engine.index(resolved.tree, resolved.mailbox);
    const canWrite = [...'swtei'].some((right) => hasRight(resolved.rights, right));
    return new EngineMailbox(
      this.engine,
      this.user,
      resolved,
      options.readOnly === true || !canWrite,
    );
  }

  async append(name: string, messages: readonly AppendInput[]): Promise<AppendResult[]> {
    const resolved = await this.engine.resolve(this.user, name);
    requireRight(resolved, 'i');
    const inputs = messages.map((message) => ({
      ...message,
      flags: allowedFlags(message.flags ?? [], resolved.rights),
    }));
    return this.engine.mutex.run([resolved.tree.key], () => {
      if (resolved.tree.mailboxes.get(resolved.mailbox.meta.path) !== resolved.mailbox) {
        throw new MailStoreError('not-found', `no mailbox ${JSON.stringify(name)}`);
      }
      return this.engine.appendUnlocked(resolved.tree, resolved.mailbox, inputs);
    });
  }

  async quota(): Promise<QuotaReport> {
    const tree = await this.engine.ownTree(this.user);
    return {
      root: this.user,
      usage: await this.engine.mutex.run([this.user], () => this.engine.usage(tree)),
      limits: await this.engine.policy.quota(this.user),
    };
  }

  async getAcl(name: string): Promise<AclEntry[]> {
    const resolved = await this.engine.resolve(this.user, name);
    requireRight(resolved, 'a');
    const owner = resolved.tree.key.startsWith('#')
      ? []
      : [{ identifier: resolved.tree.key, rights: ALL_RIGHTS }];
    return [...owner, ...resolved.mailbox.meta.acl];
  }

  async setAcl(name: string, identifier: string, rights: Rights): Promise<void> {
    const resolved = await this.engine.resolve(this.user, name);
    requireRight(resolved, 'a');
    const id = parseAclIdentifier(identifier);
    const granted = parseRights(rights);
    if (id === resolved.tree.key) {
      throw new MailStoreError('not-allowed', 'the owner’s rights cannot be changed');
    }
    await this.engine.mutex.run([resolved.tree.key], async () => {
      const { mailbox, tree } = resolved;
      const acl = mailbox.meta.acl.filter((entry) => entry.identifier !== id);
      if (granted !== '') acl.push({ identifier: id, rights: granted });
      mailbox.meta = { ...mailbox.meta, acl };
      await this.engine.writeTree(tree);
    });
  }

  async myRights(name: string): Promise<Rights> {
    return (await this.engine.resolve(this.user, name)).rights;
  }

  async recoverDeleted(days: number): Promise<number> {
    if (!(days > 0 && days <= MAX_RETENTION_DAYS)) {
      throw new MailStoreError(
        'invalid-argument',
        `days must be between 1 and ${MAX_RETENTION_DAYS}`,
      );
    }
    const tree = await this.engine.ownTree(this.user);
    return this.engine.mutex.run([this.user], () => this.engine.recoverDeletedUnlocked(tree, days));
  }

  private async changeSubscription(name: string, subscribed: boolean): Promise<void> {
    const canonical = formatMailboxName(parseMailboxName(name));
    const tree = await this.engine.ownTree(this.user);
    await this.engine.mutex.run([this.user], async () => {
      if (subscribed) tree.subscriptions.add(canonical);
      else tree.subscriptions.delete(canonical);
      await this.engine.writeTree(tree);
    });
  }

  /** The tree a mailbox is to be created in: one's own, a public one (created on demand), or another's. */
  private async treeForWrite(treeKey: string, location: MailboxLocation): Promise<LoadedTree> {
    const tree = await this.engine.loadTree(treeKey);
    if (tree) return tree;
    if (
      location.namespace === 'public' &&
      (await this.engine.policy.isPublicFolderAdmin(this.user))
    ) {
      return this.engine.createTree(treeKey);
    }
    throw new MailStoreError(
      'permission-denied',
      `no right to create ${formatMailboxName(location)}`,
    );
  }

  /** Creating below a mailbox takes `k` on it; at the top of a tree, ownership or public-folder admin. */
  private async requireCreateRight(tree: LoadedTree, location: MailboxLocation): Promise<void> {
    if (location.namespace === 'personal') return;
    let parent = parentPath(location.path);
    while (parent !== null && !tree.mailboxes.has(parent)) parent = parentPath(parent);
    const rights =
      parent === null
        ? location.namespace === 'public' &&
          (await this.engine.policy.isPublicFolderAdmin(this.user))
          ? ALL_RIGHTS
          : ''
        : await this.engine.rightsOn(this.user, location, tree.mailboxes.get(parent)!.meta);
    if (!hasRight(rights, 'k'))
      throw new MailStoreError('permission-denied', 'no right to create mailboxes here');
  }

  private async createParents(tree: LoadedTree, path: string): Promise<void> {
    const levels = path.split(DELIMITER);
    for (let depth = 1; depth < levels.length; depth++) {
      const parent = levels.slice(0, depth).join(DELIMITER);
      if (tree.mailboxes.has(parent)) continue;
      const meta: MailboxMeta = {
        id: this.engine.newId(),
        path: parent,
        uidValidity: this.engine.nextUidValidity(),
        folderType: 'mail',
        specialUse: null,
        acl: [],
      };
      await this.engine.persistence.createMailbox(tree.key, meta);
      tree.mailboxes.set(parent, { meta, index: null });
    }
  }
}

export function requireRight(resolved: ResolvedMailbox, right: string): void {
  if (!hasRight(resolved.rights, right)) {
    throw new MailStoreError('permission-denied', `no "${right}" right on ${resolved.name}`);
  }
}

/** A UIDVALIDITY a caller asked for: a positive 32-bit number (RFC 9051 2.3.1.1). */
function validUidValidity(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 0xffffffff)
    throw new MailStoreError(
      'invalid-argument',
      `UIDVALIDITY ${value} is not a positive 32-bit number`,
    );
  return value;
}
