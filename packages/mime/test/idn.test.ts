import { domainToASCII as whatwgDomainToAscii } from 'node:url';
import { describe, expect, it } from 'vitest';
import { domainToAscii, domainToUnicode } from '../src/index.js';

describe('domainToAscii', () => {
  it('encodes non-ASCII labels as punycode A-labels', () => {
    expect(domainToAscii('münchen.example')).toBe('xn--mnchen-3ya.example');
    expect(domainToAscii('例子.广告')).toBe('xn--fsqu00a.xn--4rr70v');
  });

  it('agrees with the WHATWG URL parser (full UTS #46) on lower-case NFC domains', () => {
    for (const domain of [
      'münchen.example',
      'пошта.укр',
      'παράδειγμα.ελ',
      'डाटा.भारत',
      '例子.广告',
      'bücher.de',
    ]) {
      expect(domainToAscii(domain)).toBe(whatwgDomainToAscii(domain));
    }
  });

  it('lower-cases and NFC-normalises before encoding (the simple part of UTS #46)', () => {
    expect(domainToAscii('Müller.de')).toBe('xn--mller-kva.de');
    expect(domainToAscii('mu\u0308ller.de')).toBe('xn--mller-kva.de');
  });

  it('treats ideographic and fullwidth full stops as dots', () => {
    expect(domainToAscii('例え。テスト')).toBe('xn--r8jz45g.xn--zckzah');
  });

  it('leaves ASCII labels, domain literals and overlong labels unchanged', () => {
    expect(domainToAscii('Example.COM')).toBe('Example.COM');
    expect(domainToAscii('[1.2.3.4]')).toBe('[1.2.3.4]');
    const long = 'ü'.repeat(64);
    expect(domainToAscii(`${long}.de`)).toBe(`${long}.de`);
  });
});

describe('domainToUnicode', () => {
  it('decodes A-labels, in either case', () => {
    expect(domainToUnicode('xn--mnchen-3ya.example')).toBe('münchen.example');
    expect(domainToUnicode('XN--MNCHEN-3YA.example')).toBe('münchen.example');
    expect(domainToUnicode('xn--ls8h.la')).toBe('💩.la');
  });

  it('leaves invalid A-labels, ASCII labels and domain literals unchanged', () => {
    expect(domainToUnicode('xn--abc-.example')).toBe('xn--abc-.example');
    expect(domainToUnicode('xn--zz.example')).toBe('xn--zz.example');
    expect(domainToUnicode('xn--.example')).toBe('xn--.example');
    expect(domainToUnicode('[1.2.3.4]')).toBe('[1.2.3.4]');
    expect(domainToUnicode('')).toBe('');
  });

  it('round-trips with domainToAscii', () => {
    for (const domain of ['münchen.example', 'пошта.укр', 'παράδειγμα.ελ', 'डाटा.भारत']) {
      expect(domainToUnicode(domainToAscii(domain))).toBe(domain);
    }
  });
});
