import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  emptySaConfig,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
  parseCfFile,
  SaMessageView,
  SaRuleSet,
} from '../src/index.js';
import { debianSpamAssassin, spamAssassinFiredEach } from './helpers.js';

const RULES = [
  'freemail_domains hotmail.com yahoo.* mail?.example',
  'header FREEMAIL_FROM eval:check_freemail_from()',
  "header FREEMAIL_ENVFROM_END_DIGIT eval:check_freemail_header('EnvelopeFrom', '\\d@')",
  "header FREEMAIL_REPLYTO_HDR eval:check_freemail_header('Reply-To')",
  'full __DKIM_DEPENDABLE eval:check_dkim_dependable()',
  'meta DEPENDABLE __DKIM_DEPENDABLE',
].join('\n');
const config = emptySaConfig();
parseCfFile(config, 'freemail.cf', RULES);
const rules = SaRuleSet.compile(config);
const fired = (headers: string[], mailFrom: string | null = null) => {
  const bytes = new TextEncoder().encode(`${headers.join('\r\n')}\r\n\r\nbody\r\n`);
  return rules
    .evaluate(new SaMessageView(bytes, summarize(bytes), { mailFrom }), 0)
    .map((hit) => hit.name)
    .filter((name) => name !== 'DEPENDABLE')
    .sort();
};

describe('the FreeMail checks', () => {
  it('reads freemail_domains, wildcards included', () => {
    expect([...config.freemailDomains]).toEqual(['hotmail.com', 'yahoo.*', 'mail?.example']);
    expect(fired(['From: Eve <eve@hotmail.com>'])).toEqual(['FREEMAIL_FROM']);
    expect(fired(['From: eve@yahoo.co.uk'])).toEqual([]);
    expect(fired(['From: eve@YAHOO.fr'])).toEqual(['FREEMAIL_FROM']);
    expect(fired(['From: eve@mail1.example'])).toEqual(['FREEMAIL_FROM']);
    expect(fired(['From: eve@example.com'])).toEqual([]);
  });

  it('checks any header, with a pattern on the address', () => {
    expect(fired(['From: a@example.com', 'Reply-To: x <eve@hotmail.com>'])).toEqual([
      'FREEMAIL_REPLYTO_HDR',
    ]);
    // The envelope sender is a sender too (all_from_addrs): a forged From hides no free mail.
    expect(fired(['From: a@example.com'], 'eve77@hotmail.com')).toEqual([
      'FREEMAIL_ENVFROM_END_DIGIT',
      'FREEMAIL_FROM',
    ]);
    expect(fired(['From: a@example.com'], 'eve@hotmail.com')).toEqual(['FREEMAIL_FROM']);
    expect(fired(['From: a@example.com'], 'eve@example.org')).toEqual([]);
  });

  it('takes DKIM signatures as dependable only once the engine verified them (DKIM.pm, -L: never)', () => {
    const bytes = new TextEncoder().encode('Subject: x\r\n\r\nbody\r\n');
    const names = (dkimVerified: boolean) =>
      rules
        .evaluate(new SaMessageView(bytes, summarize(bytes), { mailFrom: null, dkimVerified }), 0)
        .map((h) => h.name);
    expect(names(false)).toEqual([]);
    expect(names(true)).toEqual(['DEPENDABLE']);
  });
});

// Forged senders over Debian's whole rule set, against spamassassin with the same files: the
// free-mail evals read every sender (all_from_addrs) and every From and Reply-To address.
// Found by mutating training messages (spam-1/00381, 00402, 00432: a From replaced, the
// free-mail Return-Path kept).
describeWithPeer(debianSpamAssassin, "the FreeMail rules against spamassassin's", () => {
  const NAMES = /^(?:FREEMAIL_|SPOOFED_FREEMAIL)/;
  const mail = (headers: string[]) =>
    `Return-Path: <eve2002@hotmail.com>\r\n${headers.join('\r\n')}\r\nTo: bob@example.org\r\n` +
    'Subject: an offer\r\nDate: Sun, 06 Dec 2026 10:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\n\r\nhello there\r\n';
  const MAILS = [
    mail(['From: "support@paypal.com" <evil@spam.example>']),
    mail(['From: "support@paypal.com" <evil@spam.example>', 'Reply-To: stepshow@hotmail.com']),
    mail(['From: <>']),
    mail(['From: MAILER-DAEMON']),
    mail(['From: a@b.example, c@yahoo.com', 'Reply-To: d@hotmail.com, a@b.example']),
    mail(['From: eve2002@hotmail.com', 'Reply-To: other@yahoo.com']),
  ];
  let debian: SaRuleSet;
  beforeAll(async () => {
    const directory = await findDebianRuleDirectory();
    debian = (await loadSpamAssassinRules(directory!)).rules;
  }, 120_000);
  it('fire as spamassassin fires them', () => {
    const theirs = spamAssassinFiredEach(MAILS, '', NAMES);
    expect(theirs.some((names) => names.length > 0)).toBe(true);
    for (const [index, text] of MAILS.entries()) {
      const bytes = new TextEncoder().encode(text);
      const ours = debian
        .evaluate(new SaMessageView(bytes, summarize(bytes)), 0)
        .map((hit) => hit.name)
        .filter((name) => NAMES.test(name))
        .sort();
      expect([index, ours]).toEqual([index, theirs[index]]);
    }
  }, 180_000);
});
