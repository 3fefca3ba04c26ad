import { describe, expect, it } from 'vitest';
import { summarize } from '@mailyard/mime';
import { normalizedText } from '../src/spamassassin/charset-normalize.js';
import { SaMessageView } from '../src/spamassassin/message-view.js';
import { TEST_REGISTRY } from './helpers.js';

const octets = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const utf8Hex = (binary: string) => Buffer.from(binary, 'latin1').toString('hex');

/**
 * SpamAssassin 4.0.1's answers (Debian, no Encode::Detect::Detector): the rendered body
 * (`get_rendered_body_text_array`) of a text/plain 8bit part holding these octets under this
 * charset label, as UTF-8 octets in hex.
 */
const SPAMASSASSIN: { what: string; label: string; octets: string; text: string }[] = [
  {
    what: 'Big5 labelled GB2312: not EUC-CN (trail 0x75), read as Windows-1252',
    label: 'gb2312',
    octets: 'adadaec9c075b466',
    text: 'c2adc2adc2aec389c38075c2b466',
  },
  {
    what: 'Shift_JIS labelled EUC-JP: not EUC, read as Windows-1252',
    label: 'euc-jp',
    octets: '96b397bf837c834383938367',
    text: 'e28093c2b3e28094c2bfc6927cc69243c692e2809cc69267',
  },
  {
    what: 'Big5 labelled US-ASCII: Windows-1252',
    label: 'us-ascii',
    octets: 'adadaec9c075b466',
    text: 'c2adc2adc2aec389c38075c2b466',
  },
  {
    what: 'GB2312 labelled so: decoded',
    label: 'gb2312',
    octets: 'ccd8bcdbd3c5bbdd',
    text: 'e789b9e4bbb7e4bc98e683a0',
  },
  {
    what: 'EUC-KR labelled so: decoded',
    label: 'euc-kr',
    octets: 'b9abb7e120c8b8bff8',
    text: 'ebacb4eba38c20ed9a8cec9b90',
  },
  {
    what: 'KOI8-R labelled Windows-1251: every octet is Windows-1251, decoded as such',
    label: 'windows-1251',
    octets: 'e2c5d3d0ccc1d4cec1d1',
    text: 'd0b2d095d0a3d0a0d09cd091d0a4d09ed091d0a1',
  },
];

describe('normalizedText, as SpamAssassin normalizes a charset', () => {
  for (const { what, label, octets: hex, text } of SPAMASSASSIN)
    it(what, () => {
      expect(utf8Hex(normalizedText(octets(hex), label))).toBe(text);
    });
});

describe("the message view's body as SpamAssassin renders it", () => {
  const view = (text: string) => {
    const bytes = Buffer.from(text, 'latin1');
    return new SaMessageView(bytes, summarize(bytes));
  };

  it('heads the body with a raw 8-bit Subject read as Windows-1252, not in the body charset', () => {
    // "Отчёт" in KOI8-R, raw in the Subject and in a koi8-r body. SpamAssassin's
    // get_rendered_body_text_array: c3afc394c39ec2a3c394 (ïÔÞ£Ô) and its line break, then
    // d09ed182d187d191d182 and the space the last line break became.
    const lines = view(
      'From: a@b.c\nSubject: \xef\xd4\xde\xa3\xd4\nMIME-Version: 1.0\n' +
        'Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n' +
        '\xef\xd4\xde\xa3\xd4\n',
    ).body();
    expect(lines.map(utf8Hex)).toEqual(['c3afc394c39ec2a3c3940a', 'd09ed182d187d191d18220']);
  });

  it('reads curly double quotes in HTML as plain ones, in the text and around a link', () => {
    // SpamAssassin renders `"Free" offer here` and lists the URI http://example.com/x.
    const page = view(
      'From: a@b.c\nSubject: t\nMIME-Version: 1.0\n' +
        'Content-Type: text/html; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n' +
        '<html><body><p>\x93Free\x94 offer <a href=\x94http://example.com/x\x94>here</a></p></body></html>\n',
    );
    expect(page.body()).toEqual(['t\n', '\n', '"Free" offer here\n']);
    expect(page.uris(TEST_REGISTRY)).toContain('http://example.com/x');
  });
});
