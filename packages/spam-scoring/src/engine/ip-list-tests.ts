import type { SpamTest, TestHit } from '../core/spam-test.js';

/** Kerio's list actions: block at SMTP level, or add to the score. */
export type ListAction =
  { readonly kind: 'block' } | { readonly kind: 'score'; readonly score: number };

export interface IpBlacklistOptions {
  /** Whether an IP is on the list (`IpAddressGroups.matcher` of `@mailyard/access-policy`). */
  readonly matches: (ip: string) => boolean;
  readonly action: ListAction;
  /** Default `CUSTOM_IP_BLACKLIST`. */
  readonly name?: string;
}

/**
 * Kerio's custom blacklist of spammer IP addresses (13.2). It is checked even for whitelisted
 * clients, as Kerio does. A block is a 554 5.7.1 at connect or RCPT.
 */
export function ipBlacklistTest(options: IpBlacklistOptions): SpamTest {
  const name = options.name ?? 'CUSTOM_IP_BLACKLIST';
  return {
    name,
    stage: 'connect',
    kind: 'list',
    runsForWhitelisted: true,
    run({ facts }): TestHit[] {
      if (facts.clientIp === '' || !options.matches(facts.clientIp)) return [];
      const description = `IP address ${facts.clientIp} is in the custom blacklist`;
      return [listHit(name, options.action, description)];
    },
  };
}

export function listHit(name: string, action: ListAction, description: string): TestHit {
  return action.kind === 'block'
    ? {
        name,
        effect: 'block',
        score: 0,
        description,
        reply: { code: 554, enhanced: '5.7.1', text: `Rejected: ${description}` },
      }
    : { name, effect: 'score', score: action.score, description };
}
