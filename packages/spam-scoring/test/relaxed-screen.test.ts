// The forward screen of the patterns with lookaheads, over sets of positions (relaxed-screen.ts):
// on the fuzzy-spelling rules of Debian's rule files, it passes every text the full pattern
// matches (re2js as the rules run it, and Perl), exactly the texts re2js's own screen passes,
// and its work is linear in the text.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { findDebianRuleDirectory, loadSpamAssassinRules } from '../src/index.js';
import type { SaConfig } from '../src/spamassassin/cf-parser.js';
import { readPerlMatch, translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { PositionSetText } from '../src/spamassassin/position-set-pattern.js';
import { reverseText } from '../src/spamassassin/regex-reverse.js';
import { relaxedScreen, withoutTopLevelLookarounds } from '../src/spamassassin/relaxed-screen.js';
import { replaceTags } from '../src/spamassassin/replace-tags.js';

describe('withoutTopLevelLookarounds', () => {
  it('leaves out the lookarounds outside groups, and nothing that only looks like one', () => {
    expect(withoutTopLevelLookarounds('(?=[a@])(?!abc)[a@]b(?<!x)c')).toBe('[a@]bc');
    expect(withoutTopLevelLookarounds('\\b(?!a(?:b|c)\\))[(?=]x')).toBe('\\b[(?=]x');
    expect(withoutTopLevelLookarounds('\\(?!ab')).toBeNull();
    expect(withoutTopLevelLookarounds('[]()?!]a(?!b)')).toBe('[]()?!]a');
  });

  it('refuses a lookaround inside a group, and a pattern without one', () => {
    expect(withoutTopLevelLookarounds('(?:a(?!b))c')).toBeNull();
    expect(withoutTopLevelLookarounds('abc')).toBeNull();
  });

  it('gives no screen for what position sets do not take', () => {
    expect(relaxedScreen('(?:^|\\W)(?!ab)[a@]b$', 'i')).toBeNull();
    // The "not in a word" idiom at either end is left out.
    expect(relaxedScreen('(?:^|\\W)(?!ab)[a@]b(?:$|\\W)', 'i')!.test('x@bc')).toBe(true);
    expect(relaxedScreen('(?!ab)(?:a\\s*)*b', 'i')).toBeNull();
    expect(relaxedScreen('(?!ab)ab', 'x')).toBeNull();
    expect(relaxedScreen('(?!ab)[a@]b', 'i')!.test('x@B')).toBe(true);
    // A group repeated without bound (<WS>* in FUZZY_CLICK_HERE), each position stepped once.
    const repeated = relaxedScreen('(?!ab)a(?:b\\s|&nbsp;)*c', 'i')!;
    expect(repeated.test('xAb &nbsp;B\tc')).toBe(true);
    expect(repeated.test('xac')).toBe(true);
    expect(repeated.test('xab bc')).toBe(false);
  });
});

/** Perl's verdict for each pattern (caseless) on each text (texts as octets). */
function perlMatches(patterns: readonly string[], texts: string[]): boolean[][] {
  const script = `
    use strict; my @lines = split /\\n/, do { local $/; <STDIN> };
    my $n = shift @lines; my @pats = splice @lines, 0, $n;
    for my $p (@pats) { my $rx = qr/$p/i;
      print join('', map { my $t = $_; $t =~ s/\\\\n/\\n/g; $t =~ $rx ? 1 : 0 } @lines), "\\n"; }`;
  const input = [
    String(patterns.length),
    ...patterns,
    ...texts.map((text) => text.replace(/\n/g, '\\n')),
  ].join('\n');
  const perl = spawnSync('perl', ['-e', script], { input, encoding: 'latin1' });
  if (perl.status !== 0) throw new Error(`perl failed: ${perl.stderr}`);
  return perl.stdout
    .trim()
    .split('\n')
    .map((line) => [...line].map((c) => c === '1'));
}

// The words the rules spell, each letter written plainly or as one of its look-alikes (digits,
// signs, Latin-1 and UTF-8 accented letters, an HTML entity), with near misses: a letter left
// out or doubled, a space or a dot between letters, the plain word itself.
const WORDS = [
  'million',
  'important',
  'security',
  'unsubscribe',
  'viagra',
  'credit',
  'degree',
  'click here',
  'paypal',
  'opt-out',
];
const LOOK_ALIKES: Record<string, string[]> = {
  a: ['a', 'A', '@', '\xe0', '\xc3\xa0', '4'],
  b: ['b', 'B', '8'],
  c: ['c', 'C', 'k', '\xe7', '('],
  d: ['d', 'D'],
  e: ['e', 'E', '3', '\xe9', '\xc3\xa9', '&#101;'],
  g: ['g', 'G', '9'],
  h: ['h', 'H', '\xc4\xa5'],
  k: ['k', 'K', '\xea'],
  // Between the words of "click here" (FUZZY_CLICK_HERE's <WS>): spaces, entities, a soft break.
  '-': ['-', '', ' ', '_'],
  ' ': [' ', '  ', '&nbsp;', ' &#160;', '\xe2\x80\x8b', '=\n', '\t'],
  i: ['i', 'I', '1', 'l', '|', '!', '\xed', '\xc3\xad', '&#105;'],
  l: ['l', 'L', '1', 'i', '|'],
  m: ['m', 'M', 'rn', 'nn'],
  n: ['n', 'N', '\xf1', '\xc3\xb1'],
  o: ['o', 'O', '0', '\xf3', '\xc3\xb3', '()'],
  p: ['p', 'P'],
  r: ['r', 'R'],
  s: ['s', 'S', '$', '5', 'z'],
  t: ['t', 'T', '7', '+'],
  u: ['u', 'U', 'v', '\xfc', '\xc3\xbc'],
  v: ['v', 'V', '\\/', 'u'],
  y: ['y', 'Y', '\xfd'],
};
const letter = (c: string) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...LOOK_ALIKES[c]!), weight: 12 },
    { arbitrary: fc.constantFrom('', c + c, c + ' ', c + '.', c + '-', c + '&nbsp;'), weight: 2 },
  );
const spelled = fc.oneof(
  {
    arbitrary: fc
      .constantFrom(...WORDS)
      .chain((word) => fc.tuple(...[...word].map(letter)).map((letters) => letters.join(''))),
    weight: 5,
  },
  // The plain word (in any case), which the rules' lookaheads turn away.
  {
    arbitrary: fc.constantFrom(...WORDS, 'Million', 'SECURITY', 'Unsubscribe', 'Click&nbsp;here'),
    weight: 1,
  },
);
const NOISE = fc.constantFrom('', '', ' ', 'Dear sir, ', 'the ', '1. ', 'x', '\n', '\xa0');
const texts = fc
  .tuple(NOISE, fc.array(spelled, { minLength: 1, maxLength: 3 }), NOISE)
  .map(([before, words, after]) => before + words.join(' ') + after);

const spamassassinRules = {
  name: "Debian's spamassassin rules",
  available: existsSync('/usr/share/spamassassin/72_active.cf') && commandAvailable('perl'),
  install: 'apt-get install spamassassin',
};

const RULES = [
  'FUZZY_CLICK_HERE',
  'FUZZY_MILLION',
  'FUZZY_IMPORTANT',
  'FUZZY_SECURITY',
  'FUZZY_UNSUBSCRIBE',
  'FUZZY_VPILL',
  'FUZZY_CREDIT',
  'TVD_FUZZY_DEGREE',
  'FUZZY_PAYPAL',
  'T_FUZZY_OPTOUT',
];

describeWithPeer(spamassassinRules, 'the screen of the fuzzy-spelling rules', () => {
  let patterns: { name: string; pattern: string; flags: string }[];
  beforeAll(async () => {
    const { config }: { config: SaConfig } = await loadSpamAssassinRules(
      (await findDebianRuleDirectory())!,
    );
    patterns = RULES.map((name) => {
      const match = readPerlMatch(config.rules.get(name)!.spec)!;
      return { name, pattern: replaceTags(match.pattern, config), flags: match.flags };
    });
  });
  const sample = fc.sample(texts, { seed: 15, numRuns: 3000 });

  it('is built for each of them, and passes what re2js passes, and every full match', () => {
    for (const { name, pattern, flags } of patterns) {
      const screen = relaxedScreen(pattern, flags);
      expect(screen, name).not.toBeNull();
      const translated = translatePerlRegex(pattern, flags);
      if (!translated.ok || !translated.reversed || !translated.relaxed) throw new Error(name);
      const { regex, relaxed } = translated;
      const loose = /^\(\?:[$^]\|\\W\)|\(\?:[$^]\|\\W\)$/.test(pattern);
      let full = 0;
      let screened = 0;
      for (const text of sample) {
        const passes = screen!.test(text);
        // Exactly re2js's screen, or looser where the "not in a word" idiom was left out.
        if (loose) expect(passes || !relaxed.matcher(text).find(), name).toBe(true);
        else expect(passes, `${name} ${JSON.stringify(text)}`).toBe(relaxed.matcher(text).find());
        if (regex.matcher(reverseText(text)).find()) {
          full++;
          expect(passes, `${name} ${JSON.stringify(text)}`).toBe(true);
        }
        if (passes) screened++;
      }
      // Both answers come often, and the lookaheads turn some screened texts away.
      expect(full, name).toBeGreaterThan(10);
      expect(screened, name).toBeLessThan(sample.length * 0.9);
      expect(screened, name).toBeGreaterThan(full);
    }
  });

  it("passes every text Perl's full pattern matches", () => {
    // Perl's /i does not fold octets over 0x7f in a byte string: no upper-case Latin-1 here.
    const perlTexts = sample.filter((text) => !/[\xc0-\xde\v]/.test(text));
    const perl = perlMatches(
      patterns.map(({ pattern }) => pattern),
      perlTexts,
    );
    patterns.forEach(({ name, pattern, flags }, k) => {
      const screen = relaxedScreen(pattern, flags)!;
      const missed = perlTexts.filter((text, t) => perl[k]![t] && !screen.test(text));
      expect(missed, name).toEqual([]);
      // Few for the long words, whose UTF-8 look-alikes the filter above leaves out.
      expect(perl[k]!.filter(Boolean).length, name).toBeGreaterThan(2);
    });
  });

  it('does work linear in the text, hostile texts 100 times over included', () => {
    const bases = [
      'This is important: a million in credit, unsubscribe here. ',
      'imp0rtant m1ll1on ' + ' '.repeat(100),
      'iiiiiiiiiiiiiiiiiiiiii1111111111||||||||!!!!!!!',
      'mmmmrnrnrnrnmmmm\xc3\xad\xc3\xad\xc3\xad&#105;&#105;&#105;',
      'vvvvuuuuviagr viagr viagr ',
      'c    l  i   c k' + ' &nbsp;'.repeat(30) + 'h e r',
      '\xc3\xc3\xc3\xc3\xc3\xc3\xc3\xc3\xe1\xe1\xe1\xf0\x9d\xf0\x9d\xf0\x9d',
    ];
    for (const { name, pattern, flags } of patterns) {
      const screen = relaxedScreen(pattern, flags)!;
      for (const base of bases) {
        const once = new PositionSetText(base.repeat(50), true);
        screen.endsAnywhere(once);
        const hundredfold = new PositionSetText(base.repeat(5000), true);
        screen.endsAnywhere(hundredfold);
        expect(hundredfold.work, `${name} ${JSON.stringify(base)}`).toBeLessThanOrEqual(
          100 * once.work * 1.1,
        );
      }
    }
  });
});
