import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaMessageView, SaRuleSet } from '../src/index.js';
import { parseEvalCall } from '../src/spamassassin/eval-tests.js';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = [
  'header MISSING_HEADERS eval:check_for_missing_to_header()',
  'header SUBJ_ALL_CAPS eval:subject_is_all_caps()',
  'rawbody MIME_QP_LONG_LINE eval:check_for_mime("mime_qp_long_line")',
  "rawbody __MIME_QP eval:check_for_mime('mime_qp_count')",
  'rawbody MIME_HTML_ONLY eval:check_for_mime_html_only()',
  "body HTML_MESSAGE eval:html_test('html')",
  'header NOT_WRITTEN eval:pdf_is_encrypted()',
  "rawbody NOT_UNDERSTOOD eval:check_for_mime('mime_something_new')",
  'meta QP_AND_CAPS __MIME_QP && SUBJ_ALL_CAPS',
].join('\n');

const fired = ruleFirer(RULES, { subrules: true, sorted: false });
const { rules } = fired;

describe('eval: tests written again', () => {
  it('runs the ones it knows and reports the others', () => {
    expect(rules.unsupported.map((rule) => [rule.name, rule.reason])).toEqual([
      ['NOT_WRITTEN', 'eval:pdf_is_encrypted'],
      ['NOT_UNDERSTOOD', 'eval:check_for_mime'],
    ]);
    expect(parseEvalCall('eval:check_for_shifted_date(\'-6\', "-3", undef)')).toEqual({
      name: 'check_for_shifted_date',
      args: ['-6', '-3', 'undef'],
    });
  });

  it('check_for_missing_to_header and subject_is_all_caps', () => {
    expect(fired('Subject: hello there\r\n\r\nx\r\n')).toEqual(['MISSING_HEADERS']);
    // An empty To is a To (spam-1/00016, 00163, 00349, 00447: spamd does not fire it there).
    expect(fired('To: \r\nSubject: hello there\r\n\r\nx\r\n')).toEqual([]);
    expect(fired('To:\r\nSubject: hello there\r\n\r\nx\r\n')).toEqual([]);
    expect(fired('Apparently-To: \r\nSubject: hello there\r\n\r\nx\r\n')).toEqual([]);
    expect(fired('To: a@b.c\r\nSubject: URGENT BUSINESS PROPOSAL\r\n\r\nx\r\n')).toEqual([
      'SUBJ_ALL_CAPS',
    ]);
    expect(fired('To: a@b.c\r\nSubject: Re: URGENT\r\n\r\nx\r\n')).toEqual([]);
    expect(fired('To: a@b.c\r\nSubject: =?koi8-r?b?8NLJ18XU?= ABCDEF GHIJ\r\n\r\nx\r\n')).toEqual(
      [],
    );
  });

  it('check_for_mime, check_for_mime_html_only and html_test over the MIME parts, with metas on them', () => {
    // `=41` (an `A` escaped for no need) makes it __MIME_QP (test/mime-qp-count.test.ts).
    const qp = `To: a@b.c\r\nSubject: ALL CAPS SUBJECT\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=41${'x'.repeat(76)}\r\n`;
    expect(fired(qp).sort()).toEqual([
      'HTML_MESSAGE',
      'MIME_HTML_ONLY',
      'MIME_QP_LONG_LINE',
      'QP_AND_CAPS',
      'SUBJ_ALL_CAPS',
    ]);
    const short = qp.replace('x'.repeat(76), 'x'.repeat(75));
    expect(fired(short)).not.toContain('MIME_QP_LONG_LINE');
  });
});

describe('network tests, run without the network', () => {
  it('never fire, and metas read them as 0 exactly, as SpamAssassin -L does', () => {
    const netConfig = emptySaConfig();
    parseCfFile(
      netConfig,
      'net.cf',
      [
        "header RCVD_IN_LIST eval:check_rbl('list', 'zen.example.')",
        'tflags RCVD_IN_LIST net',
        'body __PILLS /pills/',
        'meta PILLS_NOT_LISTED __PILLS && !RCVD_IN_LIST',
        'meta PILLS_FLAGGED_NET __PILLS',
        'tflags PILLS_FLAGGED_NET net',
      ].join('\n'),
    );
    const netRules = SaRuleSet.compile(netConfig);
    expect(netRules.unsupported.map((rule) => [rule.name, rule.reason])).toEqual([
      ['RCVD_IN_LIST', 'network test'],
    ]);
    const bytes = new TextEncoder().encode('Subject: x\r\n\r\ncheap pills\r\n');
    const view = new SaMessageView(bytes, summarize(bytes));
    expect(netRules.evaluate(view, 0).map((hit) => hit.name)).toEqual([
      'PILLS_NOT_LISTED',
      'PILLS_FLAGGED_NET',
    ]);
  });
});

describe("the evals metas read under '!': sender match and VBounce's relays", () => {
  const SENDER_RULES = [
    'header __ENV_AND_HDR_FROM_MATCH eval:check_for_matching_env_and_hdr_from()',
    'body __MY_SERVERS_FOUND eval:check_welcomelist_bounce_relays()',
    'body __HAVE_BOUNCE_RELAYS eval:have_any_bounce_relays()',
    'meta ENV_MATCH __ENV_AND_HDR_FROM_MATCH',
    // As 72_active.cf's metas read them: only under `!`, so they run only if both are exact.
    'meta NOT_SENDER_NOT_BOUNCE !__ENV_AND_HDR_FROM_MATCH && !__MY_SERVERS_FOUND && !__HAVE_BOUNCE_RELAYS',
  ].join('\n');
  const compile = (extra: string) => {
    const senderConfig = emptySaConfig();
    parseCfFile(senderConfig, 'sender.cf', `${SENDER_RULES}\n${extra}`);
    return SaRuleSet.compile(senderConfig);
  };
  const firedBy = (ruleSet: SaRuleSet, text: string) => {
    const bytes = new TextEncoder().encode(text);
    return ruleSet.evaluate(new SaMessageView(bytes, summarize(bytes)), 0).map((hit) => hit.name);
  };

  it('matches the envelope sender with the From address, in any case', () => {
    const ruleSet = compile('');
    expect(ruleSet.unsupported).toEqual([]);
    expect(
      firedBy(
        ruleSet,
        'Return-Path: <Ann@Example.com>\r\nFrom: Ann <ann@example.COM>\r\n\r\nx\r\n',
      ),
    ).toEqual(['ENV_MATCH']);
    expect(
      firedBy(ruleSet, 'Return-Path: <bounces@list.example>\r\nFrom: ann@example.com\r\n\r\nx\r\n'),
    ).toEqual(['NOT_SENDER_NOT_BOUNCE']);
  });

  it('does not run the bounce-relay evals when the configuration names relays', () => {
    const ruleSet = compile('welcomelist_bounce_relays mail.example.net');
    expect(ruleSet.unsupported.map((rule) => rule.name).sort()).toEqual([
      'NOT_SENDER_NOT_BOUNCE',
      '__HAVE_BOUNCE_RELAYS',
      '__MY_SERVERS_FOUND',
    ]);
  });
});

describeWithPeer(debianSpamAssassin, 'check_for_missing_to_header against spamassassin', () => {
  const head = 'From: a@b.example\nSubject: hello there\nMessage-ID: <m@b.example>\n';
  const headers = ['', 'To: \n', 'To:\n', 'To:   \n', 'To: c@d.example\n', 'Apparently-To: \n'];
  const mails = headers.map((to) => `${head}${to}Date: Sun, 6 Dec 2026 08:00:00 +0000\n\nhello\n`);
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(mails, '', /^MISSING_HEADERS$/);
  });

  for (const [index, to] of headers.entries())
    it(`fires as spamassassin -L -t fires on the To and Apparently-To headers: ${JSON.stringify(to)}`, () => {
      expect(fired(mails[index]!).filter((name) => name === 'MISSING_HEADERS')).toEqual(
        theirs[index],
      );
    });
});

describeWithPeer(debianSpamAssassin, "html_test('html') against spamassassin", () => {
  // HTML.pm parses a text/html part only when its text is not empty (Python's email test
  // messages msg_08 and msg_12 have empty ones): no HTML_MESSAGE for those.
  const part = (type: string, body: string) => `--B\nContent-Type: ${type}\n\n${body}`;
  const mail = (...parts: string[]) =>
    `From: a@b.example\nTo: c@d.example\nSubject: parts\nMIME-Version: 1.0\n` +
    `Content-Type: multipart/mixed; boundary="B"\n\n${parts.join('\n')}\n--B--\n`;
  const mails = [
    mail(part('text/plain', 'words'), part('text/html', '')),
    mail(part('text/plain', 'words'), part('text/html', '\n')),
    mail(part('text/html', ''), part('text/html', '<b>x</b>')),
    mail(part('text/html', ' ')),
  ];
  it('fires as spamassassin -L -t fires on empty and blank HTML parts', () => {
    const theirs = spamAssassinFiredEach(mails, '', /^HTML_MESSAGE$/);
    expect(theirs.map((names) => names.length > 0)).toEqual([false, true, true, true]);
    for (const [index, text] of mails.entries())
      expect(fired(text).filter((name) => name === 'HTML_MESSAGE')).toEqual(theirs[index]);
  });
});
