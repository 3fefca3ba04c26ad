import { ListGlob } from './list-glob.js';
import { asciiLowerCase } from './octet-text.js';

/**
 * The lists a site writes in local.cf to let a sender through or keep one out (WLBLEval's
 * settings in Conf.pm, and WelcomeListSubject's): `welcomelist_from`, `blocklist_to`,
 * `welcomelist_from_rcvd`... and `welcomelist_subject`, each entry a glob (list-glob.ts).
 * An entry is kept under its lower-case form, so a second line with the same entry replaces it
 * and an `un...` line removes it, as SpamAssassin keys its hashes.
 */

/** A list of address globs (`welcomelist_from joe@example.com *@example.net`). */
export class AddressList {
  private readonly entries = new Map<string, ListGlob>();
  /**
   * The entries whose domain has no wildcard, by that domain: an address is tried against its
   * own domain's entries only, so 10,000 `*@domain` lines cost one lookup, not 10,000 matches.
   */
  private readonly byDomain = new Map<string, Map<string, ListGlob>>();
  /** The other entries (`*`, `joe@*`), each tried against every address. */
  private readonly anyDomain = new Map<string, ListGlob>();

  constructor(private readonly mangleParanoid = true) {}

  add(entry: string): void {
    const key = asciiLowerCase(entry);
    this.remove(key);
    const glob = new ListGlob(entry, this.mangleParanoid);
    this.entries.set(key, glob);
    if (glob.literalDomain === null) this.anyDomain.set(key, glob);
    else {
      let bucket = this.byDomain.get(glob.literalDomain);
      if (!bucket) this.byDomain.set(glob.literalDomain, (bucket = new Map()));
      bucket.set(key, glob);
    }
  }

  remove(entry: string): void {
    const key = asciiLowerCase(entry);
    const glob = this.entries.get(key);
    if (!glob) return;
    this.entries.delete(key);
    this.anyDomain.delete(key);
    if (glob.literalDomain !== null) this.byDomain.get(glob.literalDomain)?.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** `_check_welcomelist`: the address, lower-cased, is an entry or matches one. */
  matchesAddress(address: string): boolean {
    const lower = asciiLowerCase(address);
    return this.entries.has(lower) || this.matchesPattern(lower);
  }

  /** The address (lower case already) matches an entry's pattern: how `_rcvd` checks read lists. */
  matchesPattern(lowerCaseAddress: string): boolean {
    // Perl's `$` also matches before a final newline.
    const address = lowerCaseAddress.replace(/\n$/, '');
    const domain = address.slice(address.lastIndexOf('@') + 1);
    for (const glob of this.byDomain.get(domain)?.values() ?? [])
      if (glob.matchesWhole(lowerCaseAddress)) return true;
    for (const glob of this.anyDomain.values())
      if (glob.matchesWhole(lowerCaseAddress)) return true;
    return false;
  }

  /** WelcomeListSubject's `_check_subject`: an entry is the text, or is found within a line. */
  matchesWithin(text: string): boolean {
    const lower = asciiLowerCase(text);
    if (this.entries.has(lower)) return true;
    for (const glob of this.entries.values()) if (glob.matchesWithin(lower)) return true;
    return false;
  }
}

/** One address glob of a `_rcvd` list, with the relays (rDNS suffix or `[IP]`) it must come by. */
export interface RelayListEntry {
  readonly glob: ListGlob;
  readonly relays: string[];
}

/** `welcomelist_from_rcvd` and `def_welcomelist_from_rcvd`: address glob, then relay. */
export class RelayAddressList {
  private readonly entries = new Map<string, RelayListEntry>();

  /** A second line for the same address adds its relay to the first's, as add_to_addrlist_rcvd. */
  add(entry: string, relay: string): void {
    const key = asciiLowerCase(entry);
    const known = this.entries.get(key);
    if (known) known.relays.push(asciiLowerCase(relay));
    else
      this.entries.set(key, { glob: new ListGlob(entry, true), relays: [asciiLowerCase(relay)] });
  }

  remove(entry: string): void {
    this.entries.delete(asciiLowerCase(entry));
  }

  get size(): number {
    return this.entries.size;
  }

  values(): IterableIterator<RelayListEntry> {
    return this.entries.values();
  }
}

/** The address lists by setting name (after aliases): what the `_in_` evals read. */
export const ADDRESS_LIST_SETTINGS = [
  'welcomelist_from',
  'blocklist_from',
  'welcomelist_to',
  'blocklist_to',
  'more_spam_to',
  'all_spam_to',
  'welcomelist_allows_relays',
] as const;
export type AddressListSetting = (typeof ADDRESS_LIST_SETTINGS)[number];

export const RELAY_LIST_SETTINGS = ['welcomelist_from_rcvd', 'def_welcomelist_from_rcvd'] as const;
export type RelayListSetting = (typeof RELAY_LIST_SETTINGS)[number];

export const SUBJECT_LIST_SETTINGS = ['welcomelist_subject', 'blocklist_subject'] as const;
export type SubjectListSetting = (typeof SUBJECT_LIST_SETTINGS)[number];

/** Every list a configuration holds, each empty until a line adds to it. */
export interface SenderLists {
  readonly address: Readonly<Record<AddressListSetting, AddressList>>;
  readonly relay: Readonly<Record<RelayListSetting, RelayAddressList>>;
  readonly subject: Readonly<Record<SubjectListSetting, AddressList>>;
}

export function emptySenderLists(): SenderLists {
  const record = <K extends string, V>(keys: readonly K[], make: () => V) =>
    Object.fromEntries(keys.map((key) => [key, make()])) as Record<K, V>;
  return {
    address: record(ADDRESS_LIST_SETTINGS, () => new AddressList()),
    relay: record(RELAY_LIST_SETTINGS, () => new RelayAddressList()),
    subject: record(SUBJECT_LIST_SETTINGS, () => new AddressList(false)),
  };
}

/** Each directive (its old `white`/`black` name too) and what it does to which list. */
const ADDRESS_DIRECTIVES: Readonly<
  Record<string, { readonly list: AddressListSetting; readonly remove: boolean }>
> = {
  welcomelist_from: { list: 'welcomelist_from', remove: false },
  whitelist_from: { list: 'welcomelist_from', remove: false },
  unwelcomelist_from: { list: 'welcomelist_from', remove: true },
  unwhitelist_from: { list: 'welcomelist_from', remove: true },
  blocklist_from: { list: 'blocklist_from', remove: false },
  blacklist_from: { list: 'blocklist_from', remove: false },
  unblocklist_from: { list: 'blocklist_from', remove: true },
  unblacklist_from: { list: 'blocklist_from', remove: true },
  welcomelist_to: { list: 'welcomelist_to', remove: false },
  whitelist_to: { list: 'welcomelist_to', remove: false },
  blocklist_to: { list: 'blocklist_to', remove: false },
  blacklist_to: { list: 'blocklist_to', remove: false },
  more_spam_to: { list: 'more_spam_to', remove: false },
  all_spam_to: { list: 'all_spam_to', remove: false },
  welcomelist_allows_relays: { list: 'welcomelist_allows_relays', remove: false },
  whitelist_allows_relays: { list: 'welcomelist_allows_relays', remove: false },
};

const RELAY_DIRECTIVES: Readonly<Record<string, RelayListSetting>> = {
  welcomelist_from_rcvd: 'welcomelist_from_rcvd',
  whitelist_from_rcvd: 'welcomelist_from_rcvd',
  def_welcomelist_from_rcvd: 'def_welcomelist_from_rcvd',
  def_whitelist_from_rcvd: 'def_welcomelist_from_rcvd',
};

const SUBJECT_DIRECTIVES: Readonly<Record<string, SubjectListSetting>> = {
  welcomelist_subject: 'welcomelist_subject',
  whitelist_subject: 'welcomelist_subject',
  blocklist_subject: 'blocklist_subject',
  blacklist_subject: 'blocklist_subject',
};

/**
 * Applies one list directive to `lists`: null when done, a problem's text when the line is
 * wrong (as Conf.pm refuses it), undefined when the directive is not a list's.
 */
export function applyListDirective(
  lists: SenderLists,
  directive: string,
  value: string,
): string | null | undefined {
  const words = value.split(/\s+/).filter((word) => word !== '');
  const address = ADDRESS_DIRECTIVES[directive];
  if (address) {
    if (words.length === 0) return `${directive}: no address`;
    const list = lists.address[address.list];
    for (const word of words) {
      if (address.remove) list.remove(word);
      else list.add(word);
    }
    return null;
  }
  const relayList = RELAY_DIRECTIVES[directive];
  if (relayList) {
    // Conf.pm: exactly an address and a relay.
    if (words.length !== 2) return `${directive}: wants an address and a relay`;
    lists.relay[relayList].add(words[0]!, words[1]!);
    return null;
  }
  if (directive === 'unwelcomelist_from_rcvd' || directive === 'unwhitelist_from_rcvd') {
    if (words.length === 0) return `${directive}: no address`;
    for (const word of words)
      for (const setting of RELAY_LIST_SETTINGS) lists.relay[setting].remove(word);
    return null;
  }
  const subjectList = SUBJECT_DIRECTIVES[directive];
  if (subjectList) {
    // WelcomeListSubject: the whole value is one entry, spaces and all.
    if (value.trim() === '') return `${directive}: no subject`;
    lists.subject[subjectList].add(value.trim());
    return null;
  }
  return undefined;
}
