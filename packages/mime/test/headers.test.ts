import { describe, expect, it } from 'vitest';
import { parseHeaders, scanHeaderBlock } from '../src/index.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('parseHeaders', () => {
  it('unfolds folded fields, keeping the whitespace after each fold', () => {
    const headers = parseHeaders(bytes('Subject: one\r\n two\r\n\tthree\r\n\r\nbody'));
    expect(headers.get('subject')).toBe('one two\tthree');
  });

  it('looks fields up case-insensitively and keeps repeated fields in order', () => {
    const headers = parseHeaders(bytes('Received: a\r\nRECEIVED: b\r\nreceived: c\r\n\r\n'));
    expect(headers.getAll('Received')).toEqual(['a', 'b', 'c']);
    expect(headers.get('RECEIVED')).toBe('a');
    expect(headers.has('x-missing')).toBe(false);
    expect(headers.get('x-missing')).toBeUndefined();
  });

  it('keeps the raw bytes of every field, line endings and folds included', () => {
    const message = bytes('To: a@b,\r\n c@d\r\nSubject: hi\r\n\r\n');
    const headers = parseHeaders(message);
    const [to] = headers.lookup('to');
    expect(Buffer.from(headers.raw(to!)).toString()).toBe('To: a@b,\r\n c@d\r\n');
    expect(Buffer.from(headers.rawValue(to!)).toString()).toBe('a@b, c@d');
  });

  it('places the body just past the blank line, for CRLF and bare LF alike', () => {
    expect(parseHeaders(bytes('A: 1\r\n\r\nbody')).bodyStart).toBe(8);
    expect(parseHeaders(bytes('A: 1\n\nbody')).bodyStart).toBe(6);
    const headers = parseHeaders(bytes('A: 1\r\n\r\nbody'));
    expect(Buffer.from(headers.section()).toString()).toBe('A: 1\r\n\r\n');
  });

  it('reads a header with no blank line as running to the end', () => {
    const message = bytes('A: 1\r\nB: 2');
    const headers = parseHeaders(message);
    expect(headers.getAll('b')).toEqual(['2']);
    expect(headers.bodyStart).toBe(message.length);
  });

  it('accepts whitespace before the colon (RFC 5322 obsolete syntax)', () => {
    expect(parseHeaders(bytes('Subject : spaced\r\n\r\n')).get('subject')).toBe('spaced');
  });

  it('keeps a line without a colon as its own field, so it cannot swallow the next one', () => {
    const headers = parseHeaders(bytes('From someone Tue Aug 6\r\nSubject: after\r\n\r\n'));
    expect(headers.fields.map((f) => f.name)).toEqual(['From someone Tue Aug 6', 'Subject']);
    expect(headers.get('subject')).toBe('after');
  });

  it('folds a leading continuation line into nothing rather than failing', () => {
    const headers = parseHeaders(bytes(' stray\r\nSubject: x\r\n\r\n'));
    expect(headers.get('subject')).toBe('x');
  });

  it('reads 8-bit values as UTF-8 when valid, else in the hinted or fallback charset', () => {
    expect(parseHeaders(utf8('Subject: Grüße\r\n\r\n')).get('subject')).toBe('Grüße');
    expect(parseHeaders(bytes('Subject: Gr\xfc\xdfe\r\n\r\n')).get('subject')).toBe('Grüße');
  });

  it('iterates fields as name and value pairs', () => {
    const headers = parseHeaders(bytes('A: 1\r\nB: 2\r\n\r\n'));
    expect([...headers]).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
  });

  it('survives NUL bytes and keeps them in the value', () => {
    const headers = parseHeaders(bytes('Subject: a\x00b\r\n\r\n'));
    expect(headers.get('subject')).toBe('a\x00b');
  });
});

describe('scanHeaderBlock', () => {
  it('stops at a line the caller recognises, such as a MIME boundary', () => {
    const message = bytes('Content-Type: text/html\r\n--b\r\n\r\nbody');
    const layout = scanHeaderBlock(
      message,
      0,
      message.length,
      (start) => message[start + 2] === 0x62,
    );
    expect(layout.fields.map((f) => f.name)).toEqual(['Content-Type']);
    expect(layout.bodyStart).toBe(25);
  });

  it('respects the limit it is given', () => {
    const message = bytes('A: 1\r\nB: 2\r\n\r\n');
    const layout = scanHeaderBlock(message, 0, 6);
    expect(layout.fields.map((f) => f.name)).toEqual(['A']);
    expect(layout.bodyStart).toBe(6);
  });

  it('stays linear on a 10 MB single header line', () => {
    const huge = Buffer.concat([
      bytes('Subject: '),
      Buffer.alloc(10 * 1024 * 1024, 0x61),
      bytes('\r\n\r\nx'),
    ]);
    const headers = parseHeaders(huge);
    expect(headers.get('subject')!.length).toBe(10 * 1024 * 1024);
    expect(headers.bodyStart).toBe(huge.length - 1);
  });

  it('indexes at most MIME_LIMITS.maxHeaderFields fields but still finds the end', () => {
    const many = bytes('A: 1\r\n'.repeat(20_000) + '\r\nbody');
    const headers = parseHeaders(many);
    expect(headers.fields.length).toBe(10_000);
    expect(headers.bodyStart).toBe(many.length - 4);
  });
});
