import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseSubject, decodeEncodedWords, isReplyOrForward } from '../src/index.js';
import { describeWithDovecot, sortWithDovecot } from './oracle/dovecot.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const HOSTILE_TIMEOUT = 60_000;

describe('baseSubject: RFC 5256 section 2.1', () => {
  it('(1) makes whitespace runs one space', () => {
    expect(baseSubject('a \t\r\n  b')).toBe('a b');
  });

  it('(2) removes trailing "(fwd)" and whitespace, repeatedly, in any case', () => {
    expect(baseSubject('Hello (fwd)')).toBe('Hello');
    expect(baseSubject('Hello (FWD) (Fwd)  ')).toBe('Hello');
    expect(baseSubject('Hello(fwd)')).toBe('Hello');
    expect(baseSubject('(fwd) Hello')).toBe('(fwd) Hello');
  });

  it('(3) removes leading Re:, Fw: and Fwd:, with blobs before them and one inside', () => {
    expect(baseSubject('Re: Hello')).toBe('Hello');
    expect(baseSubject('RE: re: Fwd: FW: Hello')).toBe('Hello');
    expect(baseSubject('Re [tag] : Hello')).toBe('Hello');
    expect(baseSubject('Re[2]: Hello')).toBe('Hello');
    expect(baseSubject('[list] Re: Hello')).toBe('Hello');
    expect(baseSubject('Fw:Hello')).toBe('Hello');
    expect(baseSubject('fwd : Hello')).toBe('Hello');
  });

  it('keeps markers that are not subj-refwd', () => {
    expect(baseSubject('Re(2): Hello')).toBe('Re(2): Hello');
    expect(baseSubject('AW: Hallo')).toBe('AW: Hallo');
    expect(baseSubject('Reply: Hello')).toBe('Reply: Hello');
    expect(baseSubject('Re Hello')).toBe('Re Hello');
  });

  it('(4) removes a leading blob only when something is left', () => {
    expect(baseSubject('[list] Hello')).toBe('Hello');
    expect(baseSubject('[a] [b] Hello')).toBe('Hello');
    expect(baseSubject('[list]')).toBe('[list]');
    expect(baseSubject('[a][b]')).toBe('[b]');
    expect(baseSubject('[unclosed Hello')).toBe('[unclosed Hello');
  });

  it('(5) repeats (3) and (4) until nothing changes', () => {
    expect(baseSubject('Re: [list] Re: [other] Fwd: Hello')).toBe('Hello');
  });

  it('(6) unwraps [fwd: ...] and starts again from (2)', () => {
    expect(baseSubject('[Fwd: Re: Hello]')).toBe('Hello');
    expect(baseSubject('[FWD: [fwd: nested]]')).toBe('nested');
    expect(baseSubject('Re: [fwd: Re: papaya] (fwd)')).toBe('papaya');
    expect(baseSubject('[fwd: unclosed')).toBe('[fwd: unclosed');
  });

  it('keeps case and inner whitespace of what remains', () => {
    expect(baseSubject('Re:   Hello   World  ')).toBe('Hello World');
  });

  it('gives the empty string for subjects that are only markers', () => {
    expect(baseSubject('')).toBe('');
    expect(baseSubject('Re:')).toBe('');
    expect(baseSubject('Fw: ')).toBe('');
    expect(baseSubject('[Fwd: ]')).toBe('');
  });
});

describe('isReplyOrForward', () => {
  it('is true when a subj-refwd, a (fwd) trailer or a [fwd: ] wrapper was removed', () => {
    expect(isReplyOrForward('Re: x')).toBe(true);
    expect(isReplyOrForward('[list] Fwd: x')).toBe(true);
    expect(isReplyOrForward('x (fwd)')).toBe(true);
    expect(isReplyOrForward('[fwd: x]')).toBe(true);
  });

  it('is false for blobs, whitespace and look-alikes', () => {
    expect(isReplyOrForward('x')).toBe(false);
    expect(isReplyOrForward('[list] x')).toBe(false);
    expect(isReplyOrForward('  x  ')).toBe(false);
    expect(isReplyOrForward('Re(2): x')).toBe(false);
    expect(isReplyOrForward('Regarding x')).toBe(false);
  });
});

describe('baseSubject: properties and hostile input', () => {
  it('is idempotent and never throws (fixed seed)', () => {
    const piece = fc.constantFrom(
      'Re',
      'fw',
      'FWD',
      ':',
      ' ',
      '\t',
      '[',
      ']',
      '[x]',
      '(fwd)',
      '[fwd:',
      'a',
      'é',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 25 }).map((p) => p.join('')),
        (subject) => {
          const base = baseSubject(subject);
          expect(baseSubject(base)).toBe(base);
        },
      ),
      { seed: 42, numRuns: runs },
    );
  });

  it(
    'is linear on 10 MB of blobs, leaders and trailers',
    () => {
      expect(baseSubject(`${'[a]'.repeat(3_000_000)} x`)).toBe('x');
      expect(baseSubject('[a]'.repeat(3_000_000))).toBe('[a]');
      expect(baseSubject(`${'Re: '.repeat(2_500_000)}x`)).toBe('x');
      expect(baseSubject(`x${' (fwd)'.repeat(1_500_000)}`)).toBe('x');
      expect(baseSubject(`${'[fwd: '.repeat(1_000_000)}x${']'.repeat(1_000_000)}`)).toBe('x');
      expect(baseSubject('['.repeat(10_000_000)).length).toBe(10_000_000);
    },
    HOSTILE_TIMEOUT,
  );
});

/**
 * Subjects whose SORT order depends on every step of the algorithm. Dovecot decodes encoded
 * words, so the values here go through decodeEncodedWords first, as summarize does.
 */
const SORT_SUBJECTS = [
  'Re: banana',
  'apple',
  'Fwd: Cherry',
  '[list] Re: apple',
  'RE: [x] FW: date',
  '[fwd: elder]',
  'fig (fwd)',
  '[a][b]',
  '[b]',
  'Re:',
  '',
  'Re [tag] : grape',
  '   honeydew   ',
  '=?utf-8?q?=C3=A9clair?=',
  'Eclair',
  'éclair',
  'Zebra',
  'zebra',
  'Re: Re: Re: zebra',
  '[LIST] [Other] kiwi',
  'Fw:kiwi',
  'fwd : lime',
  'Re:  [] mango',
  '[FWD: [fwd: nested]]',
  'Re(2): odd',
  'SV: swedish',
  'AW: german',
  'Re: [fwd: Re: papaya] (fwd)',
  '[unclosed kiwi',
  'ä',
  'b',
  'Ä',
  'Re:\tmango\t(fwd)',
  '=?utf-8?q?Re=3A_quince?=',
  'FWD[x]: quince',
];

/**
 * Dovecot compares base subjects with i;unicode-casemap (RFC 5051: titlecase, then canonical
 * decomposition), ties broken by sequence number. NFD and toUpperCase stand in for it here:
 * they agree on these subjects, and the comparison is the IMAP engine's business, not ours.
 */
function sortKey(subject: string): string {
  return baseSubject(decodeEncodedWords(subject)).normalize('NFD').toUpperCase();
}

describeWithDovecot('SORT (SUBJECT) agrees with Dovecot', () => {
  let theirs: number[] = [];
  beforeAll(async () => {
    const messages = SORT_SUBJECTS.map((subject, i) =>
      Buffer.from(`Subject: ${subject}\r\nMessage-ID: <${i}@example.com>\r\n\r\nx\r\n`),
    );
    theirs = await sortWithDovecot(messages, '(SUBJECT)');
  }, 60_000);

  it('orders tricky subjects as sorting by baseSubject does', () => {
    const ours = SORT_SUBJECTS.map((subject, i) => ({ key: sortKey(subject), sequence: i + 1 }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.sequence - b.sequence))
      .map(({ sequence }) => sequence);
    const show = (order: number[]) => order.map((n) => `${n}:${SORT_SUBJECTS[n - 1]}`);
    expect(show(ours)).toEqual(show(theirs));
  });
});
