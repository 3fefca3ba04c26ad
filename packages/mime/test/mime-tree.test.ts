import { describe, expect, it } from 'vitest';
import { type MimePart, findSection, parseMimeTree, partText, sectionRange } from '../src/index.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
const slice = (message: Buffer, part: { start: number; end: number } | null) =>
  part && message.toString('utf8', part.start, part.end);
const body = (message: Buffer, part: MimePart) =>
  message.toString('utf8', part.bodyStart, part.end);
const header = (message: Buffer, part: MimePart) =>
  message.toString('utf8', part.headerStart, part.bodyStart);

describe('parseMimeTree: a single-part message', () => {
  const message = crlf([
    'Subject: hi',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'line 1',
    'line 2',
    '',
  ]);
  const { root, envelope } = parseMimeTree(message);

  it('records header and body offsets and counts body lines', () => {
    expect(header(message, root)).toBe(
      'Subject: hi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n',
    );
    expect(body(message, root)).toBe('line 1\r\nline 2\r\n');
    expect(root.lines).toBe(2);
    expect(root.end).toBe(message.length);
  });

  it('reads the content type and the envelope', () => {
    expect(root.contentType).toEqual({
      type: 'text',
      subtype: 'plain',
      parameters: [{ name: 'charset', value: 'utf-8' }],
    });
    expect(envelope.subject).toBe('hi');
  });

  it('defaults to text/plain without a Content-Type', () => {
    const { root } = parseMimeTree(crlf(['Subject: x', '', 'body']));
    expect(root.contentType).toEqual({ type: 'text', subtype: 'plain', parameters: [] });
    expect(root.contentTypeGiven).toBe(false);
  });
});

describe('parseMimeTree: multiparts', () => {
  const message = crlf([
    'Content-Type: multipart/mixed; boundary=outer',
    '',
    'preamble',
    '--outer',
    'Content-Type: text/plain',
    '',
    'first',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    '--inner',
    '',
    'plain alternative',
    '--inner',
    'Content-Type: text/html',
    '',
    '<p>html</p>',
    '--inner--',
    '--outer',
    'Content-Type: message/rfc822',
    '',
    'Subject: attached',
    '',
    'attached body',
    '--outer--',
    'epilogue',
  ]);
  const { root } = parseMimeTree(message);

  it('finds every part and keeps the line ending before a boundary out of the part', () => {
    expect(root.parts).toHaveLength(3);
    const [first, alternative, attached] = root.parts!;
    expect(body(message, first!)).toBe('first');
    expect(alternative!.parts!.map((p) => body(message, p))).toEqual([
      'plain alternative',
      '<p>html</p>',
    ]);
    expect(body(message, attached!)).toBe('Subject: attached\r\n\r\nattached body');
  });

  it('parses an encapsulated message with its own envelope', () => {
    const attached = root.parts![2]!;
    expect(attached.message?.envelope.subject).toBe('attached');
    expect(body(message, attached.message!.body)).toBe('attached body');
  });

  it('gives digest parts message/rfc822 as their default type', () => {
    const digest = crlf([
      'Content-Type: multipart/digest; boundary=d',
      '',
      '--d',
      '',
      'Subject: s',
      '',
      'b',
      '--d--',
    ]);
    const part = parseMimeTree(digest).root.parts![0]!;
    expect(part.contentType.type).toBe('message');
    expect(part.message?.envelope.subject).toBe('s');
  });

  it('ends the last part at the end of data when the final boundary is missing', () => {
    const truncated = crlf([
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      '',
      'one',
      '--b',
      '',
      'two',
    ]);
    expect(parseMimeTree(truncated).root.parts!.map((p) => body(truncated, p))).toEqual([
      'one',
      'two',
    ]);
  });

  it('gives a multipart without boundary or without parts one empty part', () => {
    for (const lines of [
      ['Content-Type: multipart/mixed', '', 'text'],
      ['Content-Type: multipart/mixed; boundary=b', '', '--b--'],
    ]) {
      const parts = parseMimeTree(crlf(lines)).root.parts!;
      expect(parts).toHaveLength(1);
      expect(parts[0]!.end - parts[0]!.bodyStart).toBe(0);
    }
  });

  it('matches boundaries by prefix and picks the longest match (RFC 2046 5.1.1, Dovecot)', () => {
    const tricky = crlf([
      'Content-Type: multipart/mixed; boundary=abcd',
      '',
      '--abcd',
      'Content-Type: multipart/mixed; boundary=abc',
      '',
      '--abc',
      '',
      'inner',
      '--abcd',
      '',
      'outer',
      '--abcd--',
    ]);
    const { root } = parseMimeTree(tricky);
    expect(root.parts!.map((p) => (p.parts ? 'multipart' : body(tricky, p)))).toEqual([
      'multipart',
      'outer',
    ]);
  });

  it('does not take a boundary written quoted-printable inside a part for a real one', () => {
    // "=_" boundaries cannot occur in quoted-printable output: "=" is always written "=3D".
    const message = crlf([
      'Content-Type: multipart/alternative; boundary="=_NextPart_abc"',
      '',
      '--=_NextPart_abc',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'A quoted boundary:',
      '--=3D_NextPart_abc',
      'still the same part',
      '--=_NextPart_abc--',
    ]);
    const { root } = parseMimeTree(message);
    expect(root.parts).toHaveLength(1);
    expect(partText(message, root.parts![0]!)).toBe(
      'A quoted boundary:\r\n--=_NextPart_abc\r\nstill the same part',
    );
  });

  it('ends a header at a boundary line even without a blank line', () => {
    const cut = crlf([
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/html',
      '--b',
      '',
      'two',
      '--b--',
    ]);
    const [first, second] = parseMimeTree(cut).root.parts!;
    expect(first!.contentType.subtype).toBe('html');
    expect(first!.end - first!.bodyStart).toBe(0);
    expect(body(cut, second!)).toBe('two');
  });
});

describe('sections', () => {
  const message = crlf([
    'Content-Type: multipart/mixed; boundary=b',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'one',
    '--b',
    'Content-Type: message/rfc822',
    '',
    'Subject: inner',
    'Content-Type: multipart/alternative; boundary=c',
    '',
    '--c',
    '',
    'alt',
    '--c--',
    '--b--',
    '',
  ]);
  const { root } = parseMimeTree(message);

  it('addresses parts, MIME headers and encapsulated messages as RFC 9051 numbers them', () => {
    expect(slice(message, sectionRange(root, [1]))).toBe('one');
    expect(slice(message, sectionRange(root, [1], 'MIME'))).toBe(
      'Content-Type: text/plain\r\n\r\n',
    );
    expect(slice(message, sectionRange(root, [2], 'HEADER'))).toMatch(
      /^Subject: inner\r\n.*\r\n\r\n$/s,
    );
    expect(slice(message, sectionRange(root, [2, 1]))).toBe('alt');
    expect(slice(message, sectionRange(root, [], 'HEADER'))).toBe(
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n',
    );
    expect(slice(message, sectionRange(root, []))).toBe(message.toString());
  });

  it('answers null for sections that do not exist', () => {
    expect(sectionRange(root, [3])).toBeNull();
    expect(sectionRange(root, [1], 'HEADER')).toBeNull();
    expect(sectionRange(root, [], 'MIME')).toBeNull();
    expect(findSection(root, [2, 5])).toBeNull();
  });

  it('treats part 1 of a single-part message as its body', () => {
    const single = crlf(['Subject: s', '', 'text']);
    const tree = parseMimeTree(single).root;
    expect(slice(single, sectionRange(tree, [1]))).toBe('text');
    expect(slice(single, sectionRange(tree, [1], 'MIME'))).toBe('Subject: s\r\n\r\n');
  });
});
