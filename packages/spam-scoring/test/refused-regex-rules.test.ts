// Issue 15: Debian's rules once refused for their regex (a backreference, a lookaround, a count
// over RE2's limit), now run, on small messages whose answers are SpamAssassin 4.0.1's own:
// `spamassassin -t -L --cf='use_bayes 0'` with, for each rule, `meta ZZQ<rule> <rule>` scored
// 0.01 so that sub-rules show in its report (the answers below are what it printed). The rule
// set here is Debian's with the same metas added, rated in the same score set (0).
import { existsSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { SaMessageView, SaRuleSet, parseCfFile } from '../src/index.js';
import {
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
} from '../src/node/load-spamassassin-rules.js';

const debianRules = {
  name: "Debian's SpamAssassin rules",
  available: existsSync('/usr/share/spamassassin/72_active.cf'),
  install: 'apt-get install spamassassin',
};

const FILLER = `X-Filler: ${'z'.repeat(60)}\n`;

function headers(options: { subject?: string; to?: string; extra?: string } = {}): string {
  const { subject = 'hello there', to = 'bob@example.net', extra = '' } = options;
  return (
    `From: Alice <alice@example.com>\nTo: ${to}\nSubject: ${subject}\n` +
    `Message-Id: <m1@example.com>\nDate: Sun, 06 Dec 2026 10:00:00 +0000\n${extra}`
  );
}

/** An Outlook-looking multipart whose boundary may repeat the Message-Id's hex. */
function ratware(messageId: string, boundaryId: string, fill = 2, boundaryFirst = false): string {
  const contentType =
    'MIME-Version: 1.0\nContent-Type: multipart/alternative;\n' +
    `\tboundary="----=_NextPart_000_abcd_${boundaryId}"\n`;
  const id = `Message-Id: <${messageId}>\nDate: Sun, 06 Dec 2026 10:00:00 +0000\n`;
  const top = 'From: Alice <alice@example.com>\nTo: bob@example.net\nSubject: hello there\n';
  const head = boundaryFirst
    ? top + contentType + FILLER.repeat(fill) + id
    : top + id + FILLER.repeat(fill) + contentType;
  const delimiter = `------=_NextPart_000_abcd_${boundaryId}`;
  return `${head}\n${delimiter}\nContent-Type: text/plain\n\nhello\n\n${delimiter}--\n`;
}

const html = (body: string) =>
  `${headers({ extra: 'MIME-Version: 1.0\nContent-Type: text/html\n' })}\n${body}\n`;
const gibberish = (words: number) =>
  html(
    `<html><body><!--${Array.from({ length: words }, (_, i) => ` w${i}x`).join('')} --><p>hi</p></body></html>`,
  );
const recipients = (n: number) =>
  Array.from({ length: n }, (_, i) => `u${i}@example.net`).join(', ');

interface Fixture {
  readonly name: string;
  readonly message: string;
  /** The rules looked at. */
  readonly rules: readonly string[];
  /** Those of them SpamAssassin fired (its answer). */
  readonly fired: readonly string[];
}

/** A Received header as Postfix writes it, from `helo` at `ip`, by `by`. */
const received = (helo: string, ip: string, by: string) =>
  `Received: from ${helo} (unknown [${ip}])\n\tby ${by} (Postfix) with ESMTP id 1A2B3C\n` +
  `\tfor <bob@example.com>; Sat, 5 Dec 2026 10:00:00 +0000\n`;
const relayed = (...hops: string[]) =>
  `${hops.join('')}From: eve@shop.example\nTo: bob@example.com\nSubject: hi\n` +
  'Message-Id: <r1@shop.example>\nDate: Sat, 5 Dec 2026 10:00:00 +0000\n\nbody\n';
const RELAY_RULES = ['DOS_RCVD_IP_TWICE_C', '__FORGED_RELAY_MUA_TO_MX'];

/** A plain message after an X-Mailer line (so that `\nFrom:` finds the From line in ALL). */
const addressed = (from: string, to: string, subject: string) =>
  `X-Mailer: Mailer 1.0\nFrom: ${from}\nTo: ${to}\nSubject: ${subject}\n` +
  'Message-Id: <s1@shop.example>\nDate: Sat, 5 Dec 2026 10:00:00 +0000\n\nbody\n';
/** The same, the Subject line before the From and To lines. */
const subjectFirst = (from: string, to: string, subject: string) =>
  `X-Mailer: Mailer 1.0\nSubject: ${subject}\nFrom: ${from}\nTo: ${to}\n` +
  'Message-Id: <s1@shop.example>\nDate: Sat, 5 Dec 2026 10:00:00 +0000\n\nbody\n';
const SUBJECT_RULES = [
  '__SUBJ_HAS_TO_1',
  '__SUBJ_HAS_TO_3',
  'TO_IN_SUBJ',
  '__SUBJ_HAS_FROM_1',
  '__TO_IN_SUBJ',
  'FROM_IN_TO_AND_SUBJ',
];

/** Header lines as given, then a Message-Id, a Date and a body. */
const lines = (...given: string[]) =>
  `${given.join('\n')}\nMessage-Id: <p1@x.example>\nDate: Sat, 5 Dec 2026 10:00:00 +0000\n\nbody\n`;
const FROM_NAME_RULES = ['__PDS_TO_EQ_FROM_NAME_1', 'T_PDS_TO_EQ_FROM_NAME'];
const PDS_RULES = [
  '__PDS_TO_BRAND_SUBJECT',
  'PDS_BRAND_SUBJ_NAKED_TO',
  '__PDS_FROM_NAME_TO_DOMAIN',
  'PDS_FROM_NAME_TO_DOMAIN',
];

/** A plain message from `from`, with `body`. */
const fromWith = (from: string, body = 'body\n') =>
  `From: ${from}\nTo: bob@example.net\nSubject: hi\nMessage-Id: <z1@x.example>\n` +
  `Date: Sat, 5 Dec 2026 10:00:00 +0000\n\n${body}`;
const ZERO_TZ_RULES = ['__0_TZ_1', '__0_TZ_2', '__0_TZ_3', '__0_TZ_5'];
const LONG_REPEAT_RULES = ['__URI_LONG_REPEAT', 'URI_LONG_REPEAT'];

const NO_WWW_RULES = ['URI_NO_WWW_INFO_CGI', 'URI_NO_WWW_BIZ_CGI'];

const RATWARE_RULES = ['KB_RATWARE_OUTLOOK_MID', '__RATWARE_BOUND_A', '__RATWARE_BOUND_B'];
const MID = 'abcd01234567$89abcdef$01234567@host';

const FIXTURES: Fixture[] = [
  {
    name: 'a redirect to the same domain',
    message: fromWith(
      'eve@x.example',
      'see https://a.example.com/r?u=https://b.example.com/x now\n',
    ),
    rules: ['__URI_DBL_DOM'],
    fired: ['__URI_DBL_DOM'],
  },
  {
    name: 'a redirect to another domain',
    message: fromWith(
      'eve@x.example',
      'see https://a.example.com/r?u=https://b.example.org/x now\n',
    ),
    rules: ['__URI_DBL_DOM'],
    fired: [],
  },
  {
    name: 'a CGI link in .info, not under www',
    message: fromWith('eve@x.example', 'see http://mail.example12.info/cgi/run?id=12345678 now\n'),
    rules: NO_WWW_RULES,
    fired: ['URI_NO_WWW_INFO_CGI'],
  },
  {
    name: 'a CGI link in .info under www',
    message: fromWith('eve@x.example', 'see http://www.example12.info/cgi/run?id=12345678 now\n'),
    rules: NO_WWW_RULES,
    fired: [],
  },
  {
    name: 'a From name whose words make the local part',
    message: fromWith('"John Smith" <johnsmithab@x.example>'),
    rules: ZERO_TZ_RULES,
    fired: ['__0_TZ_1'],
  },
  {
    name: 'a From name with an initial whose words make the local part',
    message: fromWith('"John Q. Smith" <john.q.smith_ab@x.example>'),
    rules: ZERO_TZ_RULES,
    fired: ['__0_TZ_5'],
  },
  {
    name: 'a From name whose words do not make the local part',
    message: fromWith('"John Smith" <jsmithabc@x.example>'),
    rules: ZERO_TZ_RULES,
    fired: [],
  },
  {
    name: 'a link whose host repeats a long label',
    message: fromWith('eve@x.example', 'see http://www.example1.example1.com/x now\n'),
    rules: LONG_REPEAT_RULES,
    fired: ['URI_LONG_REPEAT', '__URI_LONG_REPEAT'],
  },
  {
    name: 'a link whose host has two long labels',
    message: fromWith('eve@x.example', 'see http://www.example1.example2.com/x now\n'),
    rules: LONG_REPEAT_RULES,
    fired: [],
  },
  {
    name: "the To domain's first label opens the Subject, To a bare address",
    message: lines(
      'From: Service <service@x.example>',
      'To: bob@paypal.com',
      'Subject: PayPal notice',
    ),
    rules: PDS_RULES,
    fired: ['PDS_BRAND_SUBJ_NAKED_TO', '__PDS_TO_BRAND_SUBJECT'],
  },
  {
    name: "the To domain's first label opens a longer word of the Subject",
    message: lines(
      'From: Service <service@x.example>',
      'To: bob@paypal.com',
      'Subject: PayPals notice',
    ),
    rules: PDS_RULES,
    fired: [],
  },
  {
    name: 'the From name is the To domain',
    message: lines(
      'X-Mailer: M',
      'From: "shop.example" <eve@x.example>',
      'To: bob@shop.example',
      'Subject: hi',
    ),
    rules: PDS_RULES,
    fired: ['PDS_FROM_NAME_TO_DOMAIN', '__PDS_FROM_NAME_TO_DOMAIN'],
  },
  {
    name: 'the From name is another domain',
    message: lines(
      'X-Mailer: M',
      'From: "shop.example" <eve@x.example>',
      'To: bob@other.example',
      'Subject: hi',
    ),
    rules: PDS_RULES,
    fired: [],
  },
  {
    name: 'the To address as the display name of the From after it',
    message: lines(
      'X-Mailer: M',
      'To: bob@example.net',
      'Subject: hi',
      'From: "bob@example.net" <eve@shop.example>',
    ),
    rules: FROM_NAME_RULES,
    fired: ['__PDS_TO_EQ_FROM_NAME_1', 'T_PDS_TO_EQ_FROM_NAME'],
  },
  {
    name: 'the To address as the display name of the From after it, and its address',
    message: lines(
      'X-Mailer: M',
      'To: bob@example.net',
      'Subject: hi',
      'From: "bob@example.net" <bob@example.net>',
    ),
    rules: FROM_NAME_RULES,
    fired: [],
  },
  {
    name: 'the To address in the Subject',
    message: addressed('Eve <eve@shop.example>', 'Bob <bob@example.net>', 'bob@example.net, hi'),
    rules: SUBJECT_RULES,
    fired: ['__SUBJ_HAS_TO_1', '__TO_IN_SUBJ', 'TO_IN_SUBJ'],
  },
  {
    name: 'the To address in the Subject, a letter after it',
    message: addressed('Eve <eve@shop.example>', 'Bob <bob@example.net>', 'bob@example.network'),
    rules: SUBJECT_RULES,
    fired: [],
  },
  {
    name: 'an address in the Subject, then in the To line',
    message: subjectFirst(
      'Eve <eve@shop.example>',
      'Robert <robert@example.net>',
      'robert@example.net, your account',
    ),
    rules: SUBJECT_RULES,
    fired: ['__SUBJ_HAS_TO_3', '__TO_IN_SUBJ', 'TO_IN_SUBJ'],
  },
  {
    name: 'an address in the Subject, then in the To line, nothing after it in the Subject',
    message: subjectFirst(
      'Eve <eve@shop.example>',
      'Robert <robert@example.net>',
      'your account robert@example.net',
    ),
    rules: SUBJECT_RULES,
    fired: [],
  },
  {
    name: 'a longer address in the Subject that begins with the To address',
    message: subjectFirst(
      'Eve <eve@shop.example>',
      'Robert <robert@example.net>',
      'robert@example.network news',
    ),
    rules: SUBJECT_RULES,
    fired: ['__SUBJ_HAS_TO_3', '__TO_IN_SUBJ', 'TO_IN_SUBJ'],
  },
  {
    name: 'From and To the same, and in the Subject',
    message: addressed('eve@shop.example', 'eve@shop.example', 'Note from eve@shop.example: hi'),
    rules: SUBJECT_RULES,
    fired: [
      'FROM_IN_TO_AND_SUBJ',
      '__SUBJ_HAS_FROM_1',
      '__SUBJ_HAS_TO_1',
      '__TO_IN_SUBJ',
      'TO_IN_SUBJ',
    ],
  },
  {
    name: 'From and To the same, in the Subject 102 octets in',
    message: addressed(
      'eve@shop.example',
      'eve@shop.example',
      `${'x'.repeat(101)} eve@shop.example: hi`,
    ),
    rules: SUBJECT_RULES,
    fired: [],
  },
  {
    name: 'the same address twice, the last HELO its IP literal',
    message: relayed(
      received('[203.0.113.77]', '203.0.113.77', 'mx.example.com'),
      received('pc.example.net', '203.0.113.77', 'relay.example.org'),
    ),
    rules: RELAY_RULES,
    fired: ['DOS_RCVD_IP_TWICE_C'],
  },
  {
    name: 'two addresses, the last HELO an IP literal',
    message: relayed(
      received('[203.0.113.77]', '203.0.113.77', 'mx.example.com'),
      received('pc.example.net', '203.0.113.78', 'relay.example.org'),
    ),
    rules: RELAY_RULES,
    fired: [],
  },
  {
    name: 'the same address twice, then a third relay',
    message: relayed(
      received('[203.0.113.77]', '203.0.113.77', 'mx.example.com'),
      received('pc.example.net', '203.0.113.77', 'relay.example.org'),
      received('pc2.example.net', '198.51.100.1', 'pc.example.net'),
    ),
    rules: RELAY_RULES,
    fired: [],
  },
  {
    name: 'the same address twice, the first HELO its IP literal (a MUA straight to the MX)',
    message: relayed(
      received('relay.example.org', '203.0.113.77', 'mx.example.com'),
      received('[203.0.113.77]', '203.0.113.77', 'relay.example.org'),
    ),
    rules: RELAY_RULES,
    fired: ['__FORGED_RELAY_MUA_TO_MX'],
  },
  {
    name: 'two addresses, the first HELO an IP literal',
    message: relayed(
      received('relay.example.org', '203.0.113.78', 'mx.example.com'),
      received('[203.0.113.77]', '203.0.113.77', 'relay.example.org'),
    ),
    rules: RELAY_RULES,
    fired: [],
  },
  {
    name: 'Outlook ratware: the boundary repeats both hex parts of the Message-Id',
    message: ratware(MID, '01234567.89abcdef'),
    rules: RATWARE_RULES,
    fired: ['KB_RATWARE_OUTLOOK_MID', '__RATWARE_BOUND_A'],
  },
  {
    name: 'Outlook ratware, upper-case hex in the Message-Id (/i)',
    message: ratware(MID.toUpperCase().replace('@HOST', '@host'), '01234567.89abcdef'),
    rules: RATWARE_RULES,
    fired: ['KB_RATWARE_OUTLOOK_MID', '__RATWARE_BOUND_A'],
  },
  {
    name: 'Outlook ratware: only the first hex part repeated',
    message: ratware(MID, '01234567.89abcdee'),
    rules: RATWARE_RULES,
    fired: ['__RATWARE_BOUND_A'],
  },
  {
    name: 'Outlook ratware: the boundary more than 400 characters on',
    message: ratware(MID, '01234567.89abcdef', 8),
    rules: RATWARE_RULES,
    fired: [],
  },
  {
    name: 'Outlook ratware: the boundary before the Message-Id',
    message: ratware('abcd01234567$89abcdef$@host', '01234567.89abcdef', 1, true),
    rules: RATWARE_RULES,
    fired: ['__RATWARE_BOUND_B'],
  },
  {
    name: 'a GUID whose third group repeats',
    message: `${headers()}\n0123abcd-89ab-cde-cde-0123456789ab\nAB12CD34-89AB-F0F-F0F-ABCDEF012345\n`,
    rules: ['SCC_SPECIAL_GUID'],
    fired: ['SCC_SPECIAL_GUID'],
  },
  {
    name: 'a GUID whose third group does not repeat',
    message: `${headers()}\n0123abcd-89ab-cde-cdf-0123456789ab\n`,
    rules: ['SCC_SPECIAL_GUID'],
    fired: [],
  },
  {
    name: 'a gappy Subject',
    message: `${headers({ subject: 'v-i-a-g-r-a for you' })}\nhi\n`,
    rules: ['__GAPPY_SUBJECT', 'GAPPY_SUBJECT'],
    fired: ['GAPPY_SUBJECT', '__GAPPY_SUBJECT'],
  },
  {
    name: 'a gappy Subject with doubled gaps',
    message: `${headers({ subject: 'C..h..e..a..p meds' })}\nhi\n`,
    rules: ['__GAPPY_SUBJECT', 'GAPPY_SUBJECT'],
    fired: ['GAPPY_SUBJECT', '__GAPPY_SUBJECT'],
  },
  {
    name: 'To with 31 addresses',
    message: `${headers({ to: recipients(31) })}\nhi\n`,
    rules: ['__TO_TOO_MANY', '__TO_WAY_TOO_MANY'],
    fired: ['__TO_TOO_MANY'],
  },
  {
    name: 'To with 30 addresses',
    message: `${headers({ to: recipients(30) })}\nhi\n`,
    rules: ['__TO_TOO_MANY', '__TO_WAY_TOO_MANY'],
    fired: [],
  },
  {
    name: 'an HTML comment of 100 words and its closing dashes',
    message: gibberish(100),
    rules: ['__COMMENT_GIBBERISH'],
    fired: ['__COMMENT_GIBBERISH'],
  },
  {
    name: 'an HTML comment of 99 words (the closing -- is the hundredth)',
    message: gibberish(99),
    rules: ['__COMMENT_GIBBERISH'],
    fired: ['__COMMENT_GIBBERISH'],
  },
  {
    name: 'an HTML comment of 98 words',
    message: gibberish(98),
    rules: ['__COMMENT_GIBBERISH'],
    fired: [],
  },
];

describeWithPeer(
  debianRules,
  'rules once refused for their regex, as SpamAssassin fires them',
  () => {
    let rules: SaRuleSet;
    beforeAll(async () => {
      const { config } = await loadSpamAssassinConfig((await findDebianRuleDirectory())!);
      const watched = new Set(FIXTURES.flatMap((fixture) => fixture.rules));
      parseCfFile(
        config,
        'zz-watch.cf',
        [...watched].map((name) => `meta ZZQ${name} ${name}\nscore ZZQ${name} 0.01`).join('\n'),
      );
      rules = SaRuleSet.compile(config);
    });

    it('runs every rule once refused for its regex, and the metas that read them under !', () => {
      const refused = new Set(rules.unsupported.map((rule) => rule.name));
      // feat/spam-regex-rest: matched by hand, each in its own file and test.
      for (const name of [
        '__FROM_EQ_ORG_1',
        '__PDS_FROM_2_EMAILS',
        'RCVD_FORGED_WROTE2',
        '__SPOOFED_URL',
        '__PDS_TONAME_EQ_TOLOCAL',
        '__TO_EQ_FROM_USR_NN_1',
        '__TO_EQ_FROM_USR_NN_2',
        '__FROM_NAME_IN_MSG',
        'JH_SPAMMY_PATTERN01',
        'JH_SPAMMY_PATTERN02',
        '__PDS_TO_EQ_FROM_NAME_2',
        '__SUBJ_HAS_TO_2',
        '__SUBJ_HAS_TO_3',
        '__PDS_TO_EQ_FROM_NAME_1',
        'HAS_X_OUTGOING_SPAM_STAT',
        'T_FILL_THIS_FORM_FRAUD_PHISH',
      ])
        expect(refused.has(name), name).toBe(false);
      // None is left refused for its regex.
      expect(rules.unsupported.filter((rule) => rule.reason.startsWith('regex:'))).toEqual([]);
    });

    it('runs them all', () => {
      const refused = new Set(rules.unsupported.map((rule) => rule.name));
      for (const name of new Set(FIXTURES.flatMap((fixture) => fixture.rules)))
        expect(refused.has(name), name).toBe(false);
    });

    for (const fixture of FIXTURES)
      it(fixture.name, () => {
        const bytes = new TextEncoder().encode(fixture.message);
        const fired = rules
          .evaluate(new SaMessageView(bytes, summarize(bytes), { mailFrom: null }), 0)
          .filter((hit) => hit.name.startsWith('ZZQ'))
          .map((hit) => hit.name.slice(3))
          .filter((name) => fixture.rules.includes(name))
          .sort();
        expect(fired).toEqual([...fixture.fired].sort());
      });
  },
);
