import {
  type DnsBlacklist,
  dnsblQueryName,
  isListing,
  rhsblQueryName,
} from '../core/dns-blacklist.js';
import type { SmtpFacts, SpamTest, TestHit } from '../core/spam-test.js';
import { listHit } from './ip-list-tests.js';

/**
 * Looks up A records. Resolves [] when the name does not exist or has no A record; rejects on
 * anything else (a timeout, a refusal), and the engine then records the test as failed, adding
 * nothing: a list that cannot answer blocks nobody.
 */
export interface DnsLookup {
  lookupA(name: string): Promise<readonly string[]>;
}

export interface DnsBlacklistTestOptions {
  readonly lists: readonly DnsBlacklist[];
  /** The lookup for a list (the system's resolver, or one that asks the list's servers). */
  readonly lookupFor: (list: DnsBlacklist) => DnsLookup;
  /**
   * Kerio's Security log: every listing is logged, whatever its action (a score of 0 logs
   * only). Lines as Kerio writes them, without the timestamp.
   */
  readonly securityLog?: (line: string) => void;
}

/**
 * Kerio's Internet DNS blacklists (13.2): DNSBLs of the client's address at connect, RHSBLs of
 * the sender's domain at MAIL FROM. All enabled lists are asked at once.
 */
export function dnsBlacklistTests(options: DnsBlacklistTestOptions): SpamTest[] {
  const enabled = options.lists.filter((list) => list.enabled !== false);
  const byIp = enabled.filter((list) => list.kind === 'ip');
  const byDomain = enabled.filter((list) => list.kind === 'domain');
  const tests: SpamTest[] = [];
  if (byIp.length > 0)
    tests.push({
      name: 'DNSBL',
      stage: 'connect',
      kind: 'list',
      run: ({ facts }) =>
        lookUp(
          byIp,
          options,
          facts,
          (list) => dnsblQueryName(facts.clientIp, list.suffix),
          `IP address ${facts.clientIp}`,
        ),
    });
  if (byDomain.length > 0)
    tests.push({
      name: 'RHSBL',
      stage: 'envelope',
      kind: 'list',
      run: ({ facts }) => {
        const at = facts.mailFrom.lastIndexOf('@');
        if (at < 0) return [];
        const domain = facts.mailFrom.slice(at + 1);
        return lookUp(
          byDomain,
          options,
          facts,
          (list) => rhsblQueryName(domain, list.suffix),
          `Domain ${domain}`,
        );
      },
    });
  return tests;
}

async function lookUp(
  lists: readonly DnsBlacklist[],
  options: DnsBlacklistTestOptions,
  facts: SmtpFacts,
  queryName: (list: DnsBlacklist) => string | null,
  what: string,
): Promise<TestHit[]> {
  const answers = await Promise.all(
    lists.map(async (list) => {
      const name = queryName(list);
      return name === null ? [] : options.lookupFor(list).lookupA(name);
    }),
  );
  const hits: TestHit[] = [];
  lists.forEach((list, index) => {
    if (!isListing(answers[index]!)) return;
    const recipients = facts.rcptTo.map((rcpt) => `<${rcpt}>`).join(', ');
    options.securityLog?.(
      `${what} found in DNS blacklist ${list.name}, mail from <${facts.mailFrom}>${recipients ? ` to ${recipients}` : ''}`,
    );
    const ruleName = `DNSBL_${list.name
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_|_$/g, '')}`;
    hits.push(listHit(ruleName, list.action, `${what} found in DNS blacklist ${list.name}`));
  });
  return hits;
}
