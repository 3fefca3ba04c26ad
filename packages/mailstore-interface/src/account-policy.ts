import { UNLIMITED, type QuotaLimits } from './quota.js';

/**
 * What a store needs to know about accounts and domains that is not its own to keep: quotas,
 * groups (for group ACL entries), who administers public folders, how far public folders reach,
 * and how long deleted items are kept. A `Directory` provides all of it; the default is a store
 * with no limits and no groups.
 */
export interface AccountPolicy {
  quota(user: string): QuotaLimits | Promise<QuotaLimits>;
  /** The groups a user belongs to (`sales@example.com`), for `$group` ACL entries. */
  groups(user: string): readonly string[] | Promise<readonly string[]>;
  /** Whether the user has Kerio's "administrator rights to the public folders". */
  isPublicFolderAdmin(user: string): boolean | Promise<boolean>;
  /** Kerio 7.1: public folders are per domain (the default) or one set for the whole server. */
  publicFolderScope(): 'domain' | 'global' | Promise<'domain' | 'global'>;
  /** Kerio 7.4: days expunged messages are kept for recovery; 0 keeps none, at most 365. */
  retentionDays(user: string): number | Promise<number>;
}

export const OPEN_ACCOUNT_POLICY: AccountPolicy = {
  quota: () => UNLIMITED,
  groups: () => [],
  isPublicFolderAdmin: () => false,
  publicFolderScope: () => 'domain',
  retentionDays: () => 0,
};

/** The longest deleted-items retention Kerio accepts. */
export const MAX_RETENTION_DAYS = 365;

/** The domain of a user id, lower-cased. */
export function domainOf(user: string): string {
  return user.slice(user.lastIndexOf('@') + 1).toLowerCase();
}
