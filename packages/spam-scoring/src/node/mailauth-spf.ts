import { Resolver } from 'node:dns/promises';
import { spf } from 'mailauth/lib/spf/index.js';
import type { SpfCheck, SpfResult } from '../engine/spf-test.js';

/** A DNS query function as `dns.promises.resolve` (name, record type). */
export type DnsResolve = (name: string, type: string) => Promise<string[] | string[][]>;

export interface MailauthResolverOptions {
  /** The servers to ask (`ip` or `ip:port`); default: the system's. */
  readonly servers?: readonly string[];
  /** How long one try may take. Default 3000 ms. */
  readonly timeoutMs?: number;
  /** Tries per query. Default 2. */
  readonly tries?: number;
}

/**
 * mailauth's resolver over Node's (c-ares), asking the given servers. Errors keep c-ares's
 * codes, which mailauth reads: ENOTFOUND and ENODATA mean "no record", anything else
 * (ETIMEOUT, ESERVFAIL, EREFUSED) a temporary error (RFC 7208's temperror), never a fail.
 */
export function nodeMailauthResolver(options: MailauthResolverOptions = {}): DnsResolve {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  return (name, type) => resolver.resolve(name, type) as Promise<string[] | string[][]>;
}

export interface MailauthSpfOptions {
  /** Our host name, as the comments name it. */
  readonly mta: string;
  /** Default: the system's resolver. */
  readonly resolver?: DnsResolve;
}

/** SPF through the `mailauth` library (RFC 7208, with its lookup limits). */
export function mailauthSpf(options: MailauthSpfOptions): SpfCheck {
  return async ({ ip, sender, helo }) => {
    const response = (await spf({
      ip,
      sender,
      helo,
      mta: options.mta,
      ...(options.resolver && { resolver: options.resolver }),
    })) as { status: { result: SpfResult; comment: string } };
    return { result: response.status.result, comment: response.status.comment };
  };
}
