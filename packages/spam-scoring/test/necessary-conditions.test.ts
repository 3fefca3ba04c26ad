import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NECESSARY_CONDITIONS } from '../src/spamassassin/necessary-conditions.js';
import { translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { reverseText } from '../src/spamassassin/regex-reverse.js';

/** Whether the rule's pattern matches as the rules run it (re2js, reversed where it must be). */
function fullMatch(key: string, text: string): boolean {
  const inline = /^\(\?([a-z]+)\)/.exec(key);
  const translated = translatePerlRegex(
    inline ? key.slice(inline[0].length) : key,
    inline ? inline[1]! : '',
  );
  if (!translated.ok) throw new Error(translated.reason);
  return translated.regex.matcher(translated.reversed ? reverseText(text) : text).find();
}

/**
 * Texts built slot by slot along each pattern's shape, every slot offering what the pattern
 * wants and near misses (a letter short, another separator, an excepted name, a case changed),
 * between pieces of noise: matches and near misses both come often.
 */
const SHAPES: [string, string[][]][] = [
  [
    'Content-[XYZ]',
    [
      ['Content-', 'Content-', 'content-', 'XContent-'],
      ['X', 'Y', 'Z', 'W', 'x'],
      ['-', '-', '_'],
      ['abcdef', 'abcdefghijklmnop', 'abcde', 'abcdefghijklmno'],
      [':', ':', ''],
      [' ', '\t', '\n', '\n ', '\xa0', ''],
      ['ghijkl', 'ghijk', 'GHIJKL', 'ghijklmnopqrstuv', 'ghijkl1'],
    ],
  ],
  [
    'Accept-Language',
    [
      ['', '\n', '\r\n', 'x'],
      ['abcd', 'abc', 'ab', 'Content', 'MIME', 'List', 'Thread', 'Return', 'X', 'DKIM'],
      ['-', '_', ''],
      ['efgh', 'efg', 'ef', 'Path', 'Version', 'Signature'],
      [':', ''],
      [' ', '\t', '\n ', '', '\xa0'],
      ['1', '7', 'a', ''],
      ['0a1b2c3d', 'deadbeef', '12', 'abcdefg', '.x1', '-yy', '0a1b2 3d', ''],
      ['', ' ', '\n', 'zz', '\xa0'],
    ],
  ],
  [
    'xd0',
    [
      ['a', ' ', '9', '-', '\n', ''],
      ['\xd0\xb0', '\xd0\xb5', '\xd1\x80', '\xf0\xb0', '\xd0\xb1', '\xd0', ''],
      ['\xd1\x81', '\xd0\xbe', ''],
      ['b', 'abcdefgh', 'abcdefghi', 'Z9', '-', ''],
      ['\xd0\xbe', '\xd1\x81', '\xd1\x82', '\xf1\x81', '\xd1', ''],
      ['c', ' ', '\n', '-', ''],
    ],
  ],
  [
    'retouching',
    [
      [
        'your ',
        'that your ',
        '. your ',
        'images',
        'imaging',
        'pics',
        'pix',
        'photo',
        'photos',
        'shop ',
        'expert',
        'services',
        'process ',
        'edit',
        ' over 123 ',
        'improve ',
        'improving ',
        'corecting ',
        'correcting ',
        'color',
        'contrast',
        'retouching',
        'retouch ',
        'wedding',
        'image',
        'pic',
        ' ',
        '\n',
        'e-commerce',
        'cutout',
        'send us ',
        'a ',
        'the ',
        'enhancement',
        'quality',
        'team',
        'x',
        ',',
        'clipping path',
        'and',
        '12',
        '.',
        '',
      ],
      [
        'your ',
        'that your ',
        '. your ',
        'images',
        'imaging',
        'pics',
        'pix',
        'photo',
        'photos',
        'shop ',
        'expert',
        'services',
        'process ',
        'edit',
        ' over 123 ',
        'improve ',
        'improving ',
        'corecting ',
        'correcting ',
        'color',
        'contrast',
        'retouching',
        'retouch ',
        'wedding',
        'image',
        'pic',
        ' ',
        '\n',
        'e-commerce',
        'cutout',
        'send us ',
        'a ',
        'the ',
        'enhancement',
        'quality',
        'team',
        'x',
        ',',
        'clipping path',
        'and',
        '12',
        '.',
        '',
      ],
      [
        'your ',
        'that your ',
        '. your ',
        'images',
        'imaging',
        'pics',
        'pix',
        'photo',
        'photos',
        'shop ',
        'expert',
        'services',
        'process ',
        'edit',
        ' over 123 ',
        'improve ',
        'improving ',
        'corecting ',
        'correcting ',
        'color',
        'contrast',
        'retouching',
        'retouch ',
        'wedding',
        'image',
        'pic',
        ' ',
        '\n',
        'e-commerce',
        'cutout',
        'send us ',
        'a ',
        'the ',
        'enhancement',
        'quality',
        'team',
        'x',
        ',',
        'clipping path',
        'and',
        '12',
        '.',
        '',
      ],
      [
        'your ',
        'that your ',
        '. your ',
        'images',
        'imaging',
        'pics',
        'pix',
        'photo',
        'photos',
        'shop ',
        'expert',
        'services',
        'process ',
        'edit',
        ' over 123 ',
        'improve ',
        'improving ',
        'corecting ',
        'correcting ',
        'color',
        'contrast',
        'retouching',
        'retouch ',
        'wedding',
        'image',
        'pic',
        ' ',
        '\n',
        'e-commerce',
        'cutout',
        'send us ',
        'a ',
        'the ',
        'enhancement',
        'quality',
        'team',
        'x',
        ',',
        'clipping path',
        'and',
        '12',
        '.',
        '',
      ],
      [
        'your ',
        'that your ',
        '. your ',
        'images',
        'imaging',
        'pics',
        'pix',
        'photo',
        'photos',
        'shop ',
        'expert',
        'services',
        'process ',
        'edit',
        ' over 123 ',
        'improve ',
        'improving ',
        'corecting ',
        'correcting ',
        'color',
        'contrast',
        'retouching',
        'retouch ',
        'wedding',
        'image',
        'pic',
        ' ',
        '\n',
        'e-commerce',
        'cutout',
        'send us ',
        'a ',
        'the ',
        'enhancement',
        'quality',
        'team',
        'x',
        ',',
        'clipping path',
        'and',
        '12',
        '.',
        '',
      ],
      [
        'your ',
        'that your ',
        '. your ',
        'images',
        'imaging',
        'pics',
        'pix',
        'photo',
        'photos',
        'shop ',
        'expert',
        'services',
        'process ',
        'edit',
        ' over 123 ',
        'improve ',
        'improving ',
        'corecting ',
        'correcting ',
        'color',
        'contrast',
        'retouching',
        'retouch ',
        'wedding',
        'image',
        'pic',
        ' ',
        '\n',
        'e-commerce',
        'cutout',
        'send us ',
        'a ',
        'the ',
        'enhancement',
        'quality',
        'team',
        'x',
        ',',
        'clipping path',
        'and',
        '12',
        '.',
        '',
      ],
      [
        'your ',
        'that your ',
        '. your ',
        'images',
        'imaging',
        'pics',
        'pix',
        'photo',
        'photos',
        'shop ',
        'expert',
        'services',
        'process ',
        'edit',
        ' over 123 ',
        'improve ',
        'improving ',
        'corecting ',
        'correcting ',
        'color',
        'contrast',
        'retouching',
        'retouch ',
        'wedding',
        'image',
        'pic',
        ' ',
        '\n',
        'e-commerce',
        'cutout',
        'send us ',
        'a ',
        'the ',
        'enhancement',
        'quality',
        'team',
        'x',
        ',',
        'clipping path',
        'and',
        '12',
        '.',
        '',
      ],
    ],
  ],
  [
    '[A-Z]{16,}',
    [
      ['', 'x', 'Hello', 'hello,', 'ab;', 'Q)', '1', 'HeLLo'],
      [' ', '\t', '\n', '', '\xa0'],
      ['ABCDEFGHIJKLMNOP', 'ABCDEFGHIJKLMNO', 'ABCDEFGHIJKLMNOPQRST', 'ABCDEFGHIJKLMNOp', 'abc'],
      ['', 'x', 'xy', 'X'],
      [' ', '\n', '', '.'],
      ['Word', 'w', 'wo', 'WORD', '1', 'word1'],
      ['', ' ', '.', 'x', '_'],
    ],
  ],
];
const NOISE = ['', ' ', 'x', '\n', 'Abc-Def: 1', '\xd0\xb0', 'Content-X-'];

const textOf = (slots: string[][]) =>
  fc
    .tuple(
      fc.constantFrom(...NOISE),
      fc.tuple(...slots.map((options) => fc.constantFrom(...options))),
      fc.constantFrom(...NOISE),
    )
    .map(([before, parts, after]) => before + parts.join('') + after);

const CASES: [string, string[][]][] = [...NECESSARY_CONDITIONS.keys()].map((key) => [
  key,
  SHAPES.find(([marker]) => key.includes(marker))![1],
]);

describe('necessary conditions (a text failing one cannot match the rule)', () => {
  it.each(CASES)(
    'holds wherever the full pattern matches: %s',
    (key, slots) => {
      const condition = NECESSARY_CONDITIONS.get(key)!;
      let matched = 0;
      let screenedOut = 0;
      fc.assert(
        fc.property(textOf(slots), (text) => {
          const full = fullMatch(key, text);
          const passes = condition.test(text);
          if (full) matched++;
          if (!passes) screenedOut++;
          // A match the condition would skip changes a verdict.
          expect(!full || passes).toBe(true);
        }),
        // A fixed seed: the same 10,000 texts every run, so a failure can be replayed (the
        // generator's shapes, not chance, are what makes the cases hard).
        { numRuns: 10_000, seed: 20261206 },
      );
      // Neither side is vacuous: the generator makes matches, and the condition skips texts.
      expect(matched).toBeGreaterThan(5);
      expect(screenedOut).toBeGreaterThan(20);
      // __PHOTO_RETOUCHING's 10,000 texts take ~15 s at a load of 3 and took over 120 s once at
      // a load of 15 (three suites beside): the work is fixed (a fixed seed), so the time limit
      // only guards against a hang and is set far above any load seen.
    },
    600_000,
  );

  it('is keyed by sources the Debian rules really have (else it would never apply)', () => {
    let directory: string | null = null;
    try {
      directory =
        readdirSync('/usr/share/spamassassin').length > 0 ? '/usr/share/spamassassin' : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (!directory) return;
    const rules = readdirSync(directory)
      .filter((file) => file.endsWith('.cf'))
      .map((file) => readFileSync(`${directory}/${file}`, 'latin1'))
      .join('\n');
    for (const key of NECESSARY_CONDITIONS.keys())
      expect(rules.includes(key.replace(/^\(\?[a-z]+\)/, ''))).toBe(true);
  });
});
