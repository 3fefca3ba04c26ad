import type { UserAccount } from './directory.js';
import type { PasswordRecord } from './password.js';

/**
 * A directory's content as plain data: what `MemoryDirectory` holds and `XmlDirectory` reads and
 * writes as Kerio's `users.cfg`.
 */
export interface DirectoryData {
  readonly domains: readonly DomainRecord[];
  readonly users: readonly UserRecord[];
  readonly groups: readonly GroupRecord[];
  readonly aliases: readonly AliasRecord[];
}

export interface DomainRecord {
  /** Lower case, IDN as A-labels. */
  readonly name: string;
  readonly primary: boolean;
  readonly aliases: readonly string[];
  readonly retentionDays: number;
}

/** A user as stored: the account as the Directory reports it, without its id, with its password. */
export type UserRecord = Omit<UserAccount, 'id'> & { readonly password: PasswordRecord | null };

export interface GroupRecord {
  readonly name: string;
  readonly domain: string;
  /** User ids (`alice@example.com`). */
  readonly members: readonly string[];
  /** Members have the group's public-folder rights (the higher of group and user wins). */
  readonly publicFolderAdmin: boolean;
}

/**
 * Kerio 12.3: an alias maps a local part in a domain, with `*` (any run of characters) and `?`
 * (exactly one) as wildcards, to an address or to a public folder (`#public/Info`). `*` alone is
 * the catch-all.
 */
export interface AliasRecord {
  readonly domain: string;
  readonly pattern: string;
  readonly target: string;
}

export const EMPTY_DIRECTORY: DirectoryData = {
  domains: [],
  users: [],
  groups: [],
  aliases: [],
};
