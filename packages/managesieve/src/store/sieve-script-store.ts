/** One script of a user, as LISTSCRIPTS and HAVESPACE see it. */
export interface SieveScriptEntry {
  readonly name: string;
  /** Octets of the script (UTF-8). */
  readonly size: number;
}

/** A user's scripts, sorted by name, and which one is active (null: none). */
export interface SieveScriptList {
  readonly scripts: readonly SieveScriptEntry[];
  readonly active: string | null;
}

/** The limits `put` enforces together with the write; 0 means no limit. */
export interface SieveQuota {
  /** Scripts a user may have. */
  readonly maxScripts: number;
  /** Octets of all a user's scripts together. */
  readonly maxStorage: number;
}

/**
 * What `put` did: `stored`, or which quota it would have broken (and then nothing changed).
 * Replacing a script counts the new size in place of the old one, and no new script.
 */
export type SievePutOutcome = 'stored' | 'too-many-scripts' | 'over-storage';

/**
 * Where users' Sieve scripts live, as ManageSieve needs them (RFC 5804) and as delivery reads
 * the active one. Users are the account ids the directory gives (`alice@example.com`); names
 * are script names already checked against RFC 5804 1.6. Every method either does what it says
 * whole or nothing; an outcome the protocol has an answer for comes back as a value, and
 * anything else (an I/O error) is thrown, so that the session answers `NO (TRYLATER)`.
 */
export interface SieveScriptStore {
  list(user: string): Promise<SieveScriptList>;
  /** The script's text, or null when there is no such script. */
  get(user: string, name: string): Promise<string | null>;
  /** The active script, for delivery; null when none is active. */
  getActive(user: string): Promise<{ readonly name: string; readonly content: string } | null>;
  /**
   * Creates or replaces a script atomically and durably: once this resolves, a crash leaves the
   * new text; before, the old one (or none). The quota is checked in the same step, so that two
   * sessions of one user cannot pass it together.
   */
  put(user: string, name: string, content: string, quota: SieveQuota): Promise<SievePutOutcome>;
  /** The active script cannot be deleted (RFC 5804 2.10). */
  delete(user: string, name: string): Promise<'deleted' | 'nonexistent' | 'active'>;
  /** Renaming the active script keeps it active (RFC 5804 2.11.1). */
  rename(user: string, from: string, to: string): Promise<'renamed' | 'nonexistent' | 'exists'>;
  /** Makes `name` the active script; null deactivates whichever is. */
  setActive(user: string, name: string | null): Promise<'done' | 'nonexistent'>;
}

/**
 * A name the store cannot keep although ManageSieve allows it (an on-disk store's file name
 * limits, say): the session answers `NO` for the name, not `TRYLATER`.
 */
export class SieveScriptNameError extends Error {
  override readonly name = 'SieveScriptNameError';

  constructor(
    readonly scriptName: string,
    reason: string,
  ) {
    super(`Script name not accepted: ${reason}`);
  }
}

/** Octets of a script's text. */
export function scriptSize(content: string): number {
  return Buffer.byteLength(content, 'utf8');
}

/** Whether storing `size` octets as `name` over `list` stays within `quota`. */
export function quotaOutcome(
  list: readonly SieveScriptEntry[],
  name: string,
  size: number,
  quota: SieveQuota,
): SievePutOutcome {
  const existing = list.find((entry) => entry.name === name);
  if (!existing && quota.maxScripts > 0 && list.length + 1 > quota.maxScripts) {
    return 'too-many-scripts';
  }
  const total = list.reduce((sum, entry) => sum + entry.size, 0) - (existing?.size ?? 0) + size;
  if (quota.maxStorage > 0 && total > quota.maxStorage) return 'over-storage';
  return 'stored';
}
