import type { SpamTest, TestHit } from '../core/spam-test.js';
import { listHit } from './ip-list-tests.js';

/** RFC 7208's results. */
export type SpfResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

/** Asks the sender's domain whether the client may send for it (`mailauthSpf` in node/). */
export type SpfCheck = (query: {
  readonly ip: string;
  readonly sender: string;
  readonly helo: string;
}) => Promise<{ readonly result: SpfResult; readonly comment: string }>;

export interface SpfTestOptions {
  readonly check: SpfCheck;
  /**
   * What a negative result does (Kerio 13.5): log only, block at SMTP level (550 5.7.23, RFC
   * 7372's code for an SPF failure), or add a score (1-3 recommended).
   */
  readonly action:
    | { readonly kind: 'log' }
    | { readonly kind: 'block' }
    | { readonly kind: 'score'; readonly score: number };
  /** Kerio's "Don't check SPF from IP address group" (backup MX servers). */
  readonly exempt?: (ip: string) => boolean;
  readonly securityLog?: (line: string) => void;
}

/**
 * Kerio's SPF check at MAIL FROM: only a negative result ("fail") acts; no record, neutral and
 * softfail do not (Kerio 13.5: a domain without a record is "not considered"). Authenticated
 * clients and trusted relays are not checked (12.2).
 */
export function spfTest(options: SpfTestOptions): SpamTest {
  return {
    name: 'SPF',
    stage: 'envelope',
    kind: 'list',
    async run({ facts }): Promise<TestHit[]> {
      if (
        facts.authenticated ||
        facts.trustedRelay ||
        facts.mailFrom === '' ||
        options.exempt?.(facts.clientIp)
      )
        return [];
      const { result, comment } = await options.check({
        ip: facts.clientIp,
        sender: facts.mailFrom,
        helo: facts.helo,
      });
      if (result !== 'fail') return [];
      const description = `SPF check failed: ${comment}`;
      options.securityLog?.(
        `${description}, mail from <${facts.mailFrom}> (IP address ${facts.clientIp})`,
      );
      if (options.action.kind === 'log')
        return [{ name: 'SPF_FAIL', effect: 'score', score: 0, description }];
      const hit = listHit('SPF_FAIL', options.action, description);
      return [
        hit.reply
          ? { ...hit, reply: { code: 550, enhanced: '5.7.23', text: 'SPF validation failed' } }
          : hit,
      ];
    },
  };
}
