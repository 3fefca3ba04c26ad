// MIMEEval's check_abundant_unicode_ratio (PP_TOO_MUCH_UNICODE02, _05): `&#xHHHH;` entities in a
// text/plain part sent as it is, per octet of the rest. Debian's rules define them only under
// `if can(MIMEEval::has_check_abundant_unicode_ratio)`, which SpamAssassin 4.0.1 answers true.
import { readFileSync } from 'node:fs';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ENVIRONMENT,
  emptySaConfig,
  evaluateCondition,
  parseCfFile,
} from '../src/index.js';
import { debianSpamAssassin, type RuleFirer, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const HEADER =
  'From: a@b.example\nTo: c@d.example\nSubject: entities\nMessage-ID: <uni@b.example>\n' +
  'Date: Sun, 6 Dec 2026 05:00:00 +0000\n';
/** 4 entities and 39 other octets (the line's newline counted): a ratio of 0.1026. */
const TEXT = 'Caf&#x00E9; cr&#x00E8;me br&#x00FB;l&#x00E9;e for everyone here today.\n';
const LF_MAIL = `${HEADER}Content-Type: text/plain; charset=us-ascii\n\n${TEXT}`;
const CRLF_MAIL = LF_MAIL.replace(/\n/g, '\r\n');
const RATIOS = ['0.102', '0.103', '0.105', '0.106'];

const fired = (rules: RuleFirer, text: string) => rules(text);
const ratioRules = () => {
  const firer = ruleFirer(
    RATIOS.map(
      (r) => `body U${r.replace('.', '_')} eval:check_abundant_unicode_ratio('${r}')`,
    ).join('\n'),
    { sorted: false },
  );
  const { rules } = firer;
  expect(rules.unsupported).toEqual([]);
  return firer;
};

describe('check_abundant_unicode_ratio', () => {
  it('counts the entities per other octet of a plain part sent as it is, CRLF read as LF', () => {
    const rules = ratioRules();
    expect(fired(rules, LF_MAIL)).toEqual(['U0_102']);
    expect(fired(rules, CRLF_MAIL)).toEqual(['U0_102']);
  });

  it('reads no encoded part, no HTML part, and lower-case hex digits not at all', () => {
    const rules = ratioRules();
    const encoded = `${HEADER}Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n${TEXT}`;
    const html = `${HEADER}Content-Type: text/html\n\n${TEXT}`;
    const lower = LF_MAIL.replace(/00E/g, '00e').replace(/00FB/, '00fb');
    for (const mail of [encoded, html, lower]) expect(fired(rules, mail)).toEqual([]);
  });

  it('is a feature SpamAssassin 4.0.1 has', () => {
    expect(
      evaluateCondition(
        'can(Mail::SpamAssassin::Plugin::MIMEEval::has_check_abundant_unicode_ratio)',
        DEFAULT_ENVIRONMENT,
      ),
    ).toBe(true);
  });
});

describeWithPeer(debianSpamAssassin, 'check_abundant_unicode_ratio against spamassassin', () => {
  const mails = { LF_MAIL, CRLF_MAIL };
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      Object.values(mails),
      RATIOS.map((r) => {
        const name = `U${r.replace('.', '_')}`;
        return `body ${name} eval:check_abundant_unicode_ratio('${r}')\nscore ${name} 0.01`;
      }).join('\n'),
      /^U0_\d+$/,
    );
  });

  for (const [index, [name, mail]] of Object.entries(mails).entries())
    it(`fires at the same ratios as spamassassin -L -t: ${name}`, () => {
      expect(fired(ratioRules(), mail).sort()).toEqual(theirs[index]);
    });

  it("defines Debian's PP_TOO_MUCH_UNICODE02 and _05", () => {
    const config = emptySaConfig();
    parseCfFile(
      config,
      '72_active.cf',
      readFileSync('/usr/share/spamassassin/72_active.cf', 'latin1'),
    );
    expect(config.rules.get('PP_TOO_MUCH_UNICODE02')?.spec).toBe(
      'eval:check_abundant_unicode_ratio(0.02)',
    );
    expect(config.rules.get('PP_TOO_MUCH_UNICODE05')?.spec).toBe(
      'eval:check_abundant_unicode_ratio(0.05)',
    );
  });
});
