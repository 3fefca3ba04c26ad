import type { AccountPolicy } from '../account-policy.js';
import { domainOf } from '../account-policy.js';
import { UNLIMITED } from '../quota.js';
import type { Directory } from './directory.js';

/**
 * The store's `AccountPolicy` answered by a `Directory`: quotas, groups and public-folder rights
 * per user, retention per domain, so that one source of truth (Kerio's users.cfg) governs both.
 * Whether public folders are per domain or global is server configuration (mailserver.cfg), so
 * it comes as an option; per domain, Kerio's default, when not given.
 */
export function directoryAccountPolicy(
  directory: Directory,
  options: { publicFolderScope?: () => 'domain' | 'global' | Promise<'domain' | 'global'> } = {},
): AccountPolicy {
  return {
    quota: async (user) => (await directory.findUser(user))?.quota ?? UNLIMITED,
    groups: (user) => directory.groupsOf(user),
    isPublicFolderAdmin: async (user) =>
      (await directory.findUser(user))?.publicFolderAdmin ?? false,
    publicFolderScope: options.publicFolderScope ?? (() => 'domain'),
    retentionDays: async (user) => {
      const domain = domainOf(user);
      return (await directory.domains()).find((d) => d.name === domain)?.retentionDays ?? 0;
    },
  };
}
