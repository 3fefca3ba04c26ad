// SpamAssassin 4's capture rules: a named group sets a tag, `%{NAME}` reads it (capture-rules.ts).
// Checked against `spamassassin -t` one message per process: SpamAssassin 4.0.1 compiles the
// filled pattern once per process (`/o`), so a process asked about several messages matches each
// against the first one's values (see capture-rules.ts), which a batched oracle would inherit.
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_FILLED_PATTERN_LENGTH,
  MAX_TAG_VALUES,
  fillTemplate,
  quotemeta,
} from '../src/spamassassin/capture-rules.js';
import {
  type LoadedRules,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '../src/node/load-spamassassin-rules.js';
import { SaMessageView } from '../src/spamassassin/message-view.js';
import { debianSpamAssassin, message, ruleFirer, spamAssassinFired } from './helpers.js';

const CF = `
header   __CAP_TO          To:addr =~ /(?<CAP_TO>.*)/
uri      CAP_TO_IN_URI     m;[?&]email=%{CAP_TO};i
score    CAP_TO_IN_URI     1.0
body     __CAP_CODE        /\\bcode (?<CAP_CODE>[A-Z]{4})\\b/
tflags   __CAP_CODE        multiple
header   CAP_CODE_IN_SUBJ  Subject =~ /\\b%{CAP_CODE}\\b/
score    CAP_CODE_IN_SUBJ  1.0
`;

const mail = (to: string | null, subject: string, body: string) =>
  [
    'From: Sender <sender@example.org>',
    ...(to === null ? [] : [`To: ${to}`]),
    `Subject: ${subject}`,
    'Message-ID: <capture-test@example.org>',
    'Date: Sat, 05 Dec 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=us-ascii',
    '',
    `<html><body>${body}</body></html>`,
    '',
  ].join('\r\n');

const link = (href: string) => `<p>Hello, <a href="${href}">unsubscribe</a> here.</p>`;

const CASES: { title: string; text: string; fires: string[] }[] = [
  {
    title: "the recipient's address in a link",
    text: mail(
      'Bob <bob@example.com>',
      'hello',
      link('http://www.example.net/u?email=bob@example.com'),
    ),
    fires: ['CAP_TO_IN_URI'],
  },
  {
    title: 'in other case (the rule is /i)',
    text: mail(
      'bob@example.com',
      'hello',
      link('http://www.example.net/u?x=1&email=BOB@EXAMPLE.COM'),
    ),
    fires: ['CAP_TO_IN_URI'],
  },
  {
    title: 'the value is a literal: its dots match dots only',
    text: mail('bob@example.com', 'hello', link('http://www.example.net/u?email=bob@exampleXcom')),
    fires: [],
  },
  {
    title: 'another address',
    text: mail('bob@example.com', 'hello', link('http://www.example.net/u?email=eve@example.com')),
    fires: [],
  },
  {
    title: 'no To: the tag is not set, the rule not run',
    text: mail(null, 'hello', link('http://www.example.net/u?email=bob@example.com')),
    fires: [],
  },
  {
    title: 'each match of a multiple rule adds a value',
    text: mail('bob@example.com', 'about WXYZ', '<p>code ABCD and code WXYZ</p>'),
    fires: ['CAP_CODE_IN_SUBJ'],
  },
  {
    title: 'a captured value not in the Subject',
    text: mail('bob@example.com', 'about nothing', '<p>code ABCD</p>'),
    fires: [],
  },
];

describe('capture rules', () => {
  const fire = ruleFirer(CF);

  it.each(CASES)('$title', ({ text, fires }) => {
    expect(fire(text)).toEqual(fires);
  });

  it('runs every message with its own values (not the first message values, as spamd 4.0.1)', () => {
    const to = (address: string) =>
      mail(address, 'hello', link(`http://www.example.net/u?email=${address}`));
    expect(fire(to('alice@example.com'))).toEqual(['CAP_TO_IN_URI']);
    expect(fire(to('bob@example.com'))).toEqual(['CAP_TO_IN_URI']);
    expect(
      fire(mail('bob@example.com', 'hi', link('http://www.example.net/u?email=alice@example.com'))),
    ).toEqual([]);
  });

  it('refuses a template whose tag no rule captures', () => {
    const rules = ruleFirer('uri ORPHAN m;email=%{NOBODY_SETS};\nscore ORPHAN 1\n').rules;
    expect(rules.unsupported).toEqual([
      {
        name: 'ORPHAN',
        kind: 'uri',
        reason: 'template tag %{NOBODY_SETS}: no rule captures it',
      },
    ]);
  });

  it('writes values as Perl quotemeta does and keeps \\%{NAME} literal', () => {
    expect(quotemeta('a.b+c@d-e_f9 ü')).toBe('a\\.b\\+c\\@d\\-e_f9\\ \\ü');
    expect(fillTemplate('x%{A}y\\%{A}', new Map([['A', ['1', '.']]]))).toBe('x(?:1|\\.)y\\%{A}');
    expect(fillTemplate('%{A}', new Map())).toBeNull();
  });

  it('bounds hostile values: a huge address is not run, many values are capped', () => {
    const huge = `${'.*+?()[]{}|^$\\'.repeat(10_000)}@example.com`;
    expect(quotemeta(huge).length).toBeGreaterThan(MAX_FILLED_PATTERN_LENGTH);
    const started = performance.now();
    expect(fire(mail(`<${huge}>`, 'hi', link(`http://www.example.net/u?email=${huge}`)))).toEqual(
      [],
    );
    const codes = Array.from(
      { length: 2_000 },
      (_, index) =>
        String.fromCharCode(
          65 + (index % 26),
          65 + (((index / 26) % 26) | 0),
          65 + ((index / 676) | 0),
        ) + 'Q',
    );
    const body = `<p>${codes.map((code) => `code ${code}`).join(' ')}</p>`;
    // The last value is past MAX_TAG_VALUES, so not among the tag's values; the first is.
    expect(MAX_TAG_VALUES).toBeLessThan(codes.length);
    expect(fire(mail('bob@example.com', `about ${codes.at(-1)}`, body))).toEqual([]);
    expect(fire(mail('bob@example.com', `about ${codes[0]}`, body))).toEqual(['CAP_CODE_IN_SUBJ']);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describeWithPeer(debianSpamAssassin, 'capture rules against spamassassin -t', () => {
  it.each(CASES)('$title: as SpamAssassin', ({ text, fires }) => {
    expect(spamAssassinFired(text, CF, /^CAP_/)).toEqual(fires);
  });

  let debian: LoadedRules;
  beforeAll(async () => {
    debian = await loadSpamAssassinRules((await findDebianRuleDirectory())!);
  });

  it("runs GB_CUSTOM_HTM_URI, Debian's capture rule, as SpamAssassin does", () => {
    const texts = [
      mail(
        'bob@example.com',
        'hello',
        link('http://www.example.net/unsubscribe/?email=bob@example.com'),
      ),
      mail('bob@example.com', 'hello', link('http://www.example.net/page.html#bob@example.com')),
      mail(
        'bob@example.com',
        'hello',
        link('http://www.example.net/unsubscribe/?email=eve@example.com'),
      ),
    ];
    const ours = texts.map((text) => {
      const { bytes, summary } = message(text);
      return debian.rules
        .evaluate(new SaMessageView(bytes, summary, { mailFrom: null }), 2)
        .some(({ name }) => name === 'GB_CUSTOM_HTM_URI');
    });
    const theirs = texts.map(
      (text) => spamAssassinFired(text, '', /^GB_CUSTOM_HTM_URI$/).length > 0,
    );
    expect(ours).toEqual(theirs);
    expect(ours).toEqual([true, true, false]);
  });
});
