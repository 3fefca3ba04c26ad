// The __TO_EQ_FROM_* family matched by hand (to-eq-from-patterns.ts) against Perl itself, on
// generated header blocks, and in linear time on hostile ones.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SUBJECT_HAS_PATTERNS,
  TO_EQ_FROM_PATTERNS,
} from '../src/spamassassin/to-eq-from-patterns.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';

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

// Lines built from pieces that meet at the edges the patterns care about: header names in
// either case, with one space, none or several (a tab, a line end), addresses that differ by
// case, user, domain or a trailing character, brackets, commas, lines of 100 and 101 octets.
const name = fc.constantFrom('From:', 'To:', 'From:', 'To:', 'from:', 'TO:', 'Cc:');
const separator = fc.constantFrom(' ', ' ', ' ', ' ', '', '  ', '\t', ' \n ', '\n');
const display = fc.constantFrom(
  '',
  '',
  'Eve ',
  '"Eve, Bob" ',
  'x'.repeat(78),
  'x'.repeat(79) + ' ',
);
const address = fc.constantFrom(
  'eve@shop.example',
  'eve@shop.example',
  'eve@shop.example',
  'EVE@Shop.Example',
  'eve@other.example',
  'bob@shop.example',
  'eve1@shop.example',
  'eve@shop.example.net',
  'eve@a@shop.example',
  'eve',
  'eve@',
  '@shop.example',
);
const tail = fc.constantFrom('', '', '>', ',', ' ', '>,', '>>', '\t', ', bob@shop.example', '<');
const line = fc
  .tuple(name, separator, display, fc.constantFrom('', '<', '< '), address, tail)
  .map((parts) => parts.join(''));
const filler = fc.constantFrom('X-A: ' + 'a'.repeat(95), 'X-B: ' + 'b'.repeat(96), '', 'é');
const blocks = fc
  .array(fc.oneof({ arbitrary: line, weight: 6 }, { arbitrary: filler, weight: 1 }), {
    minLength: 1,
    maxLength: 5,
  })
  .map((lines) => `${lines.join('\n')}\n`);
// A first line and a second one, each with From or To, an address, what may surround it.
const addressLine = (names: readonly string[]) =>
  fc
    .tuple(
      fc.constantFrom(...names),
      fc.constantFrom(' ', ' ', ' ', '\t', ' \n '),
      fc.constantFrom('', '', 'Eve ', '"Eve, Bob" ', 'x'.repeat(79), 'x'.repeat(80)),
      fc.constantFrom(
        'eve@shop.example',
        'EVE@Shop.Example',
        'eve1@shop.example',
        'bob@shop.example',
      ),
      tail,
    )
    .map(([n, sep, name, addr, end]) => `${n}${sep}${name}${name ? `<${addr}>` : addr + end}`);
const pairs = fc
  .tuple(
    fc.constantFrom('Received: by mx', ''),
    addressLine(['From:', 'To:', 'fROM:', 'to:']),
    fc.array(filler, { maxLength: 2 }),
    addressLine(['From:', 'To:', 'fROM:', 'to:']),
  )
  .map(([first, a, middle, b]) => `${[first, a, ...middle, b].join('\n')}\n`);

// The NN rules (__TO_EQ_FROM_USR_NN_*): users of 3 to 81 characters, digits after them or not,
// on either side, in either case.
const nnUser = fc.constantFrom(
  'eve',
  'evel',
  'evelyn',
  'Evelyn',
  'e1',
  'evel12',
  'a'.repeat(80),
  'a'.repeat(81),
);
const nnLine = fc
  .tuple(
    fc.constantFrom('From:', 'To:', 'from:', 'TO:'),
    fc.constantFrom(' ', '\t', ' \n ', ''),
    fc.constantFrom('', 'Eve <', 'x<'),
    nnUser,
    fc.constantFrom('', '1', '12', '007'),
    fc.constantFrom('@shop.example', '@', '>', ',', ' x', '@a b'),
    fc.constantFrom('', '>', ','),
  )
  .map((parts) => parts.join(''));
const nnBlocks = fc
  .tuple(fc.constantFrom('Received: by mx', ''), nnLine, fc.array(filler, { maxLength: 1 }), nnLine)
  .map(([first, a, middle, b]) => `${[first, a, ...middle, b].join('\n')}\n`);

describe('__TO_EQ_FROM_USR_NN_* by hand agree with Perl on users with digits', () => {
  for (const [pattern, match] of TO_EQ_FROM_PATTERNS.filter(([source]) =>
    source.includes('{4,80}'),
  ))
    it(pattern, () => {
      const texts = fc.sample(nnBlocks, { seed: 25, numRuns: 8000 });
      const expected = perl(pattern, texts);
      expect(texts.filter((text, i) => match(text) !== expected[i])).toEqual([]);
      expect(expected.filter(Boolean).length).toBeGreaterThan(30);
    });
});

describe('__TO_EQ_FROM_* by hand agree with Perl', () => {
  for (const [pattern, match] of TO_EQ_FROM_PATTERNS)
    it(pattern, () => {
      const texts = [
        ...fc.sample(blocks, { seed: 15, numRuns: 3000 }),
        ...fc.sample(pairs, { seed: 15, numRuns: 3000 }),
      ];
      const expected = perl(pattern, texts);
      const disagreements = texts.filter((text, i) => match(text) !== expected[i]);
      expect(disagreements).toEqual([]);
      expect(expected.filter(Boolean).length).toBeGreaterThan(30);
    });

  it("are the rules of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    for (const [pattern] of TO_EQ_FROM_PATTERNS)
      expect(file).toContain(`ALL =~ /${pattern.slice('(?ism)'.length)}/ism`);
  });
});

describe('__TO_EQ_FROM_* on hostile header blocks', () => {
  // Built at a size n that Perl, which backtracks, answers quickly, and at 100 times it: many
  // first lines whose captures stay in reach, second lines with every place to look (81 `<`,
  // an `@` every other octet), long lines, long captures, long runs of spaces.
  const hostile: ((n: number) => string)[] = [
    (n) => `\n${'From: <a@b.example>\n'.repeat(n)}To: <a@b.example\n`,
    (n) => `\n${`From: a@b.example\nTo: x${'<'.repeat(81)}c@d\n`.repeat(n)}`,
    (n) => `\nFrom: x@${'a@'.repeat(n)}\nTo: y${'@a'.repeat(n)}\n`,
    (n) => `\nFrom: ${'a'.repeat(n)}\nTo: <${'a'.repeat(n - 1)}b\n`,
    (n) => `\n${`From: u@${'ab'.repeat(50)}\nTo: x@${'ab'.repeat(n)}\n`.repeat(20)}`,
    (n) => `\nFrom:${' \n'.repeat(n)}u@h\nTo:${'\t'.repeat(n)}u@\n`,
    (n) => `\nTo: ${'b'.repeat(n)}@c\n${`X: ${'y'.repeat(99)}\n`.repeat(n)}From: b@c\n`,
    // The NN rules: users of 80 and more, digits, each of the many captures nearly there.
    (n) => `\n${`From: ${'a'.repeat(70)}${'1'.repeat(20)}@b\n`.repeat(n)}To: ${'a'.repeat(75)}x\n`,
    (n) => `\nFrom: ${'a1'.repeat(40)}@b\nTo: ${`${'a1'.repeat(39)} `.repeat(n)}\n`,
  ];
  const n = 200;
  for (const [pattern, match] of TO_EQ_FROM_PATTERNS)
    it(`${pattern.slice(6, 40)}...: Perl's answer, at n and at 100 n`, () => {
      const expected = perl(
        pattern,
        hostile.map((build) => build(n)),
      );
      expect(hostile.map((build) => match(build(n)))).toEqual(expected);
      expect(hostile.map((build) => match(build(100 * n)))).toEqual(expected);
    });
});

describe('a rule set runs them on ALL', () => {
  it('fires __TO_EQ_FROM_DOM and lets a meta read it under !', () => {
    const fire = ruleFirer(
      [
        `header __TO_EQ_FROM_DOM_1 ALL =~ /${TO_EQ_FROM_PATTERNS[2]![0].slice(6)}/ism`,
        `header __TO_EQ_FROM_DOM_2 ALL =~ /${TO_EQ_FROM_PATTERNS[3]![0].slice(6)}/ism`,
        'meta __TO_EQ_FROM_DOM (__TO_EQ_FROM_DOM_1 || __TO_EQ_FROM_DOM_2)',
        'header __HAS_SUBJECT exists:Subject',
        'meta SAME_DOMAIN __TO_EQ_FROM_DOM',
        'meta OTHER_DOMAIN __HAS_SUBJECT && !__TO_EQ_FROM_DOM',
      ].join('\n'),
      { subrules: true, sorted: false },
    );
    const { rules } = fire;
    expect(rules.unsupported).toEqual([]);
    const fired = (from: string, to: string) =>
      fire(`Received: by mx\r\nFrom: ${from}\r\nSubject: hi\r\nTo: ${to}\r\n\r\nbody\r\n`);
    expect(fired('Eve <eve@shop.example>', 'bob@Shop.Example')).toEqual(['SAME_DOMAIN']);
    expect(fired('Eve <eve@shop.example>', 'bob@other.example')).toEqual(['OTHER_DOMAIN']);
  });

  it('fires __TO_EQ_FROM_USR_NN_* as spamassassin does', () => {
    const nn = TO_EQ_FROM_PATTERNS.filter(([source]) => source.includes('{4,80}'));
    const cf = nn
      .map(
        ([source], i) =>
          `header USR_NN_${i + 1} ALL =~ /${source.slice(6)}/ism\nscore USR_NN_${i + 1} 1`,
      )
      .join('\n');
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (from: string, to: string) =>
      `Received: by mx\r\nFrom: ${from}\r\nSubject: hi\r\nTo: ${to}\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n`;
    const mails = [
      mail('Eve <evelyn12@shop.example>', 'evelyn7@other.example'),
      mail('evelyn@shop.example', 'Bob <EVELYN99@other.example>'),
      mail('evelyn@shop.example', 'evelyne@other.example'),
      mail('eve1@shop.example', 'eve2@other.example'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^USR_NN_/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});

// __SUBJ_HAS_FROM_1 and __SUBJ_HAS_TO_1: a From or To line, lines of up to 100 or 200 octets
// (and over), then a Subject holding the address (or a near one) 0 to 101 octets in, followed
// by each kind of delimiter, or by nothing.
const subjectLine = fc
  .tuple(
    fc.constantFrom('Subject: ', 'subject: ', 'Subject:', 'Subject:  '),
    fc.constantFrom('', 'Re: ', 'x'.repeat(99), 'x'.repeat(100), 'x'.repeat(101)),
    fc.constantFrom(
      'eve@shop.example',
      'eve@shop.example',
      'EVE@shop.example',
      'eve@shop.exampl',
      've@shop.example',
    ),
    fc.constantFrom('', ' ', ' ', ':', ',', '>', 'x', '1', '.', '-', '\t'),
  )
  .map((parts) => parts.join(''));
const longFiller = fc.constantFrom(
  `X-A: ${'a'.repeat(95)}`,
  `X-B: ${'b'.repeat(96)}`,
  `X-C: ${'c'.repeat(195)}`,
  `X-D: ${'d'.repeat(196)}`,
  '',
);
const subjectBlocks = fc
  .tuple(
    fc.constantFrom('Received: by mx', ''),
    addressLine(['From:', 'To:', 'to:']),
    fc.constantFrom('', '', '', '', ', bob@b.example', ',bob@b.example', ' bob'),
    fc.array(longFiller, { maxLength: 2 }),
    subjectLine,
    fc.constantFrom('\n', '\n', ''),
  )
  .map(([first, a, more, middle, subject, end]) =>
    [first, `${a}${more}`, ...middle, `${subject}${end}`].join('\n'),
  );

describe('__SUBJ_HAS_FROM_1 and __SUBJ_HAS_TO_1 by hand agree with Perl', () => {
  for (const [pattern, match] of SUBJECT_HAS_PATTERNS)
    it(pattern, () => {
      const texts = fc.sample(subjectBlocks, { seed: 15, numRuns: 6000 });
      const expected = perl(pattern, texts);
      const disagreements = texts.filter((text, i) => match(text) !== expected[i]);
      expect(disagreements).toEqual([]);
      expect(expected.filter(Boolean).length).toBeGreaterThan(20);
    });

  it("are the rules of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    for (const [pattern] of SUBJECT_HAS_PATTERNS)
      expect(file).toContain(`ALL =~ /${pattern.slice('(?ism)'.length)}/ism`);
  });

  it("give Perl's answer on hostile header blocks, at n and at 100 n", () => {
    const hostile: ((n: number) => string)[] = [
      (n) => `\n${'To: <a@b.example>\n'.repeat(n)}Subject: ${'x'.repeat(100)}a@b.example1\n`,
      (n) => `\nTo: ${'a'.repeat(n)}\nSubject: ${'a'.repeat(n - 1)}\n`,
      (n) => `\n${`From: a@b.example\nSubject: ${'a@b.exampl'.repeat(n)}\n`.repeat(20)}`,
      (n) => `\nTo: b@c\n${`X: ${'y'.repeat(199)}\n`.repeat(n)}Subject: b@c:\n`,
    ];
    const n = 200;
    for (const [pattern, match] of SUBJECT_HAS_PATTERNS) {
      const expected = perl(
        pattern,
        hostile.map((build) => build(n)),
      );
      expect(hostile.map((build) => match(build(n)))).toEqual(expected);
      expect(hostile.map((build) => match(build(100 * n)))).toEqual(expected);
    }
  });
});
