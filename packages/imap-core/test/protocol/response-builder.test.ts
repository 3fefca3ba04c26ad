import { describe, expect, it } from 'vitest';
import { ResponseBuilder } from '../../src/protocol/index.js';

const text = (builder: ResponseBuilder) =>
  Buffer.concat(
    builder
      .finish()
      .map((chunk) => (chunk instanceof Uint8Array ? chunk : Buffer.from('<stream>'))),
  ).toString();

describe('ResponseBuilder', () => {
  it('quotes what can be quoted and escapes quotes and backslashes', () => {
    const b = new ResponseBuilder({ utf8: false });
    b.string('hello').raw(' ').string('say "hi" \\o/').raw(' ').string('');
    expect(text(b)).toBe('"hello" "say \\"hi\\" \\\\o/" ""');
  });

  it('sends line breaks, NUL and long strings as literals', () => {
    const b = new ResponseBuilder({ utf8: true });
    b.string('a\r\nb').raw(' ').string('x'.repeat(1025));
    expect(text(b)).toBe(`{4}\r\na\r\nb {1025}\r\n${'x'.repeat(1025)}`);
  });

  it('sends 8-bit text as a literal in IMAP4rev1 and quoted with UTF-8 allowed', () => {
    expect(text(new ResponseBuilder({ utf8: false }).string('Jörg'))).toBe('{5}\r\nJörg');
    expect(text(new ResponseBuilder({ utf8: true }).string('Jörg'))).toBe('"Jörg"');
    const latin1 = Uint8Array.from([0x4a, 0xf6, 0x72, 0x67]);
    expect(new ResponseBuilder({ utf8: true }).string(latin1).finish()).toEqual([
      Buffer.from('{4}\r\n'),
      latin1,
    ]);
  });

  it('writes atoms only where an atom can stand, never NIL', () => {
    const b = new ResponseBuilder({ utf8: false });
    b.astring('INBOX')
      .raw(' ')
      .astring('Sent Items')
      .raw(' ')
      .astring('Nil')
      .raw(' ')
      .astring('a]b');
    expect(text(b)).toBe('INBOX "Sent Items" "Nil" "a]b"');
  });

  it('serializes ImapValue trees', () => {
    const b = new ResponseBuilder({ utf8: false });
    b.value(['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 12, 1]);
    expect(text(b)).toBe('("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 12 1)');
  });

  it('keeps streamed literals as chunks of their own', () => {
    const source = async function* () {
      yield new Uint8Array(3);
    };
    const chunks = new ResponseBuilder({ utf8: false })
      .raw('* 1 FETCH (BODY[] ')
      .stream(3, source)
      .raw(')')
      .crlf()
      .finish();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toMatchObject({ size: 3, binary: false });
  });
});
