// VBounce.pm's have_any_bounce_relays and check_welcomelist_bounce_relays: 0 while the rule
// files list no relays of one's own (Debian's list none), so the bounce metas and those over
// them (__NOT_A_PERSON, __KHOP_NO_FULL_NAME, NO_FM_NAME_IP_HOSTN) run.
import { readFileSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  emptySaConfig,
  parseCfFile,
  type SaRuleSet,
  SaMessageView,
  SaRuleSet as RuleSet,
} from '../src/index.js';
import {
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '../src/node/load-spamassassin-rules.js';
import { debianSpamAssassin, spamAssassinFired } from './helpers.js';

const RULES = [
  'body __HAVE_BOUNCE_RELAYS eval:have_any_bounce_relays()',
  'body __MY_SERVERS_FOUND eval:check_welcomelist_bounce_relays()',
  'body __MY_SERVERS_FOUND_OLD eval:check_whitelist_bounce_relays()',
  'meta NOT_OURS !__HAVE_BOUNCE_RELAYS && !__MY_SERVERS_FOUND && !__MY_SERVERS_FOUND_OLD',
];
const fired = (rules: SaRuleSet, text: string) => {
  const bytes = new TextEncoder().encode(text);
  return rules.evaluate(new SaMessageView(bytes, summarize(bytes)), 0).map((h) => h.name);
};

describe('bounce relays', () => {
  it('are none while no welcomelist_bounce_relays is given', () => {
    const config = emptySaConfig();
    parseCfFile(config, 'vbounce.cf', RULES.join('\n'));
    const rules = RuleSet.compile(config);
    expect(rules.unsupported).toEqual([]);
    expect(fired(rules, 'From: a@b.example\r\n\r\nbody\r\n')).toEqual(['NOT_OURS']);
  });

  it('are not guessed when the files list some (the checks then do not run)', () => {
    const config = emptySaConfig();
    parseCfFile(
      config,
      'vbounce.cf',
      ['welcomelist_bounce_relays mx.example.com', ...RULES].join('\n'),
    );
    const rules = RuleSet.compile(config);
    expect(rules.unsupported.map((u) => u.name).sort()).toEqual([
      'NOT_OURS',
      '__HAVE_BOUNCE_RELAYS',
      '__MY_SERVERS_FOUND',
      '__MY_SERVERS_FOUND_OLD',
    ]);
  });
});

describeWithPeer(debianSpamAssassin, "NO_FM_NAME_IP_HOSTN with Debian's rules", () => {
  let rules: SaRuleSet;
  beforeAll(async () => {
    rules = (await loadSpamAssassinRules((await findDebianRuleDirectory())!)).rules;
  });

  it('fires as spamassassin -L -t fires it: no From name, an rDNS spelling the IP', () => {
    const mail = readFileSync(
      `${import.meta.dirname}/fixtures/no-from-name-ip-hostname.eml`,
      'latin1',
    );
    expect(spamAssassinFired(mail, '', /^NO_FM_NAME_IP_HOSTN$/)).toEqual(['NO_FM_NAME_IP_HOSTN']);
    expect(rules.unsupported.map((u) => u.name)).not.toContain('NO_FM_NAME_IP_HOSTN');
    expect(fired(rules, mail)).toContain('NO_FM_NAME_IP_HOSTN');
  });
});
