import type { FromNameSpoofSettings, SaConfig } from './cf-parser.js';
import { asciiLowerCase } from './octet-text.js';
import { addressListMatcher } from './address-lists.js';
import { allToAddresses } from './message-addresses.js';
import type { SaMessageView } from './message-view.js';
import { type RegistryLists, uriToDomain } from './registry-boundaries.js';

/**
 * The FromNameSpoof plugin: a From display name that spells an e-mail address
 * (`"service@paypal.com" <x@spam.example>`) other than the From address. Its evals read one
 * set of facts, worked out once per message (FromNameSpoof.pm's _check_fromnamespoof):
 * `check_fromname_spoof([level])` (__PLUGIN_FROMNAME_SPOOF), `check_fromname_equals_to`
 * (__PLUGIN_FROMNAME_EQUALS_TO), `check_fromname_equals_replyto` (__FROM_EQ_REPLY) and the
 * plugin's other four. Settings: `fns_extrachars`, `fns_check`, `fns_ignore_headers`,
 * `fns_add_addrlist` / `fns_remove_addrlist`; `fns_ignore_dkim` is not obeyed, as SpamAssassin
 * does not with `-L` (no DKIM signing domains are known here).
 */
export interface FromNameFacts {
  readonly addressDifferent: boolean;
  readonly domainDifferent: boolean;
  readonly ownerDifferent: boolean;
  readonly containsEmail: boolean;
  readonly equalsTo: boolean;
  readonly equalsReplyTo: boolean;
}

const NO_FACTS: FromNameFacts = {
  addressDifferent: false,
  domainDifferent: false,
  ownerDifferent: false,
  containsEmail: false,
  equalsTo: false,
  equalsReplyTo: false,
};

const isWord = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9_]$/.test(c);
const isLocal = (c: string | undefined) =>
  c !== undefined && (isWord(c) || ".!#$%&'*+/=?^`{|}~-".includes(c));
const isDomain = (c: string | undefined) =>
  c !== undefined && (isWord(c) || c === '.' || c === '-');

/** Where `\w[\w-]*\.\w[\w.-]++\b` starting at `at` ends, or -1: one way to match, no retries. */
function domainEnd(text: string, at: number): number {
  if (!isWord(text[at])) return -1;
  let p = at + 1;
  while (isWord(text[p]) || text[p] === '-') p++;
  if (text[p] !== '.' || !isWord(text[p + 1]) || !isDomain(text[p + 2])) return -1;
  p += 3;
  while (isDomain(text[p])) p++;
  // The possessive run gives nothing back: it must end on a word character for the `\b`.
  return isWord(text[p - 1]) ? p : -1;
}

/**
 * The first address a From name spells, as the plugin's
 * `\b([\w.!#$%&'*+/=?^_`{|}~-]+\@\w[\w-]*\.\w[\w.-]++)\b` finds it (ASCII `\w`, the octets of a
 * Perl byte string), by one scan: a run of local-part characters is followed by `@` or not
 * whatever of it the match starts at, so each run and each `@` is looked at once, where the
 * pattern would try every start of a long run again.
 */
export function addressInName(name: string): string | null {
  let start = 0;
  while (start < name.length) {
    if (!isLocal(name[start])) {
      start++;
      continue;
    }
    let end = start;
    while (isLocal(name[end])) end++;
    if (name[end] === '@') {
      const domain = domainEnd(name, end + 1);
      if (domain >= 0)
        for (let s = start; s < end; s++)
          if (isWord(name[s - 1]) !== isWord(name[s])) return name.slice(s, domain);
    }
    start = end + 1;
  }
  return null;
}

/**
 * _find_address_owner: the owner an `fns_add_addrlist` list gives the address (or the address
 * moved up to its registered domain), else the registered domain's first label (`paypal` of
 * `paypal.co.uk`).
 */
function addressOwner(
  address: string,
  domain: string,
  owners: readonly [string, (address: string) => boolean][],
): string {
  for (const [owner, listed] of owners) if (listed(address)) return owner;
  const parts = /^([^@]+)@(.+)$/s.exec(address);
  if (parts && parts[2] !== domain) {
    const moved = `${parts[1]}@${domain}`;
    for (const [owner, listed] of owners) if (listed(moved)) return owner;
  }
  return /^([^.]+)\./.exec(domain)?.[1] ?? domain;
}

/** The From display name as `get('From:name')` gives it: single quotes around it taken off. */
function fromName(view: SaMessageView): string {
  const name = view.header('From', 'name') ?? '';
  return name.replace(/^'(.*?)'$/s, '$1');
}

function computeFacts(
  view: SaMessageView,
  settings: FromNameSpoofSettings,
  lists: RegistryLists,
  owners: readonly [string, (address: string) => boolean][],
): FromNameFacts {
  for (const header of settings.ignoreHeaders)
    if (view.header(header, null) !== null) return NO_FACTS;
  const fromAddress = asciiLowerCase(view.header('From', 'addr') ?? '');
  const from = uriToDomain(lists, `mailto:${fromAddress}`);
  if (!from) return NO_FACTS;
  const name = asciiLowerCase(fromName(view));
  const nameAddress = addressInName(name);
  if (nameAddress === null) return NO_FACTS;
  const spelled = uriToDomain(lists, `mailto:${nameAddress}`);
  if (!spelled) return NO_FACTS;
  // How much else the name holds: its length less the address's, each character that is not
  // a lower-case letter or digit counted twice.
  const others = (text: string) => text.replace(/[a-z0-9]/g, '').length;
  const extra = name.length + others(name) - others(nameAddress) - nameAddress.length;
  if (extra > settings.extraChars) return { ...NO_FACTS, containsEmail: true };
  const replyTo = asciiLowerCase(view.header('Reply-To', 'addr') ?? '');
  return {
    containsEmail: true,
    addressDifferent: nameAddress !== fromAddress,
    domainDifferent: spelled.domain !== from.domain,
    ownerDifferent:
      addressOwner(nameAddress, spelled.domain, owners) !==
      addressOwner(fromAddress, from.domain, owners),
    equalsReplyTo: nameAddress === replyTo,
    equalsTo: allToAddresses(view).includes(nameAddress),
  };
}

const factsCache = new WeakMap<SaMessageView, WeakMap<object, FromNameFacts>>();

/** The evals of the plugin, each reading the message's facts (once per view and rule set). */
function fromNameEval(config: SaConfig, answer: (facts: FromNameFacts) => boolean) {
  const settings = config.fromNameSpoof;
  const owners = [...settings.ownerLists].map(
    ([owner, globs]) => [owner, addressListMatcher(globs)] as [string, (a: string) => boolean],
  );
  return (view: SaMessageView) => {
    let byConfig = factsCache.get(view);
    if (!byConfig) factsCache.set(view, (byConfig = new WeakMap()));
    let facts = byConfig.get(settings);
    if (!facts) byConfig.set(settings, (facts = computeFacts(view, settings, config, owners)));
    return answer(facts) ? 1 : 0;
  };
}

/** `check_fromname_spoof([level])`: level 0 any other address, 1 another owner, 2 another domain. */
export function checkFromnameSpoof(args: readonly string[], config: SaConfig) {
  const level = /^[012]$/.test(args[0] ?? '') ? Number(args[0]) : config.fromNameSpoof.check;
  return fromNameEval(
    config,
    (f) =>
      f.addressDifferent && (level === 0 || (level === 1 ? f.ownerDifferent : f.domainDifferent)),
  );
}

export const FROM_NAME_EVALS: Readonly<
  Record<string, (args: readonly string[], config: SaConfig) => (view: SaMessageView) => number>
> = {
  check_fromname_spoof: checkFromnameSpoof,
  check_fromname_different: (_args, config) => fromNameEval(config, (f) => f.addressDifferent),
  check_fromname_domain_differ: (_args, config) => fromNameEval(config, (f) => f.domainDifferent),
  check_fromname_contains_email: (_args, config) => fromNameEval(config, (f) => f.containsEmail),
  check_fromname_equals_to: (_args, config) => fromNameEval(config, (f) => f.equalsTo),
  check_fromname_owners_differ: (_args, config) => fromNameEval(config, (f) => f.ownerDifferent),
  check_fromname_equals_replyto: (_args, config) => fromNameEval(config, (f) => f.equalsReplyTo),
};
