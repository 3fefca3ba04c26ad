import { parseHeaders } from '@mailyard/mime';
import { FALLBACK_HEADER_GROUPS, headerAddresses } from './recipient-headers.js';

/** One of Kerio's sorting rules (Admin Guide 12.4, "Sorting Rules"). */
export interface SortingRule {
  /**
   * A complete address (`sales@company.com`; no substrings), `*@domain` (every address of the
   * domain) or `*` (the implicit rule: whatever no other rule takes).
   */
  readonly address: string;
  /**
   * Where matching mail goes: a local user, group or alias, or an external address. With an
   * `*@domain` rule, `*@otherdomain` keeps the local part and changes the domain.
   */
  readonly deliverTo: string;
  readonly description?: string;
  /** Rules can be switched off without removing them. Default true. */
  readonly enabled?: boolean;
}

export interface SortResult {
  /** Where the message goes, lower-case, each once; empty: it is discarded. */
  readonly recipients: readonly string[];
  /** The header whose addresses matched, `*` for the implicit rule, or null (discarded). */
  readonly matchedBy: string | null;
}

const ADDRESS = /^[^\s@*]+@[^\s@*]+$/;
const DOMAIN_WILDCARD = /^\*@([^\s@*]+)$/;

/**
 * Kerio's sorting of a domain mailbox's messages to local users. The addresses of the preferred
 * header are tried first; when none of them matches a rule (or the header is absent), Resent-To
 * with Resent-Cc, then To with Cc. For each address the precedence is `address@domain`, then
 * `*@domain`; when no address of any header matched, the implicit `*` rule takes the message,
 * or it is discarded. No other use of `*` is allowed, and the constructor refuses it.
 */
export class SortingRules {
  private readonly exact = new Map<string, string[]>();
  private readonly domains = new Map<string, string[]>();
  private readonly implicit: string[] = [];

  constructor(rules: readonly SortingRule[]) {
    for (const rule of rules) {
      if (rule.enabled === false) continue;
      const address = rule.address.trim().toLowerCase();
      const target = rule.deliverTo.trim().toLowerCase();
      const wildcardTarget = DOMAIN_WILDCARD.test(target);
      if (!ADDRESS.test(target) && !wildcardTarget) {
        throw new RangeError(`sorting rule ${rule.address}: cannot deliver to ${rule.deliverTo}`);
      }
      const domain = DOMAIN_WILDCARD.exec(address)?.[1];
      if (wildcardTarget && domain === undefined) {
        throw new RangeError(
          `sorting rule ${rule.address}: *@domain targets need an *@domain rule`,
        );
      }
      if (address === '*') add(this.implicit, target);
      else if (domain !== undefined) addTo(this.domains, domain, target);
      else if (ADDRESS.test(address)) addTo(this.exact, address, target);
      else throw new RangeError(`sorting rule ${rule.address}: not an address, *@domain or *`);
    }
  }

  /** Where mail for one address goes by the explicit rules, or null when none applies. */
  route(address: string): string[] | null {
    const lower = address.toLowerCase();
    const exact = this.exact.get(lower);
    if (exact) return exact;
    const at = lower.lastIndexOf('@');
    const targets = at < 0 ? undefined : this.domains.get(lower.slice(at + 1));
    if (!targets) return null;
    const local = lower.slice(0, at);
    return targets.map((t) => (t.startsWith('*@') ? `${local}${t.slice(1)}` : t));
  }

  /** Sorts a message by the preferred header, then the fallbacks, then the implicit rule. */
  sort(message: Uint8Array, preferredHeader: string): SortResult {
    const headers = parseHeaders(message);
    for (const group of [[preferredHeader], ...FALLBACK_HEADER_GROUPS]) {
      const recipients: string[] = [];
      for (const name of group) {
        for (const address of headerAddresses(headers, name)) {
          for (const target of this.route(address) ?? []) add(recipients, target);
        }
      }
      if (recipients.length > 0) return { recipients, matchedBy: group.join('+') };
    }
    return this.implicit.length > 0
      ? { recipients: [...this.implicit], matchedBy: '*' }
      : { recipients: [], matchedBy: null };
  }
}

function add(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

function addTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key) ?? [];
  add(list, value);
  map.set(key, list);
}
