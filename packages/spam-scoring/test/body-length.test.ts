// BodyEval's check_body_length: the body's octets as sent (Message.pm's pristine_body_length),
// at most the limit. Debian's rules define __KAM_BODY_LENGTH_LT_* only under
// `if can(BodyEval::has_check_body_length)`, which SpamAssassin 4.0.1 answers true.
import { readFileSync } from 'node:fs';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ENVIRONMENT,
  emptySaConfig,
  evaluateCondition,
  parseCfFile,
  type SaRuleSet,
} from '../src/index.js';
import {
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '../src/node/load-spamassassin-rules.js';
import { debianSpamAssassin, type RuleFirer, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const HEADER =
  'From: a@b.example\r\nTo: c@d.example\r\nSubject: short\r\nMessage-ID: <len@b.example>\r\n' +
  'Date: Sun, 6 Dec 2026 05:00:00 +0000\r\n\r\n';
/** 44 octets with CRLF line endings, 42 with LF. */
const BODY = 'A short body of some length.\r\nSecond line.\r\n';
const CRLF_MAIL = HEADER + BODY;
const LF_MAIL = CRLF_MAIL.replace(/\r\n/g, '\n');
const LIMITS = [41, 42, 43, 44, 45];

const fired = (rules: RuleFirer, text: string) => rules(text);
const lengthRules = () => {
  const firer = ruleFirer(
    LIMITS.map((n) => `body LEN_LE_${n} eval:check_body_length('${n}')`).join('\n'),
    { sorted: false },
  );
  const { rules } = firer;
  expect(rules.unsupported).toEqual([]);
  return firer;
};

describe('check_body_length', () => {
  it('counts the octets after the blank line, line endings as sent', () => {
    const rules = lengthRules();
    expect(fired(rules, CRLF_MAIL).sort()).toEqual(['LEN_LE_44', 'LEN_LE_45']);
    expect(fired(rules, LF_MAIL).sort()).toEqual([
      'LEN_LE_42',
      'LEN_LE_43',
      'LEN_LE_44',
      'LEN_LE_45',
    ]);
  });

  it('is a feature SpamAssassin 4.0.1 has', () => {
    expect(
      evaluateCondition(
        'can(Mail::SpamAssassin::Plugin::BodyEval::has_check_body_length)',
        DEFAULT_ENVIRONMENT,
      ),
    ).toBe(true);
  });
});

describeWithPeer(debianSpamAssassin, 'check_body_length against spamassassin', () => {
  let debian: SaRuleSet;
  beforeAll(async () => {
    debian = (await loadSpamAssassinRules((await findDebianRuleDirectory())!)).rules;
  });

  const mails = { CRLF_MAIL, LF_MAIL };
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      Object.values(mails),
      LIMITS.map(
        (n) => `body LEN_LE_${n} eval:check_body_length('${n}')\nscore LEN_LE_${n} 0.01`,
      ).join('\n'),
      /^LEN_LE_\d+$/,
    );
  });

  for (const [index, [name, mail]] of Object.entries(mails).entries())
    it(`fires at the same limits as spamassassin -L -t: ${name}`, () => {
      expect(fired(lengthRules(), mail).sort()).toEqual(theirs[index]);
    });

  it("defines Debian's __KAM_BODY_LENGTH_LT_* rules, and the metas read them", () => {
    const config = emptySaConfig();
    parseCfFile(
      config,
      '72_active.cf',
      readFileSync('/usr/share/spamassassin/72_active.cf', 'latin1'),
    );
    for (const n of [128, 256, 512, 1024])
      expect(config.rules.get(`__KAM_BODY_LENGTH_LT_${n}`)?.spec).toBe(
        `eval:check_body_length('${n}')`,
      );
    for (const n of [128, 512, 1024])
      expect(config.rules.get(`__LCL__KAM_BODY_LENGTH_LT_${n}`)?.spec).toBe(
        `__KAM_BODY_LENGTH_LT_${n}`,
      );
    expect(debian.unsupported.map((u) => u.name)).not.toContain('__KAM_BODY_LENGTH_LT_128');
  });
});
