import { spf } from 'mailauth/lib/spf/index.js';
import type { SpfCheck, SpfResult } from '../engine/spf-test.js';

/** A DNS query function as `dns.promises.resolve` (name, record type). */
export type DnsResolve = (name: string, type: string) => Promise<string[] | string[][]>;

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
