// SpamAssassin's __DKIM_DEPENDABLE (DKIM.pm's check_dkim_dependable): 1 only once the message's
// signatures were obtained and verified. spamd -L verifies none, so there it is 0 and
// END_FUTURE_EMAILS, COMPENSATION and PHP_NOVER_MUA (read it under `!`) can fire; here it is 1
// only when the engine's mailauth test ran on the message before the rules.
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type DnsResolve,
  type SaRuleSet,
  SpamEngine,
  type SpamTest,
  emptySaConfig,
  mailauthAuthenticator,
  parseCfFile,
  SaRuleSet as RuleSet,
  spamAssassinTest,
} from '../src/index.js';
import {
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '../src/node/load-spamassassin-rules.js';
import { FACTS, message, debianSpamAssassin, spamAssassinFired } from './helpers.js';

// No DNS here: every name is absent, so mailauth verifies (finding no signature) offline.
const noDns: DnsResolve = () =>
  Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));

const MAIL =
  'From: Shop Team <offers@shop.example>\r\nTo: bob@example.com\r\nSubject: Weekly offers\r\n' +
  'Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <w1@shop.example>\r\n\r\n' +
  'Our best prices this week.\r\nReply with the word remove to stop receiving future emails from us.\r\n';

const firedBy = async (tests: SpamTest[], text = MAIL) =>
  (await new SpamEngine({ tests, whitelist: null }).rate(FACTS, message(text))).hits.map(
    (hit) => hit.name,
  );

describe('__DKIM_DEPENDABLE', () => {
  const config = emptySaConfig();
  parseCfFile(
    config,
    'dkim.cf',
    [
      'full __DKIM_DEPENDABLE eval:check_dkim_dependable()',
      'body __END_FUTURE /future emails/',
      'meta END_FUTURE __END_FUTURE && !__DKIM_DEPENDABLE',
      'score END_FUTURE 2.5',
    ].join('\n'),
  );
  const rules: SaRuleSet = RuleSet.compile(config);

  it('is 0 when no DKIM verification ran, as in spamd -L', async () => {
    expect(await firedBy([spamAssassinTest(rules)])).toEqual(['END_FUTURE']);
  });

  it("is 1 once the engine's mailauth test verified the message (no signature found)", async () => {
    const auth = mailauthAuthenticator({ mta: 'mx.example.com', resolver: noDns });
    const rulesTest = spamAssassinTest(rules, { dkimVerified: auth.dkimVerified });
    expect(await firedBy([auth.test, rulesTest])).toEqual([]);
  });

  it('is 0 when mailauth comes after the rules (nothing verified yet)', async () => {
    const auth = mailauthAuthenticator({ mta: 'mx.example.com', resolver: noDns });
    const rulesTest = spamAssassinTest(rules, { dkimVerified: auth.dkimVerified });
    expect(await firedBy([rulesTest, auth.test])).toEqual(['END_FUTURE']);
  });

  it('answers for the message it verified, not for another', async () => {
    const auth = mailauthAuthenticator({ mta: 'mx.example.com', resolver: noDns });
    const input = message(MAIL);
    await new SpamEngine({ tests: [auth.test], whitelist: null }).rate(FACTS, input);
    expect(await auth.dkimVerified(input)).toBe(true);
    expect(await auth.dkimVerified(message(MAIL))).toBe(false);
  });
});

describeWithPeer(debianSpamAssassin, "END_FUTURE_EMAILS with Debian's rules", () => {
  let rules: SaRuleSet;
  beforeAll(async () => {
    rules = (await loadSpamAssassinRules((await findDebianRuleDirectory())!)).rules;
  });

  it('fires as spamassassin -L -t fires it, and not once mailauth has verified', async () => {
    expect(spamAssassinFired(MAIL, '', /^END_FUTURE_EMAILS$/)).toEqual(['END_FUTURE_EMAILS']);
    expect(await firedBy([spamAssassinTest(rules)])).toContain('END_FUTURE_EMAILS');
    const auth = mailauthAuthenticator({ mta: 'mx.example.com', resolver: noDns });
    const verified = await firedBy([
      auth.test,
      spamAssassinTest(rules, { dkimVerified: auth.dkimVerified }),
    ]);
    expect(verified).not.toContain('END_FUTURE_EMAILS');
  });
});
