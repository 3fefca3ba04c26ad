import { describe, expect, it } from 'vitest';
import {
  joinContinuations,
  parameterValue,
  parseContentDisposition,
  parseContentLanguage,
  parseContentType,
  parseMimeTree,
  parseToken,
  partText,
} from '../src/index.js';

describe('parseContentType', () => {
  it('reads type, subtype and parameters, keeping their case and order', () => {
    expect(parseContentType('Text/HTML; Charset="UTF-8"; format=flowed')).toEqual({
      type: 'Text',
      subtype: 'HTML',
      parameters: [
        { name: 'Charset', value: 'UTF-8' },
        { name: 'format', value: 'flowed' },
      ],
    });
  });

  it('drops comments anywhere and unescapes quoted strings', () => {
    expect(parseContentType('(c) text (c)/ (c) plain (c); (c) name = "a\\"b" (c)')).toEqual({
      type: 'text',
      subtype: 'plain',
      parameters: [{ name: 'name', value: 'a"b' }],
    });
  });

  it('takes unquoted values the way senders mean them', () => {
    expect(parseContentType('application/pdf; name=report(1).pdf; x=a=b')?.parameters).toEqual([
      { name: 'name', value: 'report(1).pdf' },
      { name: 'x', value: 'a=b' },
    ]);
  });

  it('answers null when there is no type/subtype, as RFC 2045 5.2 asks', () => {
    expect(parseContentType('garbage')).toBeNull();
    expect(parseContentType('text/')).toBeNull();
    expect(parseContentType('')).toBeNull();
  });

  it('skips junk between parameters and survives unterminated quotes and comments', () => {
    expect(parseContentType('text/plain; ; junk; charset=x ;; (unclosed')?.parameters).toEqual([
      { name: 'charset', value: 'x' },
    ]);
    expect(parseContentType('text/plain; name="open')?.parameters).toEqual([
      { name: 'name', value: 'open' },
    ]);
  });
});

describe('RFC 2231 parameters', () => {
  it('joins continuations and keeps extended values encoded, as Dovecot shows them', () => {
    expect(
      joinContinuations([
        { name: 'charset', value: 'us-ascii' },
        { name: 'title*0*', value: "us-ascii'en'This%20is" },
        { name: 'title*1', value: ' fun' },
        { name: 'short*0', value: 'a' },
        { name: 'short*1', value: 'b' },
      ]),
    ).toEqual([
      { name: 'charset', value: 'us-ascii' },
      { name: 'title*', value: "us-ascii'en'This%20is%20fun" },
      { name: 'short', value: 'ab' },
    ]);
  });

  it('leaves continuations with gaps as they were written', () => {
    const gappy = [
      { name: 'a*0', value: 'x' },
      { name: 'a*2', value: 'z' },
    ];
    expect(joinContinuations(gappy)).toEqual(gappy);
  });

  it('decodes extended values from their charset, preferring them over plain ones (RFC 6266)', () => {
    const { parameters } = parseContentDisposition(
      "attachment; filename=fallback.txt; filename*=iso-8859-1'de'%E4rger.txt",
    );
    expect(parameterValue(parameters, 'FILENAME')).toBe('ärger.txt');
  });

  it('decodes encoded words in plain values, which many clients send', () => {
    const { parameters } = parseContentDisposition('attachment; filename="=?utf-8?B?w6Rw?=.pdf"');
    expect(parameterValue(parameters, 'filename')).toBe('äp.pdf');
    expect(parameterValue(parameters, 'missing')).toBeUndefined();
  });

  it('decodes a joined multi-section UTF-8 name', () => {
    const type = parseContentType("application/x; name*0*=utf-8''%E2%82%AC; name*1*=%20100.txt");
    expect(parameterValue(type!.parameters, 'name')).toBe('€ 100.txt');
  });
});

describe('other MIME fields', () => {
  it('reads Content-Language lists without comments, and tokens such as the transfer encoding', () => {
    expect(parseContentLanguage('en (English), de-CH, ,fr')).toEqual(['en', 'de-CH', 'fr']);
    expect(parseContentLanguage('  ')).toBeNull();
    expect(parseToken(' BASE64 (it is)')).toBe('BASE64');
  });

  it('reads a disposition without a type as an empty type', () => {
    expect(parseContentDisposition('')).toEqual({ type: '', parameters: [] });
  });
});

describe('partText', () => {
  it('undoes the transfer encoding and the charset of a part', () => {
    const message = Buffer.from(
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n' +
        '--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
        'Gr=FC=DFe, J=F6rg\r\n' +
        '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        Buffer.from('Grüße').toString('base64') +
        '\r\n--b--\r\n',
      'latin1',
    );
    const [latin, utf8] = parseMimeTree(message).root.parts!;
    expect(partText(message, latin!)).toBe('Grüße, Jörg');
    expect(partText(message, utf8!)).toBe('Grüße');
  });
});
