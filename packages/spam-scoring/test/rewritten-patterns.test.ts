// The money patterns (__LOTSA_MONEY_*, under LOTS_OF_MONEY, MONEY_FORM_SHORT and
// ADVANCE_FEE_*_NEW_MONEY) that mix lookaheads and lookbehinds: a lookbehind that starts the
// pattern made consuming, and __LOTSA_MONEY_01's ending lookbehind written out by hand
// (rewritten-patterns.ts). Perl, running the rules' own patterns, is the oracle.
import { existsSync } from 'node:fs';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { perlMatches } from './perl-matches.js';
import { type SaRuleSet, findDebianRuleDirectory, loadSpamAssassinRules } from '../src/index.js';
import type { SaConfig } from '../src/spamassassin/cf-parser.js';
import { readPerlMatch, translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { reverseText } from '../src/spamassassin/regex-reverse.js';
import { replaceTags } from '../src/spamassassin/replace-tags.js';
import { REWRITTEN_PATTERNS } from '../src/spamassassin/rewritten-patterns.js';

/** Our translation of the pattern, as the rule set runs it: whether it matches a text. */
function oursMatches(pattern: string, flags: string): (text: string) => boolean {
  const translated = translatePerlRegex(pattern, flags);
  if (!translated.ok) throw new Error(`${pattern}: ${translated.reason}`);
  if (!translated.reversed) return (text) => translated.regex.test(text);
  return (text) =>
    (translated.relaxed?.test(text) ?? true) && translated.regex.test(reverseText(text));
}

describe('a lookbehind that starts a pattern with lookaheads', () => {
  const PATTERNS: [string, string][] = [
    ['(?<![-\\d])[1-9](?!\\d\\.\\d)[\\d.]{2,4}\\s?(?:usd|eur)\\b', 'i'],
    ['(?:(?<![-\\d])[1-9][\\d.]{0,3}M|million(?!s))\\s?(?:dollars|euros)', 'i'],
    ['(?<!ab)c(?!d)x', ''],
    ['(?:q|(?<=\\$)5(?!0))0', ''],
  ];

  it('is made consuming, so the pattern runs backwards; one elsewhere still refuses it', () => {
    for (const [pattern, flags] of PATTERNS)
      expect(translatePerlRegex(pattern, flags), pattern).toMatchObject({ ok: true });
    expect(translatePerlRegex('(?<!ab)c(?!d)x', '')).toMatchObject({
      ok: true,
      source: 'x(?<!d)c(?:\\z|[^\\x{62}]|b\\z|b[^\\x{61}])',
    });
    // After something (an anchor, a character, a repeated group), it is left alone: refused.
    for (const pattern of ['\\b(?<!a)b(?!c)d', 'x(?<!a)b(?!c)d', '(?:(?<!a)b)+(?!c)d'])
      expect(translatePerlRegex(pattern, ''), pattern).toMatchObject({ ok: false });
  });

  it('agrees with Perl on texts made of the patterns own pieces', () => {
    const pieces = fc.constantFrom(
      ...'-1205.9 xMcdab$q\n'.split(''),
      'usd',
      'EUR',
      'million',
      'millions',
      ' dollars',
      'euros',
      '50',
    );
    const texts = fc.sample(
      fc.array(pieces, { maxLength: 10 }).map((p) => p.join('')),
      { seed: 21, numRuns: 800 },
    );
    const perl = perlMatches(PATTERNS, texts);
    PATTERNS.forEach(([pattern, flags], p) => {
      const matches = oursMatches(pattern, flags);
      const disagreements = texts.filter((text, t) => matches(text) !== perl[p]![t]);
      expect(disagreements, pattern).toEqual([]);
    });
  });
});

const spamassassinRules = {
  name: "Debian's spamassassin rules",
  available: existsSync('/usr/share/spamassassin/72_active.cf') && commandAvailable('perl'),
  install: 'apt-get install spamassassin',
};

describeWithPeer(spamassassinRules, 'the money patterns of the rule files', () => {
  let config: SaConfig;
  let rules: SaRuleSet;
  beforeAll(async () => {
    ({ config, rules } = await loadSpamAssassinRules((await findDebianRuleDirectory())!));
  });
  const MONEY_RULES = [0, 1, 2, 3, 4, 5].map((n) => `__LOTSA_MONEY_0${n}`);

  it('all run (__LOTSA_MONEY_01 through its rewriting)', () => {
    const refused = rules.unsupported.map(({ name }) => name);
    for (const name of [...MONEY_RULES, 'LOTS_OF_MONEY', 'MONEY_FORM_SHORT'])
      expect(refused, name).not.toContain(name);
    expect(REWRITTEN_PATTERNS.has(config.rules.get('__LOTSA_MONEY_01')!.spec)).toBe(true);
  });

  it('match where Perl matches the rules as written', () => {
    const pieces = fc.constantFrom(
      ...'$1205.9,O -\n'.split(''),
      '\xa3',
      '1,000',
      '2.5OO',
      '5,000,000.00',
      'amount of ',
      'USD',
      'US$',
      'EUR ',
      '.00',
      '00',
      '0.0',
      '000',
      'sum of ',
      'Sum Of [',
      ' million',
      ' Millions',
      'M ',
      ' dollars',
      ' pounds',
      'euros',
      ' thousand',
      '192.168.1.1',
      '12.05.2020 ',
      '1234.05.06 ',
    );
    const texts = fc.sample(
      fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')),
      { seed: 15, numRuns: 1500 },
    );
    const originals: [string, string][] = MONEY_RULES.map((name) => {
      const { pattern, flags } = readPerlMatch(config.rules.get(name)!.spec)!;
      return [replaceTags(pattern, config), flags];
    });
    const perl = perlMatches(originals, texts);
    MONEY_RULES.forEach((name, p) => {
      const spec = config.rules.get(name)!.spec;
      const { pattern, flags } = readPerlMatch(REWRITTEN_PATTERNS.get(spec) ?? spec)!;
      const matches = oursMatches(replaceTags(pattern, config), flags);
      const disagreements = texts.filter((text, t) => matches(text) !== perl[p]![t]);
      expect(disagreements, name).toEqual([]);
      // The pieces reach both answers for each pattern (a test that sees only one proves little).
      expect(new Set(perl[p]), name).toEqual(new Set([true, false]));
    });
  });

  it('__FILL_THIS_FORM_PARTIAL_RAW matches where Perl matches it, atomic group and all', () => {
    const name = '__FILL_THIS_FORM_PARTIAL_RAW';
    expect(rules.unsupported.map((rule) => rule.name)).not.toContain(name);
    const pieces = fc.constantFrom(
      ' ',
      ' '.repeat(20),
      ' '.repeat(30),
      '\t',
      '\n',
      '1. ',
      'Your ',
      'Full Name',
      'name',
      'Address',
      ' and ',
      'Phone',
      'Country',
      ':',
      ' ____',
      '______',
      '=20',
      '&nbsp;',
      '</td>',
      'x',
    );
    // Where the atomic group tells: past 50 spaces it gives none back to `\s?name`.
    const edges = [`${' '.repeat(51)}name:`, `${' '.repeat(52)}name:`];
    const texts = [
      ...edges,
      ...fc.sample(
        fc.array(pieces, { maxLength: 8 }).map((p) => p.join('')),
        { seed: 15, numRuns: 2000 },
      ),
    ];
    const spec = config.rules.get(name)!.spec;
    const original = readPerlMatch(spec)!;
    const [perl] = perlMatches([[replaceTags(original.pattern, config), original.flags]], texts);
    const { pattern, flags } = readPerlMatch(REWRITTEN_PATTERNS.get(spec)!)!;
    const matches = oursMatches(replaceTags(pattern, config), flags);
    expect(texts.filter((text, t) => matches(text) !== perl![t])).toEqual([]);
    expect(new Set(perl)).toEqual(new Set([true, false]));
    expect(edges.map(matches)).toEqual([true, false]);
  });
});

describeWithPeer(
  spamassassinRules,
  'the lookaheads of __PCT_FOR_YOU_3 and __LOTTO_AGENT_01',
  () => {
    let config: SaConfig;
    let rules: SaRuleSet;
    beforeAll(async () => {
      ({ config, rules } = await loadSpamAssassinRules((await findDebianRuleDirectory())!));
    });
    const NAMES = ['__PCT_FOR_YOU_3', '__LOTTO_AGENT_01'];

    /** The rule as Perl runs it (tags replaced), and ours as the rule set runs it. */
    function both(name: string): { original: [string, string]; ours: (text: string) => boolean } {
      const spec = config.rules.get(name)!.spec;
      const original = readPerlMatch(spec)!;
      const rewritten = readPerlMatch(REWRITTEN_PATTERNS.get(spec)!)!;
      return {
        original: [replaceTags(original.pattern, config), original.flags],
        ours: oursMatches(replaceTags(rewritten.pattern, config), rewritten.flags),
      };
    }

    it('run, through their rewriting, forwards (no lookahead left)', () => {
      const refused = rules.unsupported.map(({ name }) => name);
      for (const name of [...NAMES, 'LOTTO_AGENT']) expect(refused, name).not.toContain(name);
      for (const name of NAMES) {
        const spec = config.rules.get(name)!.spec;
        expect(REWRITTEN_PATTERNS.has(spec), name).toBe(true);
        const { pattern, flags } = readPerlMatch(REWRITTEN_PATTERNS.get(spec)!)!;
        const translated = translatePerlRegex(replaceTags(pattern, config), flags);
        expect(translated.ok && !translated.reversed, name).toBe(true);
      }
    });

    it('__PCT_FOR_YOU_3 matches where Perl matches it', () => {
      // Words at each edge the lookarounds read: "you"/"can" and their prefixes, "by", "up to".
      const pieces = fc.constantFrom(
        'your ',
        'You ',
        'you ',
        'can ',
        'Can ',
        'ca ',
        'c ',
        'candy ',
        'yo ',
        'y ',
        'YOUth ',
        'yoga ',
        'share ',
        'will be taking ',
        'are to get ',
        'pay you ',
        'bank account ',
        'by ',
        'nearby ',
        'up ',
        'setup ',
        'to ',
        'into ',
        'of ',
        'the ',
        'x ',
        'abcdefghijklmnop ',
        '50% ',
        '30 percent ',
        'twenty-five % ',
        'ten% ',
        '\n',
      );
      const texts = fc.sample(
        fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')),
        { seed: 22, numRuns: 3000 },
      );
      const edges = [
        'your share 50%',
        'your can share 50%',
        'your candy share 50%',
        'your you share 50%',
        'your yo share 50%',
        'your share you 50%',
        'your share yo 50%',
        'your share by 50%',
        'your share nearby 50%',
        'your share up to 50%',
        'your share setup to 50%',
        'your share up into 50%',
      ];
      const { original, ours } = both('__PCT_FOR_YOU_3');
      const all = [...edges, ...texts];
      const [perl] = perlMatches([original], all);
      expect(all.filter((text, t) => ours(text) !== perl![t])).toEqual([]);
      expect(edges.map(ours)).toEqual(perl!.slice(0, edges.length));
      expect(new Set(perl!.slice(edges.length))).toEqual(new Set([true, false]));
    });

    it('__LOTTO_AGENT_01 matches where Perl matches it', () => {
      const pieces = fc.constantFrom(
        'grant',
        'Grants',
        'memory ',
        'Memory\t',
        ' ',
        '\t',
        'manager',
        'Manager',
        'mgr',
        'mgrs',
        'agent',
        'officer',
        'secretary',
        'director',
        'the ',
        'your claim ',
        'claims',
        'payment',
        'prize',
        ', ',
        'remittance',
        'x',
      );
      const texts = fc.sample(
        fc.array(pieces, { maxLength: 8 }).map((p) => p.join('')),
        { seed: 22, numRuns: 3000 },
      );
      const { original, ours } = both('__LOTTO_AGENT_01');
      const [perl] = perlMatches([original], texts);
      expect(texts.filter((text, t) => ours(text) !== perl![t])).toEqual([]);
      expect(new Set(perl)).toEqual(new Set([true, false]));
    });

    it('agree with Perl on texts 100 times a paragraph, near misses all along', () => {
      // re2js runs the rewritten patterns in time linear in the text by construction (no
      // backtracking); these are the shapes that would make a backtracking engine try every
      // split of the words: many words after "your", a keyword, a near-miss percentage.
      const { original: pct, ours: pctOurs } = both('__PCT_FOR_YOU_3');
      const { original: lotto, ours: lottoOurs } = both('__LOTTO_AGENT_01');
      const paragraph = 'your a b c d e f g h i share j k l m n o p q r s by 50% ';
      const texts = [
        paragraph.repeat(100),
        `${paragraph.repeat(100)}your share 50%`,
        'memory grant manager grants  agent '.repeat(100 * 3),
        `${'memory grant manager grants  agent '.repeat(100 * 3)}grant agent`,
      ];
      const [perlPct, perlLotto] = perlMatches([pct, lotto], texts);
      expect(texts.map(pctOurs)).toEqual(perlPct);
      expect(texts.map(lottoOurs)).toEqual(perlLotto);
      expect(perlPct).toEqual([false, true, false, false]);
      expect(perlLotto).toEqual([false, false, false, true]);
    });
  },
);

describe('URI_NO_WWW_INFO_CGI and URI_NO_WWW_BIZ_CGI: the ending lookahead written out', () => {
  const RULES = [
    '/^(?:https?:\\/\\/)?[^\\/]+(?<!\\/www)\\.[^.]{7,}\\.info\\/(?=\\S{15,})\\S*\\?/i',
    '/^(?:https?:\\/\\/)?[^\\/]+(?<!\\/www)\\.[^.]{7,}\\.biz\\/(?=\\S{15,})\\S*\\?/i',
  ];

  it('matches where Perl matches the rule, on URIs with a `?` at every place around 15', () => {
    const uris = fc.sample(
      fc
        .tuple(
          fc.constantFrom('http://', 'https://', '', 'ftp://'),
          fc.constantFrom('www.', 'ww.', 'a.www.', 'mail.', ''),
          fc.constantFrom('example1', 'exampl', 'EXAMPLE12', 'ex.ample12'),
          fc.constantFrom('.info/', '.biz/', '.INFO/', '.info', '.com/'),
          fc.integer({ min: 0, max: 20 }),
          fc.boolean(),
          fc.integer({ min: 0, max: 20 }),
          fc.constantFrom('', ' x?', '\n'),
        )
        .map(
          ([scheme, www, name, tld, before, question, after, end]) =>
            `${scheme}${www}${name}${tld}${'p'.repeat(before)}${question ? '?' : ''}${'q'.repeat(after)}${end}`,
        ),
      { seed: 15, numRuns: 4000 },
    );
    for (const rule of RULES) {
      const original = readPerlMatch(rule)!;
      const rewritten = readPerlMatch(REWRITTEN_PATTERNS.get(rule)!)!;
      const [perl] = perlMatches([[original.pattern, original.flags]], uris);
      const ours = oursMatches(rewritten.pattern, rewritten.flags);
      expect(
        uris.filter((uri, i) => ours(uri) !== perl![i]),
        rule,
      ).toEqual([]);
      expect(perl!.filter(Boolean).length, rule).toBeGreaterThan(100);
    }
  });
});
