// __PDS_FROM_NAME_TO_DOMAIN and __PDS_TO_BRAND_SUBJECT matched by hand (pds-patterns.ts)
// against Perl itself, on generated header blocks, and in linear time on hostile ones.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { debianRuleFile } from './helpers.js';
import { describe, expect, it } from 'vitest';
import { MAX_BRAND_SUBJECT_COMPARISONS, PDS_PATTERNS } from '../src/spamassassin/pds-patterns.js';

/** Perl's answer for each text (texts may hold newlines, not NULs). */
function perl(pattern: string, texts: string[]): boolean[] {
  const run = spawnSync(
    'perl',
    ['-0', '-ne', `chomp; print((/${pattern.replace(/\//g, '\\/')}/ ? 1 : 0), "\\n")`],
    { input: texts.map((t) => `${t}\0`).join(''), encoding: 'latin1', maxBuffer: 1 << 26 },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line === '1');
}

const [[FROM_NAME_TO_DOMAIN, fromNameToDomain], [TO_BRAND_SUBJECT, toBrandSubject]] =
  PDS_PATTERNS as [[string, (text: string) => boolean], [string, (text: string) => boolean]];

// From lines whose name is a domain (or near one), quoted or not, in any case; To lines that
// hold it after an `@` or not; blank lines and other lines between.
const fromLine = fc
  .tuple(
    fc.constantFrom('From: ', 'from: ', 'X-From: ', 'From:  ', 'From:'),
    fc.constantFrom('', '"', "'"),
    fc.constantFrom('shop.example', 'Shop.Example', 'shop.', '.shop', 'shop', 'a.b', 'sh op.ex'),
    fc.constantFrom('', '"', "'"),
    fc.constantFrom(' <eve@x.example>', ' x', ' ', '', '<eve@x>'),
  )
  .map((parts) => parts.join(''));
const toLine = fc
  .tuple(
    fc.constantFrom('To: ', 'to:', 'To:', 'TO: bob ', 'Cc: '),
    fc.constantFrom('bob@', '@', 'bob@mail.', 'x'),
    fc.constantFrom('shop.example', 'SHOP.example', 'shop.exampl', 'other.example', 'a.b.c'),
    fc.constantFrom('', '>', ', c@shop.example'),
  )
  .map((parts) => parts.join(''));
const fromBlocks = fc
  .tuple(
    fc.constantFrom('Received: by mx', ''),
    fromLine,
    fc.constantFrom('', '\n', 'X-Other: y'),
    toLine,
    fc.constantFrom('\n', ''),
  )
  .map(
    ([first, from, middle, to, end]) =>
      `${first}\n${from}\n${middle ? `${middle}\n` : ''}${to}${end}`,
  );

// To lines with an address whose domain's first label comes back at the start of a Subject
// (after a quote or not, a word boundary after it or not), lines between, the dot's line
// empty after it, several To lines.
const brandTo = fc
  .tuple(
    fc.constantFrom('To: ', 'to:\t', 'To:', 'To:  ', 'TO: <', 'To: @'),
    fc.constantFrom('bob', 'b', 'Bob Smith <bob', ''),
    fc.constantFrom('@paypal.com', '@PayPal.com', '@pay.pal.com', '@paypal', '@.com', '@paypal.'),
    fc.constantFrom('', '>', ' x'),
  )
  .map((parts) => parts.join(''));
const subject = fc
  .tuple(
    fc.constantFrom('Subject: ', 'subject: ', 'Subject:', 'X-Subject: '),
    fc.constantFrom('', '"', 'Re: '),
    fc.constantFrom('paypal', 'PayPal', 'paypals', 'pay', 'pay.pal'),
    fc.constantFrom('', ' account', '-account', '1', '\n'),
  )
  .map((parts) => parts.join(''));
const brandBlocks = fc
  .tuple(
    fc.array(fc.oneof(brandTo, fc.constantFrom('X-A: a', '', 'X-B: x.y')), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.array(fc.oneof(subject, fc.constantFrom('X-C: c', '')), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('\n', ''),
  )
  .map(([tos, subjects, end]) => `${[...tos, ...subjects].join('\n')}${end}`);

describe('__PDS_FROM_NAME_TO_DOMAIN and __PDS_TO_BRAND_SUBJECT by hand', () => {
  it('__PDS_FROM_NAME_TO_DOMAIN agrees with Perl', () => {
    const texts = fc.sample(fromBlocks, { seed: 15, numRuns: 5000 });
    const expected = perl(FROM_NAME_TO_DOMAIN, texts);
    expect(texts.filter((text, i) => fromNameToDomain(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(50);
  });

  it('__PDS_TO_BRAND_SUBJECT agrees with Perl', () => {
    const texts = fc.sample(brandBlocks, { seed: 15, numRuns: 5000 });
    const expected = perl(TO_BRAND_SUBJECT, texts);
    expect(texts.filter((text, i) => toBrandSubject(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(50);
  });

  it("are the rules of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    for (const [pattern] of PDS_PATTERNS)
      expect(file).toContain(`ALL =~ /${pattern.slice('(?ism)'.length)}/ism`);
  });

  it("give Perl's answer on hostile header blocks, at n and at 100 n", () => {
    const hostile: [(text: string) => boolean, string, (n: number) => string][] = [
      [
        fromNameToDomain,
        FROM_NAME_TO_DOMAIN,
        (n) => `${'From: a.b '.repeat(n)}x\nTo: x@${'a.'.repeat(n)}c\n`,
      ],
      [
        fromNameToDomain,
        FROM_NAME_TO_DOMAIN,
        (n) => `From: ${'a'.repeat(n)}.b x\nTo: ${'@'.repeat(n)}${'a'.repeat(n)}\n`,
      ],
      [
        fromNameToDomain,
        FROM_NAME_TO_DOMAIN,
        (n) => `${'From: a.b x\n'.repeat(n)}${'\n'.repeat(n)}To: x@c\n`,
      ],
      [
        toBrandSubject,
        TO_BRAND_SUBJECT,
        (n) => `${'To: x\n'.repeat(n)}@${'a'.repeat(n)}.x\n${'Subject: a\n'.repeat(n)}`,
      ],
      [
        toBrandSubject,
        TO_BRAND_SUBJECT,
        (n) => `To: b@${'a'.repeat(n)}.com x\n${`Subject: ${'a'.repeat(n)}b\n`.repeat(20)}`,
      ],
      [
        toBrandSubject,
        TO_BRAND_SUBJECT,
        (n) => `${'To: b@a\n'.repeat(n)}.\n${'Subject: a\n'.repeat(n)}`,
      ],
    ];
    const n = 300;
    for (const [match, pattern, build] of hostile) {
      const [expected] = perl(pattern, [build(n)]);
      expect(match(build(n)), build(3)).toBe(expected);
      expect(match(build(100 * n)), build(3)).toBe(expected);
    }
  });

  it('__PDS_TO_BRAND_SUBJECT stops at MAX_BRAND_SUBJECT_COMPARISONS octets compared', () => {
    // 20 To lines, each reaching its own `@` and a capture of 1,002 octets, and Subjects that
    // almost begin with each: about 20 x 1,002 octets compared per Subject. Within the bound
    // the last Subject is found; with three times the Subjects the bound is passed first, and
    // the answer is no, though Perl finds it.
    const capture = 'a'.repeat(1000);
    const tos = Array.from({ length: 20 }, (_, i) => `To: x${i}@${capture}${i + 10}.com y\n`);
    const subjects = (n: number) => `Subject: ${capture}\n`.repeat(n);
    const text = (n: number) => `${tos.join('')}${subjects(n)}Subject: ${capture}29 hi\n`;
    expect(20 * 41 * 1002).toBeLessThan(MAX_BRAND_SUBJECT_COMPARISONS);
    expect(toBrandSubject(text(40))).toBe(true);
    expect(20 * 121 * 1002).toBeGreaterThan(MAX_BRAND_SUBJECT_COMPARISONS);
    expect(toBrandSubject(text(120))).toBe(false);
    expect(perl(TO_BRAND_SUBJECT, [text(40), text(120)])).toEqual([true, true]);
  });
});
