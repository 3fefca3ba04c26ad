// WLBLEval's URI host lists of local.cf: `blocklist_uri_host` and `welcomelist_uri_host` (and the
// old `blacklist_`/`whitelist_` names) fill the BLOCK and WELCOME lists that Debian's
// URI_HOST_IN_BLOCKLIST (+100) and URI_HOST_IN_WELCOMELIST (-100) read.
import { summarize } from '@mailyard/mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaRuleSet } from '../src/index.js';
import {
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
} from '../src/node/load-spamassassin-rules.js';
import { SaMessageView } from '../src/spamassassin/message-view.js';
import { debianSpamAssassin, spamAssassinFiredEach } from './helpers.js';

const LOCAL_CF = [
  'blocklist_uri_host example.net !good.example.net',
  'blacklist_uri_host old-name.com',
  'welcomelist_uri_host example.org',
].join('\n');

const mail = (href: string) =>
  [
    'From: a@example.com',
    'To: b@example.com',
    'Subject: hello',
    'Date: Thu, 1 Aug 2002 10:00:00 +0000',
    'Message-ID: <1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=us-ascii',
    '',
    `<html><body><p>Read <a href="${href}">this</a>.</p></body></html>`,
    '',
  ].join('\r\n');

const CASES: [string, string, string[]][] = [
  ['a listed domain', mail('http://www.example.net/offer'), ['URI_HOST_IN_BLOCKLIST']],
  ['its host excluded with !', mail('http://good.example.net/'), []],
  ['a welcomed domain', mail('https://example.org/a'), ['URI_HOST_IN_WELCOMELIST']],
  ['the old directive name', mail('http://x.old-name.com/'), ['URI_HOST_IN_BLOCKLIST']],
  ['a domain in no list', mail('http://example.com/'), []],
];
const NAMES = /^URI_HOST_IN_(?:BLOCK|WELCOME)LIST$/;

describe('URI host welcome and block lists', () => {
  let rules: SaRuleSet;
  beforeAll(async () => {
    // Debian's rules where they are installed, else the two rules alone (with their TLDs).
    const directory = await findDebianRuleDirectory();
    const config = directory ? (await loadSpamAssassinConfig(directory)).config : emptySaConfig();
    if (!directory)
      parseCfFile(
        config,
        'rules.cf',
        [
          'util_rb_tld com net org example',
          'body URI_HOST_IN_BLOCKLIST eval:check_uri_host_in_blocklist()',
          'body URI_HOST_IN_WELCOMELIST eval:check_uri_host_in_welcomelist()',
        ].join('\n'),
      );
    parseCfFile(config, 'local.cf', LOCAL_CF);
    rules = SaRuleSet.compile(config);
  }, 120_000);
  const fired = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    return rules
      .evaluate(new SaMessageView(bytes, summarize(bytes)), 0)
      .map(({ name }) => name)
      .filter((name) => NAMES.test(name))
      .sort();
  };

  it.each(CASES)('%s', (_, text, expected) => {
    expect(fired(text)).toEqual(expected);
  });

  it('reads many hosts and many links fast', () => {
    const config = emptySaConfig();
    parseCfFile(
      config,
      'many.cf',
      [
        'util_rb_tld com net',
        'body URI_HOST_IN_BLOCKLIST eval:check_uri_host_in_blocklist()',
        `blocklist_uri_host ${Array.from({ length: 10_000 }, (_, i) => `host${i}.example.net`).join(' ')}`,
      ].join('\n'),
    );
    const many = SaRuleSet.compile(config);
    const links = Array.from(
      { length: 5_000 },
      (_, i) => `<a href="http://h${i}.example.com/">x</a>`,
    );
    const text = mail('http://host9999.example.net/').replace('</p>', `${links.join(' ')}</p>`);
    const bytes = new TextEncoder().encode(text);
    const started = performance.now();
    const names = many
      .evaluate(new SaMessageView(bytes, summarize(bytes)), 0)
      .map((hit) => hit.name);
    expect(names).toContain('URI_HOST_IN_BLOCKLIST');
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it.runIf(debianSpamAssassin.available)(
    'fire as spamassassin fires them with the same local.cf',
    () => {
      const theirs = spamAssassinFiredEach(
        CASES.map(([, text]) => text),
        LOCAL_CF,
        NAMES,
      );
      for (const [index, [name, text]] of CASES.entries())
        expect([name, fired(text)]).toEqual([name, theirs[index]]);
    },
    180_000,
  );
});
