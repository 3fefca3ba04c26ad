import { resolve as dnsResolve } from 'node:dns/promises';
import { authenticate } from 'mailauth';
import type { MessageInput, SmtpFacts, SpamTest, TestHit } from '../core/spam-test.js';
import type { DnsResolve } from './mailauth-spf.js';

/** SpamAssassin's names and scores (25_dkim.cf, 50_scores.cf's network set) for these results. */
export const MAILAUTH_SCORES = Object.freeze({
  DKIM_VALID: -0.1,
  DKIM_INVALID: 0.1,
  DMARC_PASS: -0.001,
  DMARC_REJECT: 1.797,
  DMARC_QUAR: 1.198,
  DMARC_NONE: 0.898,
  ARC_VALID: -0.1,
  ARC_INVALID: 0.1,
});

export interface MailauthTestOptions {
  /** Our host name, as Authentication-Results names it. */
  readonly mta: string;
  /** Default: the system's resolver. */
  readonly resolver?: DnsResolve;
  /** Other scores for the hits, by name. */
  readonly scores?: Partial<Record<keyof typeof MAILAUTH_SCORES, number>>;
}

interface AuthenticationResults {
  dkim?: { results?: { status?: { result?: string }; signingDomain?: string }[] };
  dmarc?: false | { status?: { result?: string }; policy?: string; domain?: string };
  arc?: false | { status?: { result?: string; comment?: string }; i?: number };
  spf?: false | { status?: { result?: string } };
  headers?: string;
}

/** What mailauth found for one message: the hits, and what the receiving server writes down. */
export interface MailauthOutcome {
  readonly hits: readonly TestHit[];
  /**
   * The value of the Authentication-Results field (RFC 8601) for these results, our `mta` as
   * its authserv-id first: `mx.example.com; dkim=pass header.d=... ; spf=...; dmarc=...`.
   */
  readonly authenticationResults: string;
  /** The DMARC result, with the policy the From domain publishes; null when DMARC did not run. */
  readonly dmarc: {
    readonly result: string;
    readonly policy: string | null;
    readonly domain: string;
  } | null;
}

/**
 * mailauth's checks as a content test, and their outcome for the application (the
 * Authentication-Results field it adds, the DMARC policy it may honour) without a second round
 * of DNS queries: the outcome is kept for each message the test ran on.
 */
export interface MailauthAuthenticator {
  readonly test: SpamTest;
  /** The outcome of the test's run on this message (the same `MessageInput`); undefined if it did not run. */
  outcomeFor(message: MessageInput): Promise<MailauthOutcome> | undefined;
  /**
   * The test verified this message's DKIM signatures (it ran on the message and did not fail):
   * what SpamAssassin's rules call dependable signatures. For `spamAssassinTest`'s
   * `dkimVerified`, with this test earlier in the engine's list.
   */
  dkimVerified(message: MessageInput): Promise<boolean>;
}

/**
 * DKIM, DMARC and ARC as content tests (beyond Kerio, which has SPF and Caller ID only), through
 * the `mailauth` library: a valid DKIM signature, a broken one, a DMARC failure weighted by the
 * domain's policy (reject, quarantine, none), and an ARC chain that verifies (a forwarder that
 * vouches for what it received) or is broken, named and scored as SpamAssassin does. Rated
 * senders only (authenticated clients and trusted relays are not checked, as for SpamAssassin).
 */
export function mailauthTest(options: MailauthTestOptions): SpamTest {
  return mailauthAuthenticator(options).test;
}

/**
 * `mailauthTest`, with each message's outcome kept for the application. The test reads the
 * content (`readsContent`): a message over the engine's content limit, which an SMTP server may
 * not hold whole, is not checked, since a body hash over part of a body can only fail.
 */
export function mailauthAuthenticator(options: MailauthTestOptions): MailauthAuthenticator {
  const outcomes = new WeakMap<MessageInput, Promise<MailauthOutcome>>();
  return {
    test: {
      name: 'MAILAUTH',
      stage: 'content',
      kind: 'rating',
      readsContent: true,
      async run({ facts, message }): Promise<TestHit[]> {
        if (!message) return [];
        const outcome = authenticateMessage(options, facts, message);
        outcomes.set(message, outcome);
        return [...(await outcome).hits];
      },
    },
    outcomeFor: (message) => outcomes.get(message),
    dkimVerified: async (message) => {
      const outcome = outcomes.get(message);
      return outcome
        ? outcome.then(
            () => true,
            () => false,
          )
        : false;
    },
  };
}

async function authenticateMessage(
  options: MailauthTestOptions,
  facts: SmtpFacts,
  message: MessageInput,
): Promise<MailauthOutcome> {
  const score = (name: keyof typeof MAILAUTH_SCORES) =>
    options.scores?.[name] ?? MAILAUTH_SCORES[name];
  // mailauth calls every ARC failure permanent (RFC 8617 has no temperror), a seal whose key
  // the DNS could not give included: the keys that failed so are noted, to not score those.
  const keysNotFetched = new Set<string>();
  const resolve = options.resolver ?? dnsResolve;
  const resolver: DnsResolve = (name, type) =>
    resolve(name, type).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      if (/\._domainkey\./i.test(name) && code !== 'ENOTFOUND' && code !== 'ENODATA')
        keysNotFetched.add(name.toLowerCase());
      throw error;
    });
  const results = (await authenticate(Buffer.from(message.bytes), {
    ip: facts.clientIp || undefined,
    helo: facts.helo || undefined,
    sender: facts.mailFrom || undefined,
    mta: options.mta,
    disableBimi: true,
    resolver,
  } as Parameters<typeof authenticate>[1])) as AuthenticationResults;
  const hits: TestHit[] = [];
  // mailauth lists one `none` entry for an unsigned message; a body hash that does not
  // verify is `neutral` (RFC 6376 6.1.3), a bad signature `fail`: both are invalid. A key the
  // DNS could not give (`temperror`: a timeout, SERVFAIL, REFUSED) says nothing either way.
  const signatures = (results.dkim?.results ?? []).filter(
    (s) => s.status?.result !== 'none' && s.status?.result !== 'temperror',
  );
  const valid = signatures.find((s) => s.status?.result === 'pass');
  if (valid)
    hits.push({
      name: 'DKIM_VALID',
      effect: 'score',
      score: score('DKIM_VALID'),
      description: `Valid DKIM signature of ${valid.signingDomain}`,
    });
  else if (signatures.length > 0)
    hits.push({
      name: 'DKIM_INVALID',
      effect: 'score',
      score: score('DKIM_INVALID'),
      description: 'DKIM signature present but invalid',
    });
  // DMARC fails when no aligned identifier passed; one that could not be checked for a DNS error
  // (a key of the From domain's, or SPF for it, timed out or refused) might have: a temperror.
  const fromDomain = (results.dmarc && results.dmarc.domain?.toLowerCase()) || '';
  const aligned = (name: string) => name === fromDomain || name.endsWith(`.${fromDomain}`);
  const senderDomain = facts.mailFrom.slice(facts.mailFrom.lastIndexOf('@') + 1).toLowerCase();
  const dnsTrouble =
    [...keysNotFetched].some(aligned) ||
    (aligned(senderDomain) && results.spf !== false && results.spf?.status?.result === 'temperror');
  const dmarcUnsure =
    fromDomain !== '' &&
    results.dmarc !== false &&
    results.dmarc?.status?.result === 'fail' &&
    dnsTrouble;
  const dmarc = dmarcUnsure ? false : results.dmarc;
  if (dmarc && dmarc.status?.result === 'pass')
    hits.push({
      name: 'DMARC_PASS',
      effect: 'score',
      score: score('DMARC_PASS'),
      description: `DMARC pass for ${dmarc.domain}`,
    });
  else if (dmarc && dmarc.status?.result === 'fail') {
    const name =
      dmarc.policy === 'reject'
        ? 'DMARC_REJECT'
        : dmarc.policy === 'quarantine'
          ? 'DMARC_QUAR'
          : 'DMARC_NONE';
    hits.push({
      name,
      effect: 'score',
      score: score(name),
      description: `DMARC fail for ${dmarc.domain}, policy ${dmarc.policy ?? 'none'}`,
    });
  }
  // ARC: `none` is no chain at all; a chain that verifies passes, any other is broken, but
  // for one whose keys (or any DKIM key) the DNS could not give: that says nothing either way.
  const arc = results.arc;
  if (arc && arc.status?.result === 'pass')
    hits.push({
      name: 'ARC_VALID',
      effect: 'score',
      score: score('ARC_VALID'),
      description: `Valid ARC chain of ${arc.i ?? 1} set(s)`,
    });
  else if (
    arc &&
    arc.status?.result &&
    !['none', 'temperror'].includes(arc.status.result) &&
    keysNotFetched.size === 0
  )
    hits.push({
      name: 'ARC_INVALID',
      effect: 'score',
      score: score('ARC_INVALID'),
      description: `ARC chain present but invalid${arc.status.comment ? ` (${arc.status.comment})` : ''}`,
    });
  const dmarcOutcome = results.dmarc
    ? {
        result: dmarcUnsure ? 'temperror' : (results.dmarc.status?.result ?? 'none'),
        policy: results.dmarc.policy ?? null,
        domain: results.dmarc.domain ?? '',
      }
    : null;
  return {
    hits,
    authenticationResults: dmarcUnsure
      ? authenticationResultsOf(results, options.mta).replace(/\bdmarc=fail\b/, 'dmarc=temperror')
      : authenticationResultsOf(results, options.mta),
    dmarc: dmarcOutcome,
  };
}

/** The Authentication-Results value mailauth wrote (its last field), or our id with `none`. */
function authenticationResultsOf(results: AuthenticationResults, mta: string): string {
  const match = /(?:^|\r\n)Authentication-Results: ([^]*?)\r\n(?![ \t])/.exec(
    results.headers ?? '',
  );
  return match?.[1] ?? `${mta}; none`;
}
