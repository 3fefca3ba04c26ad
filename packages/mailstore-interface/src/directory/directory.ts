import type { QuotaLimits } from '../quota.js';

/**
 * Who and what a mail server serves: its domains, users, groups and aliases, how to check a
 * credential, and where mail for an address goes. The auth adapter of every engine: SMTP asks it
 * about recipients and relay, IMAP, POP3 and SMTP AUTH about credentials, the store about quotas
 * and groups (through {@link directoryAccountPolicy}).
 */
export interface Directory {
  /** The local domain a name stands for (itself, or the domain it is an alias of), or null. */
  localDomain(domain: string): Promise<string | null>;
  /** The primary domain, where logins without `@domain` belong; null before any domain exists. */
  primaryDomain(): Promise<string | null>;
  domains(): Promise<DomainInfo[]>;

  /**
   * A user by login name: `alice@example.com`, or `alice` in the primary domain. Logins are
   * case-insensitive. Domain aliases do not log in (Kerio: they are for delivery only).
   */
  findUser(login: string): Promise<UserAccount | null>;
  /** Every user of a domain, or of all domains. */
  users(domain?: string): Promise<UserAccount[]>;
  /** The groups (`sales@example.com`) a user is a member of. */
  groupsOf(user: string): Promise<string[]>;

  /** Where mail for an address goes: mailboxes, public folders, forwards, or nowhere. */
  resolveRecipient(address: string): Promise<RecipientResolution>;

  /** The account when the password is the user's and the account is enabled, else null. */
  verifyPassword(login: string, password: string): Promise<UserAccount | null>;
  /**
   * The password itself, for the mechanisms that need a plaintext-equivalent secret (CRAM-MD5,
   * DIGEST-MD5); only when the administrator chose reversible storage for it (Kerio 1.6), else null.
   */
  plaintextPassword(login: string): Promise<string | null>;
  /** SCRAM stored keys for a hash (RFC 5802), or null when none are stored. */
  scramCredentials(login: string, hash: ScramHash): Promise<ScramStoredCredentials | null>;
}

export type ScramHash = 'SHA-1' | 'SHA-256';

/** What a server keeps to check SCRAM proofs without knowing the password (RFC 5802 section 3). */
export interface ScramStoredCredentials {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

export interface DomainInfo {
  readonly name: string;
  readonly primary: boolean;
  /** Other names that deliver into this domain. */
  readonly aliases: readonly string[];
  /** Kerio 7.4: days expunged items are kept for recovery, 0 to 365. */
  readonly retentionDays: number;
}

export interface UserAccount {
  /** `alice@example.com`, lower case: the id stores and engines know the user by. */
  readonly id: string;
  /** The login name, without the domain. */
  readonly name: string;
  readonly domain: string;
  readonly fullName: string;
  readonly enabled: boolean;
  readonly quota: QuotaLimits;
  /** Kerio: "This user can send/receive email to/from his/her own domain only". */
  readonly ownDomainOnly: boolean;
  /** Addresses mail is forwarded to, and whether a copy stays in the mailbox. */
  readonly forwarding: { readonly addresses: readonly string[]; readonly keepCopy: boolean };
  /** Kerio's "administrator rights to the public folders". */
  readonly publicFolderAdmin: boolean;
}

export interface RecipientResolution {
  /** Whether the address is in one of our domains. */
  readonly local: boolean;
  /** Users whose INBOX gets the message, each once. */
  readonly mailboxes: readonly string[];
  /** Public folders that get the message (`#public/Info` targets). */
  readonly publicFolders: readonly { readonly domain: string; readonly folder: string }[];
  /** Addresses outside our domains the message goes on to, each once. */
  readonly forwards: readonly string[];
  /** A local address that leads nowhere: no user, group, alias or catch-all. */
  readonly unknown: boolean;
  /** Aliases where a loop was cut (the message stops at the last mailbox before the loop). */
  readonly loops: readonly string[];
}
