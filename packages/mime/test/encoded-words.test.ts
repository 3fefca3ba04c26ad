import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from '../src/index.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const HOSTILE_TIMEOUT = 60_000;

describe('decodeEncodedWords: RFC 2047 section 8 examples', () => {
  it('decodes the header examples', () => {
    expect(decodeEncodedWords('=?US-ASCII?Q?Keith_Moore?=')).toBe('Keith Moore');
    expect(decodeEncodedWords('=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=')).toBe('Keld Jørn Simonsen');
    expect(decodeEncodedWords('=?ISO-8859-1?Q?Andr=E9?= Pirard')).toBe('André Pirard');
    expect(
      decodeEncodedWords(
        '=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=',
      ),
    ).toBe('If you can read this you understand the example.');
    expect(decodeEncodedWords('=?ISO-8859-1?Q?Olle_J=E4rnefors?=')).toBe('Olle Järnefors');
    expect(decodeEncodedWords('=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=')).toBe('Patrik Fältström');
    expect(decodeEncodedWords('=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=')).toBe('םולש ןב ילטפנ');
  });

  it('drops whitespace between adjacent encoded words, and only there (the examples table)', () => {
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?=)')).toBe('(a)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?= b)')).toBe('(a b)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)')).toBe('(ab)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)')).toBe('(ab)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)')).toBe('(ab)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a_b?=)')).toBe('(a b)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)')).toBe('(a b)');
  });
});

describe('decodeEncodedWords: what real mail sends', () => {
  it('returns text without encoded words unchanged', () => {
    expect(decodeEncodedWords('plain = text? yes')).toBe('plain = text? yes');
    expect(decodeEncodedWords('')).toBe('');
  });

  it('joins the bytes of adjacent same-charset words, so split multibyte characters survive', () => {
    // "€" is E2 82 AC in UTF-8, cut after its second byte.
    expect(decodeEncodedWords('=?utf-8?b?4oI=?= =?UTF-8?B?rA==?=')).toBe('€');
    expect(decodeEncodedWords('=?utf-8?q?=E2=82?=\t=?UTF-8?Q?=AC?=')).toBe('€');
    expect(decodeEncodedWords('=?utf-8?q?=E2?= =?utf-8?b?gqw=?=')).toBe('€');
    expect(decodeEncodedWords('=?utf8?q?=E2=82?= =?UTF-8?q?=AC?=')).toBe('€');
  });

  it('does not join words across plain text', () => {
    expect(decodeEncodedWords('=?utf-8?q?a?= and =?utf-8?q?b?=')).toBe('a and b');
  });

  it('decodes words not separated from the surrounding text', () => {
    expect(decodeEncodedWords('foo=?utf-8?q?bar?=baz')).toBe('foobarbaz');
    expect(decodeEncodedWords('=?utf-8?q?a?==?utf-8?q?b?=')).toBe('ab');
  });

  it('ignores an RFC 2231 language suffix on the charset', () => {
    expect(decodeEncodedWords('=?utf-8*en?Q?Hello?=')).toBe('Hello');
    expect(decodeEncodedWords('=?ISO-8859-1*de?Q?Gr=FC=DFe?=')).toBe('Grüße');
  });

  it('falls back to UTF-8, then Windows-1252, for unknown charsets', () => {
    expect(decodeEncodedWords('=?x-unknown?q?J=C3=B6rg?=')).toBe('Jörg');
    expect(decodeEncodedWords('=?x-unknown?q?J=F6rg?=')).toBe('Jörg');
    expect(decodeEncodedWords('=?x-unknown?q?=80?=')).toBe('€');
  });

  it('does not decode UTF-7, which smuggles markup past filters', () => {
    expect(decodeEncodedWords('=?utf-7?q?+ADw-script+AD4-?=')).toBe('+ADw-script+AD4-');
    expect(decodeEncodedWords('=?UTF-7?B?K0FEdy1zY3JpcHQrQUQ0LQ==?=')).toBe('+ADw-script+AD4-');
  });

  it('accepts Q text holding literal spaces or question marks from broken clients', () => {
    expect(decodeEncodedWords('=?utf-8?q?hello world?=')).toBe('hello world');
    expect(decodeEncodedWords('=?utf-8?q?what? ok?=')).toBe('what? ok');
  });

  it('reads base64 with missing, extra or misplaced padding', () => {
    expect(decodeEncodedWords('=?utf-8?b?YQ?=')).toBe('a');
    expect(decodeEncodedWords('=?utf-8?b?YWI?=')).toBe('ab');
    expect(decodeEncodedWords('=?utf-8?b?YQ===?=')).toBe('a');
    expect(decodeEncodedWords('=?utf-8?b?YQ==Yg==?=')).toBe('ab');
  });

  it('accepts lowercase q and b', () => {
    expect(decodeEncodedWords('=?utf-8?q?=C3=A9?= =?utf-8?b?w6k=?=')).toBe('éé');
  });

  it('decodes empty encoded text to nothing', () => {
    expect(decodeEncodedWords('a =?utf-8?q??= b')).toBe('a  b');
    expect(decodeEncodedWords('=?utf-8?q?x?= =?utf-8?b??= =?utf-8?q?y?=')).toBe('xy');
  });

  it('leaves a word that never closes, or is malformed, as it is', () => {
    expect(decodeEncodedWords('=?utf-8?q?unclosed')).toBe('=?utf-8?q?unclosed');
    expect(decodeEncodedWords('=?utf-8?x?y?=')).toBe('=?utf-8?x?y?=');
    expect(decodeEncodedWords('=??q?y?=')).toBe('=??q?y?=');
    expect(decodeEncodedWords('=?utf-8?b?not base64?=')).toBe('=?utf-8?b?not base64?=');
    expect(decodeEncodedWords('=?utf-8?q?broken =?utf-8?q?ok?=')).toBe('=?utf-8?q?broken ok');
  });

  it('keeps a malformed =XX and a stray = before the end literally', () => {
    expect(decodeEncodedWords('=?utf-8?q?100=ZZ?=')).toBe('100=ZZ');
    expect(decodeEncodedWords('=?utf-8?q?a=?=')).toBe('a=');
  });

  it('keeps literal non-ASCII characters inside Q text', () => {
    expect(decodeEncodedWords('=?iso-8859-1?q?J=F6rg_M=FCller_€?=')).toBe('Jörg Müller €');
  });

  it('reads NUL bytes as characters', () => {
    expect(decodeEncodedWords('a\0=?utf-8?q?=00b?=')).toBe('a\0\0b');
  });
});

/** Encodes UTF-8 bytes as one or more encoded words, cut anywhere, even inside a character. */
function encodeWords(bytes: Buffer, cuts: number[], kinds: boolean[], gaps: string[]): string {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) chunks.push(bytes.subarray(from, point));
    from = Math.max(from, point);
  }
  return chunks
    .map((chunk, i) => {
      const text = kinds[i % kinds.length]
        ? `=?UTF-8?B?${chunk.toString('base64')}?=`
        : `=?utf-8?q?${[...chunk].map((b) => (b > 0x20 && b < 0x7f && !'=?_'.includes(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).padStart(2, '0')}`)).join('')}?=`;
      return (i > 0 ? gaps[i % gaps.length] : '') + text;
    })
    .join('');
}

describe('decodeEncodedWords: properties', () => {
  it('gives back any text encoded as words split anywhere (fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.array(fc.nat(200), { maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom('', ' ', '\t', '\r\n '), { minLength: 1, maxLength: 3 }),
        (text, cuts, kinds, gaps) => {
          const bytes = Buffer.from(text);
          expect(decodeEncodedWords(encodeWords(bytes, cuts, kinds, gaps))).toBe(bytes.toString());
        },
      ),
      { seed: 42, numRuns: runs },
    );
  });

  it('never throws on random text made of encoded-word pieces (fixed seed)', () => {
    const piece = fc.constantFrom(
      '=?',
      '?=',
      'utf-8',
      '?q?',
      '?B?',
      '=C3',
      '=A9',
      '_',
      ' ',
      'YQ==',
      '*en',
      '?',
      '=',
      'x',
      'é',
      '\0',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        expect(typeof decodeEncodedWords(pieces.join(''))).toBe('string');
      }),
      { seed: 42, numRuns: runs },
    );
  });
});

describe('decodeEncodedWords: hostile input', () => {
  it(
    'stays linear on 10 MB of word starts that never close',
    () => {
      const text = '=?'.repeat(5_000_000);
      expect(decodeEncodedWords(text) === text).toBe(true);
      const q = '=?utf-8?q?'.repeat(1_000_000);
      expect(decodeEncodedWords(q) === q).toBe(true);
    },
    HOSTILE_TIMEOUT,
  );

  it(
    'decodes a 10 MB run of adjacent words and a 10 MB single word',
    () => {
      // Compared as a boolean: a failure must not print 10 MB.
      const run = '=?utf-8?q?=C3=A9?= '.repeat(500_000).trimEnd();
      expect(decodeEncodedWords(run) === 'é'.repeat(500_000)).toBe(true);
      const word = `=?utf-8?b?${Buffer.from('x'.repeat(7_500_000)).toString('base64')}?=`;
      expect(decodeEncodedWords(word)).toHaveLength(7_500_000);
    },
    HOSTILE_TIMEOUT,
  );
});
