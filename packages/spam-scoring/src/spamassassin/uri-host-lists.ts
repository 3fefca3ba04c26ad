import type { SaConfig } from './cf-parser.js';
import type { SaMessageView } from './message-view.js';
import { type RegistryLists, uriToDomain } from './registry-boundaries.js';

/**
 * WLBLEval's `check_uri_host_listed('NAME')`: some URI of the message has a host in the list
 * `enlist_uri_host (NAME) host...` makes (Debian's: the suspicious new TLDs for
 * PDS_OTHER_BAD_TLD, `.pro` for T_PDS_PRO_TLD, pay-per-click shorteners for __PDS_CASHSHORTENER).
 * A listed name stands for itself and every name under it; the most specific listed name found
 * decides, and `!name` excludes: `enlist_uri_host (L) !a.example.com example.com`.
 */

/**
 * How many of a host's names are looked up, the shortest ones (`com`, `example.com`...): WLBLEval
 * keeps the last 11 of `a.b.example.com`, `b.example.com`... so that a host of thousands of
 * labels costs no more than one of eleven.
 */
export const URI_HOST_LOOKUP_NAMES = 11;

/** By message, then by the TLD list read (rule sets of other files give other hosts). */
const uriHosts = new WeakMap<object, WeakMap<object, readonly string[]>>();

/**
 * The hosts of the message's URIs as get_uri_detail_list gives them (uri_to_domain: a valid
 * name under a known TLD, or an IP address), each once, `mailto:` ones left out as WLBLEval
 * leaves them.
 */
export function uriHostsOf(view: SaMessageView, lists: RegistryLists): readonly string[] {
  let byLists = uriHosts.get(view.contentKey);
  if (!byLists) uriHosts.set(view.contentKey, (byLists = new WeakMap()));
  let hosts = byLists.get(lists.validTlds);
  if (hosts) return hosts;
  const found = new Set<string>();
  for (const uri of view.uris(lists)) {
    if (/^mailto:/i.test(uri)) continue;
    const host = uriToDomain(lists, uri)?.host;
    if (host !== undefined && host !== '') found.add(host);
  }
  hosts = [...found];
  byLists.set(lists.validTlds, hosts);
  return hosts;
}

/** The names a host is looked up by, most specific first: itself, then each parent. */
function lookupNames(host: string): string[] {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return [host];
  const labels = host.split('.');
  const names: string[] = [];
  for (let i = Math.max(0, labels.length - URI_HOST_LOOKUP_NAMES); i < labels.length; i++)
    names.push(labels.slice(i).join('.'));
  return names;
}

/** Whether a host is in a list: the first of its names the list holds decides. */
export function hostListed(list: ReadonlyMap<string, boolean>, host: string): boolean {
  for (const name of lookupNames(host)) {
    const verdict = list.get(name);
    if (verdict !== undefined) return verdict;
  }
  return false;
}

export function checkUriHostListed(args: readonly string[], config: SaConfig) {
  const list = config.uriHostLists.get(args[0] ?? '');
  return (view: SaMessageView) =>
    list !== undefined && uriHostsOf(view, config).some((host) => hostListed(list, host)) ? 1 : 0;
}
