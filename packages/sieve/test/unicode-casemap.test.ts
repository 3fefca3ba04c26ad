/** `comparator-i;unicode-casemap` (RFC 5051): titlecase (simple), then NFKD, then octets. */
import { describe, expect, it } from 'vitest';
import { unicodeCasemap } from '../src/index.js';
import { compileErrors, run, summary } from './helpers.js';

const REQUIRE = 'require ["fileinto", "comparator-i;unicode-casemap", "relational"];\n';

function filed(test: string, subject: string): string[] {
  const message = `From: a@example.com\r\nTo: b@example.com\r\nSubject: ${subject}\r\n\r\nx\r\n`;
  return summary(run(`${REQUIRE}if ${test} { fileinto "Y"; }\n`, message).actions);
}

describe('i;unicode-casemap', () => {
  it('gives the canonical form of RFC 5051: simple titlecase, then NFKD', () => {
    expect(unicodeCasemap('été')).toBe('E\u0301TE\u0301');
    expect(unicodeCasemap('Été')).toBe(unicodeCasemap('ÉTÉ'));
    // The digraphs map to their titlecase forms, not to uppercase.
    expect(unicodeCasemap('\u01C6')).toBe(unicodeCasemap('\u01C4'));
    // ß has no simple titlecase mapping (its full mapping is "Ss"): it stays.
    expect(unicodeCasemap('ß')).toBe('ß');
    // NFKD: compatibility characters decompose.
    expect(unicodeCasemap('ﬁ')).toBe('fi');
    expect(unicodeCasemap('Ⅸ')).toBe('IX');
  });

  it('compares without case beyond ASCII where i;ascii-casemap cannot', () => {
    const is = (comparator: string) =>
      filed(
        `header :is :comparator "${comparator}" "subject" "ÉTÉ À PARIS"`,
        '=?UTF-8?Q?=C3=A9t=C3=A9_=C3=A0_Paris?=',
      );
    expect(is('i;unicode-casemap')).toEqual(['fileinto:Y']);
    expect(is('i;ascii-casemap')).toEqual(['implicit-keep']);
    expect(
      filed('header :contains :comparator "i;unicode-casemap" "subject" "ÖL"', 'Heizöl billig'),
    ).toEqual(['fileinto:Y']);
    expect(
      filed('header :matches :comparator "i;unicode-casemap" "subject" "*ÖL*"', 'Heizöl billig'),
    ).toEqual(['fileinto:Y']);
    expect(filed('header :value "lt" :comparator "i;unicode-casemap" "subject" "b"', 'A')).toEqual([
      'fileinto:Y',
    ]);
  });

  it('needs require', () => {
    expect(
      compileErrors('if header :is :comparator "i;unicode-casemap" "subject" "x" { stop; }'),
    ).not.toEqual([]);
  });
});
