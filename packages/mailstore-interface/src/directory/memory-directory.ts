import { MailStoreError } from '../errors.js';
import { MAX_RETENTION_DAYS } from '../account-policy.js';
import { type QuotaLimits, UNLIMITED } from '../quota.js';
import type {
  Directory,
  DomainInfo,
  RecipientResolution,
  ScramHash,
  ScramStoredCredentials,
  UserAccount,
} from './directory.js';
import {
  type AliasRecord,
  type DirectoryData,
  EMPTY_DIRECTORY,
  type DomainRecord,
  type GroupRecord,
  type UserRecord,
} from './directory-data.js';
import { DirectoryIndex, splitAddress } from './directory-index.js';
import {
  type PasswordOptions,
  checkPasswordRecord,
  decodeScram,
  hashPassword,
  passwordRecordKey,
  recoverPassword,
} from './password.js';
import { VerifiedLoginCache, type VerifiedLoginCacheOptions } from './verified-login-cache.js';

export interface MemoryDirectoryOptions extends PasswordOptions {
  readonly data?: DirectoryData;
  /**
   * Remember logins verified lately, so that a repeated login costs an HMAC, not scrypt (see
   * {@link VerifiedLoginCache}); on by default, `false` turns it off.
   */
  readonly loginCache?: VerifiedLoginCache | VerifiedLoginCacheOptions | false;
}

/** Kerio's allowed alias characters (Admin Guide Table 12.2), wildcards included. */
const ALIAS_PATTERN = /^[A-Za-z0-9._?*-]+$/;

/**
 * A `Directory` held in memory, with the administration a server needs: domains and their
 * aliases, users and passwords, groups, aliases. The reference implementation, and the base of
 * `XmlDirectory`, which keeps the same data in Kerio's `users.cfg`.
 */
export class MemoryDirectory implements Directory {
  private data: DirectoryData;
  private index: DirectoryIndex;
  private readonly loginCache: VerifiedLoginCache | null;

  constructor(private readonly options: MemoryDirectoryOptions = {}) {
    this.data = options.data ?? EMPTY_DIRECTORY;
    this.index = new DirectoryIndex(this.data);
    const cache = options.loginCache;
    this.loginCache =
      cache === false
        ? null
        : cache instanceof VerifiedLoginCache
          ? cache
          : new VerifiedLoginCache(cache);
  }

  // ---- Directory ----

  async localDomain(domain: string): Promise<string | null> {
    return this.index.localDomain(domain);
  }

  async primaryDomain(): Promise<string | null> {
    return this.index.primary;
  }

  async domains(): Promise<DomainInfo[]> {
    return this.data.domains.map((d) => ({ ...d, primary: d.name === this.index.primary }));
  }

  async findUser(login: string): Promise<UserAccount | null> {
    const id = this.index.userIdForLogin(login);
    return id ? this.account(id) : null;
  }

  async users(domain?: string): Promise<UserAccount[]> {
    return this.data.users
      .filter((user) => domain === undefined || user.domain === domain.toLowerCase())
      .map((user) => this.account(`${user.name}@${user.domain}`)!);
  }

  async groupsOf(user: string): Promise<string[]> {
    return this.index.groupsOf(user);
  }

  async resolveRecipient(address: string): Promise<RecipientResolution> {
    return this.index.resolve(address);
  }

  async verifyPassword(login: string, password: string): Promise<UserAccount | null> {
    const id = this.index.userIdForLogin(login);
    const user = id ? this.index.user(id) : undefined;
    if (!user?.enabled || !user.password) return null;
    const record = passwordRecordKey(user.password);
    if (this.loginCache?.has(id!, record, password)) return this.account(id!);
    if (!(await checkPasswordRecord(user.password, password))) return null;
    this.loginCache?.remember(id!, record, password);
    return this.account(id!);
  }

  async plaintextPassword(login: string): Promise<string | null> {
    const id = this.index.userIdForLogin(login);
    const user = id ? this.index.user(id) : undefined;
    if (!user?.enabled || !user.password) return null;
    return recoverPassword(user.password, this.options.reversibleKey);
  }

  async scramCredentials(login: string, hash: ScramHash): Promise<ScramStoredCredentials | null> {
    const id = this.index.userIdForLogin(login);
    const user = id ? this.index.user(id) : undefined;
    const encoded = user?.enabled ? user.password?.scram[hash] : undefined;
    return encoded ? decodeScram(encoded) : null;
  }

  // ---- administration ----

  /** The directory's content, for saving or copying. */
  snapshot(): DirectoryData {
    return this.data;
  }

  async addDomain(
    name: string,
    options: { aliases?: string[]; primary?: boolean; retentionDays?: number } = {},
  ): Promise<void> {
    const domain = name.toLowerCase();
    if (this.index.localDomain(domain))
      throw new MailStoreError('already-exists', `domain ${domain} exists`);
    const retentionDays = options.retentionDays ?? 0;
    if (retentionDays < 0 || retentionDays > MAX_RETENTION_DAYS) {
      throw new MailStoreError(
        'invalid-argument',
        `retention must be 0 to ${MAX_RETENTION_DAYS} days`,
      );
    }
    const record: DomainRecord = {
      name: domain,
      primary: options.primary ?? this.data.domains.length === 0,
      aliases: (options.aliases ?? []).map((alias) => alias.toLowerCase()),
      retentionDays,
    };
    const domains = record.primary
      ? this.data.domains.map((d) => ({ ...d, primary: false }))
      : this.data.domains;
    await this.change({ ...this.data, domains: [...domains, record] });
  }

  async addUser(
    id: string,
    options: {
      password?: string;
      fullName?: string;
      enabled?: boolean;
      quota?: QuotaLimits;
      ownDomainOnly?: boolean;
      forwarding?: { addresses: string[]; keepCopy: boolean };
      publicFolderAdmin?: boolean;
    } = {},
  ): Promise<UserAccount> {
    const parts = splitAddress(id.toLowerCase());
    const domain = parts && this.index.localDomain(parts.domain);
    if (!parts || domain !== parts.domain)
      throw new MailStoreError('invalid-argument', `${id} is not in a local domain`);
    if (!/^[a-z0-9._-]+$/.test(parts.local)) {
      throw new MailStoreError(
        'invalid-argument',
        `login names are letters, digits, ".", "_" and "-": ${id}`,
      );
    }
    // They would name a directory's self or parent wherever a store keeps a directory per user.
    if (parts.local === '.' || parts.local === '..') {
      throw new MailStoreError('invalid-argument', `a login name cannot be "." or "..": ${id}`);
    }
    if (this.index.user(id)) throw new MailStoreError('already-exists', `user ${id} exists`);
    const record: UserRecord = {
      name: parts.local,
      domain,
      fullName: options.fullName ?? '',
      enabled: options.enabled ?? true,
      quota: options.quota ?? UNLIMITED,
      ownDomainOnly: options.ownDomainOnly ?? false,
      forwarding: options.forwarding ?? { addresses: [], keepCopy: false },
      publicFolderAdmin: options.publicFolderAdmin ?? false,
      password:
        options.password === undefined ? null : hashPassword(options.password, this.options),
    };
    await this.change({ ...this.data, users: [...this.data.users, record] });
    return this.account(`${record.name}@${record.domain}`)!;
  }

  async updateUser(
    id: string,
    changes: Partial<Omit<UserRecord, 'name' | 'domain' | 'password'>> & { password?: string },
  ): Promise<UserAccount> {
    const existing = this.index.user(id);
    if (!existing) throw new MailStoreError('not-found', `no user ${id}`);
    const { password, ...rest } = changes;
    const updated: UserRecord = {
      ...existing,
      ...rest,
      ...(password === undefined ? {} : { password: hashPassword(password, this.options) }),
    };
    await this.change({
      ...this.data,
      users: this.data.users.map((u) => (u === existing ? updated : u)),
    });
    return this.account(id.toLowerCase())!;
  }

  async removeUser(id: string): Promise<void> {
    const existing = this.index.user(id);
    if (!existing) throw new MailStoreError('not-found', `no user ${id}`);
    const key = id.toLowerCase();
    await this.change({
      ...this.data,
      users: this.data.users.filter((u) => u !== existing),
      groups: this.data.groups.map((g) => ({ ...g, members: g.members.filter((m) => m !== key) })),
    });
  }

  async addGroup(
    id: string,
    members: string[],
    options: { publicFolderAdmin?: boolean } = {},
  ): Promise<void> {
    const parts = splitAddress(id.toLowerCase());
    const domain = parts && this.index.localDomain(parts.domain);
    if (!parts || !domain)
      throw new MailStoreError('invalid-argument', `${id} is not in a local domain`);
    const record: GroupRecord = {
      name: parts.local,
      domain,
      members: members.map((m) => m.toLowerCase()),
      publicFolderAdmin: options.publicFolderAdmin ?? false,
    };
    await this.change({ ...this.data, groups: [...this.data.groups, record] });
  }

  /** Adds an alias (Kerio 12.3); the same pattern may map to several targets. */
  async addAlias(domain: string, pattern: string, target: string): Promise<void> {
    const name = this.index.localDomain(domain);
    if (!name) throw new MailStoreError('invalid-argument', `${domain} is not a local domain`);
    if (!ALIAS_PATTERN.test(pattern)) {
      throw new MailStoreError(
        'invalid-argument',
        `aliases are a-z, 0-9, ".", "-", "_", "?" and "*": ${pattern}`,
      );
    }
    const record: AliasRecord = { domain: name, pattern, target };
    await this.change({ ...this.data, aliases: [...this.data.aliases, record] });
  }

  async removeAlias(domain: string, pattern: string, target?: string): Promise<void> {
    const name = this.index.localDomain(domain);
    const keep = (a: AliasRecord) =>
      !(
        a.domain === name &&
        a.pattern === pattern &&
        (target === undefined || a.target === target)
      );
    await this.change({ ...this.data, aliases: this.data.aliases.filter(keep) });
  }

  /** Makes a change; `XmlDirectory` also writes it to disk before it takes effect. */
  protected async change(data: DirectoryData): Promise<void> {
    this.data = data;
    this.index = new DirectoryIndex(data);
  }

  private account(id: string): UserAccount | null {
    const user = this.index.user(id);
    if (!user) return null;
    const groups = this.index
      .groupsOf(id)
      .map((g) => this.data.groups.find((r) => `${r.name}@${r.domain}` === g));
    return {
      id: `${user.name}@${user.domain}`,
      name: user.name,
      domain: user.domain,
      fullName: user.fullName,
      enabled: user.enabled,
      quota: user.quota,
      ownDomainOnly: user.ownDomainOnly,
      forwarding: user.forwarding,
      // The higher of group and user rights wins (Kerio 9.1).
      publicFolderAdmin: user.publicFolderAdmin || groups.some((g) => g?.publicFolderAdmin),
    };
  }
}
