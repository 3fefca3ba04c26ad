import { describe, expect, it } from 'vitest';
import { type CustomRule, SpamEngine, customRuleTests, matchesWildcard } from '../src/index.js';
import { FACTS, message, scoring } from './helpers.js';

const engineWith = (rules: CustomRule[], extra = [scoring('CONTENT', 2)]) =>
  new SpamEngine({ tests: [...customRuleTests(rules), ...extra], whitelist: null });

const mail = (headers: string) => message(`${headers}\r\n\r\nHello\r\n`);

describe('wildcards', () => {
  it('matches * as any run, case-insensitively, and nothing else specially', () => {
    expect(matchesWildcard('*@othercompany.com', 'Eve@OtherCompany.com')).toBe(true);
    expect(matchesWildcard('*@othercompany.com', 'eve@othercompany.com.evil')).toBe(false);
    expect(matchesWildcard('*.info', 'spam.info')).toBe(true);
    expect(matchesWildcard('*.info', 'info')).toBe(false);
    expect(matchesWildcard('a*b*c', 'axxbyyc')).toBe(true);
    expect(matchesWildcard('a.c', 'abc')).toBe(false);
    expect(matchesWildcard('*', '')).toBe(true);
  });

  it('stays fast on a pattern built to backtrack', () => {
    const pattern = `${'*a'.repeat(200)}b`;
    expect(matchesWildcard(pattern, 'a'.repeat(5000))).toBe(false);
  });
});

describe('conditions (Kerio 13.3)', () => {
  const score = (header: string, type: CustomRule['type'], content?: string): CustomRule => ({
    header,
    type,
    ...(content !== undefined && { content }),
    action: { kind: 'score', score: 1 },
  });
  const fires = async (rule: CustomRule, headers: string) =>
    (await engineWith([score('X-First', 'missing', 'unused'), rule], []).rate(FACTS, mail(headers)))
      .hits.length === 2;

  it('is empty / is missing', async () => {
    expect(await fires(score('Subject', 'empty'), 'Subject:   ')).toBe(true);
    expect(await fires(score('Subject', 'empty'), 'Subject: hi')).toBe(false);
    expect(await fires(score('Subject', 'empty'), 'From: a@b.c')).toBe(false);
    expect(await fires(score('Subject', 'missing'), 'From: a@b.c')).toBe(true);
    expect(await fires(score('subject', 'missing'), 'SUBJECT: x')).toBe(false);
  });

  it('contains address / address with domain, with wildcards, in any address of the header', async () => {
    const cc = 'Cc: "Someone" <someone@wanted.com>, team: x@other.org, y@spammer.com;';
    expect(await fires(score('Cc', 'address', 'someone@wanted.com'), cc)).toBe(true);
    expect(await fires(score('Cc', 'address', '*@spammer.com'), cc)).toBe(true);
    expect(await fires(score('Cc', 'address', 'someone@wanted'), cc)).toBe(false);
    expect(await fires(score('Cc', 'domain', 'other.org'), cc)).toBe(true);
    expect(await fires(score('Cc', 'domain', '*.org'), cc)).toBe(true);
    expect(await fires(score('Cc', 'domain', 'wanted'), cc)).toBe(false);
  });

  it('contains substring, in the decoded value, any case', async () => {
    expect(await fires(score('Subject', 'substring', 'viagra'), 'Subject: Buy VIAGRA now')).toBe(
      true,
    );
    expect(
      await fires(score('Subject', 'substring', 'jörg'), 'Subject: =?utf-8?q?J=C3=B6rg?='),
    ).toBe(true);
    expect(await fires(score('X-Mailer', 'substring', 'bulk'), 'X-Mailer: Outlook')).toBe(false);
  });

  it('contains binary data: 8-bit bytes or encoded words that decode past ASCII', async () => {
    const raw = new Uint8Array([...new TextEncoder().encode('Subject: caf'), 0xe9, 13, 10, 13, 10]);
    const engine = engineWith([score('X-First', 'missing', 'x'), score('Subject', 'binary')], []);
    expect((await engine.rate(FACTS, message(raw))).hits).toHaveLength(2);
    expect(await fires(score('Subject', 'binary'), 'Subject: =?koi8-r?b?8NLJ18XU?=')).toBe(true);
    expect(await fires(score('Subject', 'binary'), 'Subject: =?us-ascii?q?plain?=')).toBe(false);
    expect(await fires(score('Subject', 'binary'), 'Subject: plain text')).toBe(false);
  });
});

describe('evaluation order and actions', () => {
  it('adds score rules up and stops at the first Allow or Reject', async () => {
    const rules: CustomRule[] = [
      {
        header: 'Subject',
        type: 'substring',
        content: 'offer',
        action: { kind: 'score', score: 1.5 },
      },
      { header: 'X-Mailer', type: 'missing', action: { kind: 'score', score: 1 } },
      { header: 'Subject', type: 'substring', content: 'offer', action: { kind: 'reject' } },
      { header: 'Subject', type: 'substring', content: 'offer', action: { kind: 'allow' } },
    ];
    const rated = await engineWith(rules).rate(FACTS, mail('Subject: an offer'));
    expect(rated.hits.map((hit) => [hit.name, hit.effect])).toEqual([
      ['CUSTOM_RULE_1', 'score'],
      ['CUSTOM_RULE_2', 'score'],
      ['CUSTOM_RULE_3', 'block'],
    ]);
    expect(rated.action).toBe('discard');
    expect(rated.blocked).toEqual({ bounce: false, quarantine: null });
  });

  it('Allow overrides every other score, before and after it', async () => {
    const rules: CustomRule[] = [
      {
        header: 'Subject',
        type: 'substring',
        content: 'offer',
        action: { kind: 'score', score: 4 },
      },
      { header: 'From', type: 'address', content: 'friend@*', action: { kind: 'allow' } },
    ];
    const content = scoring('CONTENT', 9);
    const engine = engineWith(rules, [content]);
    const rated = await engine.rate(FACTS, mail('Subject: an offer\r\nFrom: Friend@example.org'));
    expect([rated.action, rated.score, rated.allowed, content.runs]).toEqual([
      'accept',
      0,
      true,
      0,
    ]);
  });

  it('a disabled rule does nothing', async () => {
    const rules: CustomRule[] = [
      { header: 'Subject', type: 'missing', action: { kind: 'reject' }, enabled: false },
    ];
    expect((await engineWith(rules).rate(FACTS, mail('From: a@b.c'))).action).toBe('accept');
  });

  it('uses the custom-rule action settings for a Reject after DATA', async () => {
    const engine = new SpamEngine({
      tests: customRuleTests([
        { header: 'X-Spam-Bot', type: 'substring', content: 'yes', action: { kind: 'reject' } },
      ]),
      customRuleAction: { bounce: true, quarantine: 'spam@example.com' },
    });
    const rated = await engine.rate(FACTS, mail('X-Spam-Bot: yes'));
    expect([rated.action, rated.blocked]).toEqual([
      'discard',
      { bounce: true, quarantine: 'spam@example.com' },
    ]);
  });
});

describe('From/To rules at the top run at SMTP time (Kerio 13.3)', () => {
  const rules: CustomRule[] = [
    { header: 'From', type: 'domain', content: 'spammer.com', action: { kind: 'reject' } },
    { header: 'To', type: 'address', content: 'abuse@*', action: { kind: 'allow' } },
    { header: 'Subject', type: 'empty', action: { kind: 'score', score: 5 } },
    {
      header: 'From',
      type: 'address',
      content: '*@late.example',
      action: { kind: 'score', score: 2 },
    },
  ];

  it('rejects MAIL FROM a listed domain with 553 5.7.1 before DATA', async () => {
    const engine = engineWith(rules);
    const outcome = await engine.checkStage('envelope', { ...FACTS, mailFrom: 'x@SPAMMER.com' });
    expect(outcome.reply).toEqual({
      code: 553,
      enhanced: '5.7.1',
      text: 'Sender or recipient rejected by custom rule',
    });
    const fine = await engine.checkStage('envelope', FACTS);
    expect(fine.reply).toBeNull();
  });

  it('matches envelope addresses only at SMTP time: a From header of that domain is not rejected there', async () => {
    const rated = await engineWith(rules).rate(
      FACTS,
      mail('From: boss@spammer.com\r\nSubject: hi'),
    );
    expect(rated.action).toBe('accept');
  });

  it('an Allow for a recipient at SMTP time zeroes the later tests', async () => {
    const engine = engineWith(rules);
    const envelope = await engine.checkStage('envelope', {
      ...FACTS,
      rcptTo: ['abuse@example.com'],
    });
    const rated = await engine.rate(FACTS, mail('Subject: '), envelope);
    expect([rated.action, rated.score, rated.allowed]).toEqual(['accept', 0, true]);
  });

  it('after the first other rule, From is matched against MAIL FROM and the From header alike', async () => {
    const engine = engineWith(rules, []);
    const byHeader = await engine.rate(FACTS, mail('From: x@late.example\r\nSubject: s'));
    const byEnvelope = await engine.rate(
      { ...FACTS, mailFrom: 'y@late.example' },
      mail('From: x@b.c\r\nSubject: s'),
    );
    expect([byHeader.score, byEnvelope.score]).toEqual([2, 2]);
    expect((await engine.rate(FACTS, mail('Subject: s'))).hits).toEqual([]);
    expect((await engine.rate(FACTS, mail('Subject:'))).hits.map((hit) => hit.name)).toEqual([
      'CUSTOM_RULE_3',
    ]);
  });
});
