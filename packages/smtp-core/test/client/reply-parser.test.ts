import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ReplyParser,
  authMechanisms,
  parseEhloReply,
  replyText,
  sizeLimit,
} from '../../src/protocol/reply-parser.js';
import type { SmtpReply } from '../../src/protocol/smtp-reply.js';
import { formatReply } from '../../src/protocol/smtp-reply.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const bytes = (text: string) => Buffer.from(text, 'utf8');

function replies(parser: ReplyParser, text: string) {
  return parser.push(bytes(text));
}

describe('ReplyParser', () => {
  it('reads single and multi-line replies with their enhanced codes', () => {
    const events = replies(
      new ReplyParser(),
      '220 mx.example.com ESMTP\r\n250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 1000\r\n550 5.1.1 <x@y>: no such user\r\n',
    );
    expect(events).toEqual([
      { kind: 'reply', reply: { code: 220, lines: ['mx.example.com ESMTP'] } },
      { kind: 'reply', reply: { code: 250, lines: ['mx.example.com', 'PIPELINING', 'SIZE 1000'] } },
      { kind: 'reply', reply: { code: 550, enhanced: '5.1.1', lines: ['<x@y>: no such user'] } },
    ]);
  });

  it('takes the enhanced code only when its class matches the reply code', () => {
    const [event] = replies(new ReplyParser(), '550 2.1.1 odd\r\n');
    expect(event).toEqual({ kind: 'reply', reply: { code: 550, lines: ['2.1.1 odd'] } });
  });

  it('strips the enhanced code from every line that repeats it (RFC 2034 3)', () => {
    const [event] = replies(new ReplyParser(), '451-4.7.1 first\r\n451 4.7.1 second\r\n');
    expect(event).toEqual({
      kind: 'reply',
      reply: { code: 451, enhanced: '4.7.1', lines: ['first', 'second'] },
    });
  });

  it('accepts a code with no text, and bare LF line ends', () => {
    expect(replies(new ReplyParser(), '250\n354 go\n')).toEqual([
      { kind: 'reply', reply: { code: 250, lines: [''] } },
      { kind: 'reply', reply: { code: 354, lines: ['go'] } },
    ]);
  });

  it('reads a reply one byte at a time', () => {
    const parser = new ReplyParser();
    const text = '250-2.0.0 a\r\n250-2.0.0 b\r\n250 2.0.0 c\r\n';
    const events = [...bytes(text)].flatMap((byte) => parser.push(Uint8Array.of(byte)));
    expect(events).toEqual([
      { kind: 'reply', reply: { code: 250, enhanced: '2.0.0', lines: ['a', 'b', 'c'] } },
    ]);
    expect(parser.pending).toBe(false);
  });

  it('reports garbage codes, a code change inside a reply, and keeps going after', () => {
    const parser = new ReplyParser();
    expect(replies(parser, 'hello there\r\n')[0]).toMatchObject({
      kind: 'error',
      error: 'bad-syntax',
    });
    expect(replies(parser, '999 nine\r\n')[0]).toMatchObject({
      kind: 'error',
      error: 'bad-syntax',
    });
    expect(replies(parser, '25 short\r\n')[0]).toMatchObject({
      kind: 'error',
      error: 'bad-syntax',
    });
    expect(replies(parser, '250x\r\n')[0]).toMatchObject({ kind: 'error', error: 'bad-syntax' });
    expect(replies(parser, '250-a\r\n550 b\r\n')[0]).toMatchObject({
      kind: 'error',
      error: 'inconsistent-code',
    });
    expect(replies(parser, '250 fine\r\n')).toEqual([
      { kind: 'reply', reply: { code: 250, lines: ['fine'] } },
    ]);
  });

  it('drops an overlong line as it streams, without buffering it', () => {
    const parser = new ReplyParser({ lineLength: 64 });
    const events = [];
    for (let i = 0; i < 1000; i++) events.push(...parser.push(bytes('x'.repeat(1000))));
    // Reported once, as soon as the limit is passed: the server may never end the line.
    expect(events).toEqual([{ kind: 'error', error: 'line-too-long', line: '' }]);
    expect(parser.pending).toBe(true);
    expect(replies(parser, '\r\n')).toEqual([]);
    expect(replies(parser, `250 ${'y'.repeat(58)}\r\n`)).toHaveLength(1);
    expect(replies(parser, `250 ${'y'.repeat(59)}\r\n`)[0]).toMatchObject({
      error: 'line-too-long',
    });
  });

  it('limits the lines of one reply', () => {
    const parser = new ReplyParser({ lines: 3 });
    const events = replies(parser, '250-a\r\n250-b\r\n250-c\r\n250-d\r\n250 e\r\n');
    expect(events[0]).toMatchObject({ kind: 'error', error: 'too-many-lines' });
  });

  it('turns NUL and other control characters in text into U+FFFD', () => {
    const [event] = parser1('550 bad\0text\x1b[31m\r\n');
    expect(event).toEqual({
      kind: 'reply',
      reply: { code: 550, lines: ['bad\uFFFDtext\uFFFD[31m'] },
    });
  });

  it('reads back every reply the server side formats, however the bytes are split', () => {
    const reply = fc.record({
      code: fc.integer({ min: 200, max: 599 }),
      lines: fc.array(fc.stringMatching(/^[ -~]{0,40}$/), { minLength: 1, maxLength: 5 }),
    });
    fc.assert(
      fc.property(
        fc.array(reply, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 17 }),
        (list, step) => {
          const wire = Buffer.concat(
            list.map((r) => formatReply(r, { enhancedStatusCodes: false })),
          );
          const parser = new ReplyParser();
          const events = [];
          for (let i = 0; i < wire.length; i += step)
            events.push(...parser.push(wire.subarray(i, i + step)));
          const expected = list.map((r) => {
            // Lines of a reply are text; a leading enhanced-code lookalike is read as one.
            const parsed = new ReplyParser().push(formatReply(r, { enhancedStatusCodes: false }));
            return parsed[0];
          });
          expect(events).toEqual(expected);
          for (const event of events) {
            expect(event.kind).toBe('reply');
            if (event.kind === 'reply') expect(event.reply.code).toBeGreaterThanOrEqual(200);
          }
        },
      ),
      { seed: 5321, numRuns: runs },
    );
  });

  it('never throws and stays bounded on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (input) => {
        const parser = new ReplyParser({ lineLength: 128, lines: 8 });
        const events = parser.push(input);
        for (const event of events) {
          if (event.kind === 'reply') expect(event.reply.lines.length).toBeLessThanOrEqual(8);
        }
      }),
      { seed: 2920, numRuns: runs },
    );
  });
});

function parser1(text: string) {
  return new ReplyParser().push(bytes(text));
}

describe('EHLO keywords', () => {
  const ehlo = (lines: string[]): SmtpReply => ({ code: 250, lines });

  it('reads keywords and parameters, case-insensitively', () => {
    const capabilities = parseEhloReply(
      ehlo([
        'mx.example.com greets you',
        'pipelining',
        'SIZE 10240000',
        'AUTH PLAIN login',
        'AUTH=CRAM-MD5',
        'DSN',
      ]),
    );
    expect(capabilities.domain).toBe('mx.example.com');
    expect([...capabilities.extensions.keys()]).toEqual(['PIPELINING', 'SIZE', 'AUTH', 'DSN']);
    expect(sizeLimit(capabilities)).toBe(10240000);
    expect(authMechanisms(capabilities)).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
  });

  it('SIZE without a number is no fixed limit; no SIZE is null', () => {
    expect(sizeLimit(parseEhloReply(ehlo(['mx', 'SIZE'])))).toBe(0);
    expect(sizeLimit(parseEhloReply(ehlo(['mx', 'SIZE lots'])))).toBe(0);
    expect(sizeLimit(parseEhloReply(ehlo(['mx'])))).toBeNull();
  });

  it('ignores lines that are not keywords', () => {
    const capabilities = parseEhloReply(ehlo(['mx', '', '  ', '-weird', '\uFFFD', '8BITMIME']));
    expect([...capabilities.extensions.keys()]).toEqual(['8BITMIME']);
  });

  it('formats a reply on one line for diagnostics', () => {
    expect(replyText({ code: 550, enhanced: '5.1.1', lines: ['no such', 'user'] })).toBe(
      '550 5.1.1 no such user',
    );
    expect(replyText({ code: 250, lines: [''] })).toBe('250');
  });
});
