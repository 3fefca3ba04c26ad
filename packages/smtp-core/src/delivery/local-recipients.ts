import {
  type Directory,
  type MailStore,
  type RecipientResolution,
  isMailStoreError,
  wouldExceedQuota,
} from '@mailyard/mailstore-interface';

/**
 * `<Postmaster>` without a domain (RFC 5321 4.1.1.3), as the command parser hands it over. Every
 * server must take it; it means the postmaster of this server, which is the primary domain's.
 */
export function isBarePostmaster(address: string): boolean {
  return address.toLowerCase() === 'postmaster';
}

const NOWHERE: RecipientResolution = {
  local: true,
  mailboxes: [],
  publicFolders: [],
  forwards: [],
  unknown: true,
  loops: [],
};

/**
 * Where mail for an address goes, as local delivery resolves it: the directory's answer, with the
 * bare postmaster read as `postmaster@<primary domain>` (unknown when there is no domain at
 * all). The RCPT check and local delivery both ask here, so that they cannot disagree.
 */
export async function resolveLocalRecipient(
  directory: Directory,
  address: string,
): Promise<RecipientResolution> {
  if (!isBarePostmaster(address)) return directory.resolveRecipient(address);
  const primary = await directory.primaryDomain();
  return primary === null ? NOWHERE : directory.resolveRecipient(`postmaster@${primary}`);
}

/**
 * A local address that no mailbox, public folder or forward takes: unknown, or an alias chain
 * that only loops. Local delivery would fail the first and silently drop the second.
 */
export function leadsNowhere(resolution: RecipientResolution): boolean {
  return (
    resolution.unknown ||
    (resolution.mailboxes.length === 0 &&
      resolution.publicFolders.length === 0 &&
      resolution.forwards.length === 0)
  );
}

/** Why the store would refuse a message for a resolved local address, known before it comes. */
export type StoreRefusal = 'mailbox-full' | 'folder-missing';

/**
 * The store's side of local delivery, asked before the message: a mailbox at its quota (delivery
 * would defer, then bounce) and a public folder that does not exist (delivery would fail it).
 * A store error other than "not found" is thrown: the caller answers it as a temporary failure,
 * never as a yes.
 */
export async function storeRefusal(
  store: MailStore,
  resolution: RecipientResolution,
): Promise<StoreRefusal | null> {
  for (const user of resolution.mailboxes) {
    const { usage, limits } = await store.access(user).quota();
    // Full: not even the smallest message would fit (the message's size is not known yet).
    if (wouldExceedQuota(usage, limits, { storage: 1, messages: 1 })) return 'mailbox-full';
  }
  for (const { domain, folder } of resolution.publicFolders) {
    try {
      // Local delivery writes public folders as `postmaster@<domain>`; so does this look.
      await store.access(`postmaster@${domain}`).status(`#public/${folder}`);
    } catch (error) {
      if (isMailStoreError(error, 'not-found')) return 'folder-missing';
      // Not ours to read: local delivery does not read it either, it only delivers.
      if (!isMailStoreError(error, 'permission-denied')) throw error;
    }
  }
  return null;
}
