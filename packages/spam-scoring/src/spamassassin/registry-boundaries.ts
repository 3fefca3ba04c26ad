import type { SaConfig } from './cf-parser.js';
import { asciiLowerCase } from './octet-text.js';

/**
 * SpamAssassin's RegistryBoundaries: where a host name's registered domain starts, by the rule
 * files' own lists (`util_rb_tld`, `util_rb_2tld`, `util_rb_3tld` in 20_aux_tlds.cf), not by the
 * public suffix list, so that the evals that read it (FromNameSpoof, HTTPSMismatch, the URI host
 * lists) answer as SpamAssassin's do. Debian's SpamAssassin has no Net::LibIDN: its idn_to_ascii
 * only lower-cases ASCII letters, and so does this one. Every function is linear in its input.
 */
export type RegistryLists = Pick<SaConfig, 'validTlds' | 'twoLevelDomains' | 'threeLevelDomains'> &
  /** The rule files' `redirector_pattern`s too, where URIs are canonicalized (uri-canonicalize.ts). */
  Partial<Pick<SaConfig, 'redirectorPatterns'>>;

/**
 * No lists, as SpamAssassin without rule files: no TLD is known, so no bare host name or
 * address in a text is a URI, nor is a link under a name.
 */
export const NO_REGISTRY: RegistryLists = {
  validTlds: new Set(),
  twoLevelDomains: new Set(),
  threeLevelDomains: new Set(),
};

/** RegistryBoundaries.pm's %US_STATES: `ci.boston.ma.us` style domains are registered under them. */
const US_STATES = new Set(
  (
    'ak al ar az ca co ct dc de fl ga gu hi ia id il in ks ky la ma md me mi mn mo ms mt nc nd ' +
    'ne nh nj nm nv ny oh ok or pa pr ri sc sd tn tx ut va vi vt wa wi wv wy'
  ).split(' '),
);

/** split_domain: the host part and the registered domain (`www.foo.co.uk` → `www`, `foo.co.uk`). */
export function splitDomain(lists: RegistryLists, name: string): [host: string, domain: string] {
  let domain = asciiLowerCase(name);
  if (domain === '') return ['', domain];
  domain = domain
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+/, '')
    .replace(/\.+$/, '');
  const parts = domain === '' ? [] : domain.split('.');
  // Leading labels go to the host until what is left is a TLD of one, two, three or four
  // labels (an index, not shift(): a name of many labels stays linear).
  let first = 0;
  while (parts.length - first > 1) {
    const left = parts.length - first;
    const [a, b, c, d] = parts.slice(first, first + 4);
    if (left === 2) {
      if (lists.twoLevelDomains.has(`${a}.${b}`)) break;
    } else if (left === 3) {
      if (c === 'us') {
        if (US_STATES.has(b!)) break;
      } else if (lists.threeLevelDomains.has(`${a}.${b}.${c}`)) break;
    } else if (left === 4) {
      const k12 = a === 'pvt' && b === 'k12';
      if (d === 'us' && (k12 || /^c[io]$/.test(a!)) && US_STATES.has(c!)) break;
    }
    first++;
  }
  // The registered domain is one label more than the TLD found.
  if (first > 0) first--;
  return [parts.slice(0, first).join('.'), parts.slice(first).join('.')];
}

/** trim_domain: the registered domain of a host name. */
export function trimDomain(lists: RegistryLists, name: string): string {
  return splitDomain(lists, name)[1];
}

/** is_domain_valid: the name ends in a TLD the lists know (and holds no white space). */
export function isDomainValid(lists: RegistryLists, name: string | null): boolean {
  if (name === null) return false;
  const lower = asciiLowerCase(name);
  if (/\s/.test(lower)) return false;
  const tld = /\.([^.]+)$/.exec(lower)?.[1];
  return tld !== undefined && lists.validTlds.has(tld);
}

/** Util.pm's is_fqdn_valid: at least two labels of DNS's shape, 253 characters at most. */
export function isFqdnValid(name: string): boolean {
  const host = asciiLowerCase(name).replace(/\.+$/, '');
  if (host.length > 253) return false;
  const labels = host.split('.');
  if (labels.length < 2) return false;
  return labels.every(
    (label, index) =>
      label.length >= 1 &&
      label.length <= 63 &&
      /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(label) &&
      // `_` only below the second level.
      (index < labels.length - 2 || !label.includes('_')),
  );
}

const IPV4_OCTET = '(?:1\\d\\d|2[0-4]\\d|25[0-5]|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);

/** Constants.pm's IS_IP_ADDRESS: a dotted IPv4 address or an IPv6 one (with an IPv4 tail or not). */
export function isIpAddress(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!text.includes(':') || text.length > 45) return false;
  let groups = text;
  let tailGroups = 0;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    if (!IPV4.test(text.slice(lastColon + 1))) return false;
    groups = text.slice(0, lastColon + 1) + '0';
    tailGroups = 1;
  }
  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const count = (half: string) => (half === '' ? 0 : half.split(':').length);
  const valid = (half: string) =>
    half === '' || half.split(':').every((group) => /^[0-9a-f]{1,4}$/i.test(group));
  if (!halves.every(valid)) return false;
  const total = halves.reduce((sum, half) => sum + count(half), 0) + tailGroups;
  return halves.length === 2 ? total <= 8 : total === 8;
}

/** A URI's host and registered domain, as uri_to_domain gives them (null: none, or not valid). */
export interface UriDomain {
  readonly host: string;
  readonly domain: string;
}

/** uri_to_domain: the host a URI names (or a `mailto:` address's domain) and its registered domain. */
export function uriToDomain(lists: RegistryLists, uri: string): UriDomain | null {
  let rest = asciiLowerCase(uri);
  if (/^(?:javascript|cid|file):/.test(rest)) return null;
  if (rest.startsWith('mailto:')) {
    rest = rest.slice(7).replace(/\?.*/, '');
    const at = rest.indexOf('@');
    if (at < 0 || rest.includes('@', at + 1)) return null;
    rest = rest.slice(at + 1);
  } else {
    rest = rest
      .replace(/^[a-z]+:\/{0,2}/, '')
      .replace(/[/?#][\s\S]*/, '')
      .replace(/^[\s\S]*@/, '')
      .replace(/:\d*$/, '');
  }
  // An escaped printable character in the host: not a name to trust.
  if (/%(?:2[1-9a-f]|[3-6][0-9a-f]|7[0-9a-e])/.test(rest)) return null;
  if (isIpAddress(rest)) return { host: rest, domain: rest };
  if (!isFqdnValid(rest) || !isDomainValid(lists, rest)) return null;
  return { host: rest, domain: trimDomain(lists, rest) };
}
