/** The byte-level codecs: line splitting, message encoding (CRLF, dot-stuffing, TOP), unstuffing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, type LineEvent } from '../src/protocol/line-splitter.js';
import { MessageEncoder } from '../src/protocol/message-encoder.js';
import { ResponseReader, parseStatusLine } from '../src/protocol/response-reader.js';
import { WireSizeCounter } from '../src/protocol/wire-size.js';

const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

function drain(splitter: LineSplitter): (string | 'overlong')[] {
  const out: (string | 'overlong')[] = [];
  for (let event: LineEvent | null; (event = splitter.next());) {
    out.push(event.type === 'line' ? event.line.toString('latin1') : 'overlong');
  }
  return out;
}

/** Splits bytes at the given cut points (sorted, deduplicated, inside the data). */
function pieces(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

function encode(message: Buffer, cuts: number[] = [], bodyLines?: number): Buffer {
  const encoder = new MessageEncoder(bodyLines === undefined ? {} : { bodyLines });
  const out: Buffer[] = [];
  for (const piece of pieces(message, cuts)) out.push(encoder.push(piece));
  out.push(encoder.end());
  return Buffer.concat(out);
}

/** What a client gets back from an encoded response, with the reader under test. */
function decode(wire: Buffer, cuts: number[] = []): { text: Buffer; rest: Buffer } {
  const reader = new ResponseReader();
  reader.expectData();
  const text: Buffer[] = [];
  let ended = false;
  for (const piece of pieces(wire, cuts)) {
    reader.push(piece);
    for (let e = reader.next(); e && !ended; e = ended ? null : reader.next()) {
      if (e.type === 'data') text.push(e.chunk);
      else if (e.type === 'end') ended = true;
    }
  }
  expect(ended).toBe(true);
  return { text: Buffer.concat(text), rest: Buffer.alloc(reader.buffered) };
}

/**
 * The message as a client must see it: every line ending CRLF, a final CRLF added if missing
 * (after a CR that ends the message too: no LF follows it, so it is not a line ending).
 */
function crlfForm(message: Buffer): Buffer {
  let text = message.toString('latin1').replace(/\r?\n/g, '\r\n');
  if (text.length > 0 && !text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(text, 'latin1');
}

describe('LineSplitter', () => {
  it('splits CRLF and bare LF lines, in any chunking', () => {
    const splitter = new LineSplitter(100);
    for (const byte of Buffer.from('USER a\r\nPASS b c\nQUIT\r')) {
      splitter.push(Buffer.from([byte]));
    }
    expect(drain(splitter)).toEqual(['USER a', 'PASS b c']);
    splitter.push(Buffer.from('\n'));
    expect(drain(splitter)).toEqual(['QUIT']);
  });

  it('reports an overlong line once and drops it without keeping it', () => {
    const splitter = new LineSplitter(10);
    splitter.push(Buffer.from('x'.repeat(50)));
    expect(drain(splitter)).toEqual(['overlong']);
    expect(splitter.buffered).toBe(0);
    splitter.push(Buffer.from('y'.repeat(5000)));
    expect(drain(splitter)).toEqual([]);
    expect(splitter.buffered).toBe(0);
    splitter.push(Buffer.from('zz\r\nSTAT\r\n'));
    expect(drain(splitter)).toEqual(['STAT']);
  });

  it('accepts a line of exactly the limit, CR arriving alone', () => {
    const splitter = new LineSplitter(4);
    splitter.push(Buffer.from('STAT\r'));
    expect(drain(splitter)).toEqual([]);
    splitter.push(Buffer.from('\nNOOPX\r\n'));
    expect(drain(splitter)).toEqual(['STAT', 'overlong']);
  });

  it('discards what was buffered (plaintext pipelined after STLS)', () => {
    const splitter = new LineSplitter(100);
    splitter.push(Buffer.from('STLS\r\nUSER evil\r\n'));
    expect(splitter.next()).toMatchObject({ type: 'line' });
    splitter.discard();
    expect(splitter.next()).toBeNull();
  });

  it('never holds more than the limit plus a chunk, and agrees with a reference split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', '\r', '\n', '\r\n', 'x'.repeat(30)), {
          maxLength: 60,
        }),
        fc.array(fc.nat(2000), { maxLength: 10 }),
        (tokens, cuts) => {
          const input = Buffer.from(tokens.join(''), 'latin1');
          const limit = 20;
          const splitter = new LineSplitter(limit);
          const got: (string | 'overlong')[] = [];
          for (const piece of pieces(input, cuts)) {
            splitter.push(piece);
            got.push(...drain(splitter));
            expect(splitter.buffered).toBeLessThanOrEqual(limit + 1 + piece.length);
          }
          const complete = input.toString('latin1').split('\n');
          const tail = complete.pop()!;
          const expected = complete.map((l) => {
            const line = l.endsWith('\r') ? l.slice(0, -1) : l;
            return line.length > limit ? 'overlong' : line;
          });
          const tailLine = tail.endsWith('\r') ? tail.slice(0, -1) : tail;
          if (tailLine.length > limit) expected.push('overlong');
          expect(got).toEqual(expected);
        },
      ),
      { seed: 1939, numRuns: RUNS },
    );
  });
});

describe('MessageEncoder', () => {
  it('dot-stuffs, turns bare LF into CRLF and terminates', () => {
    const wire = encode(Buffer.from('Subject: x\n\n.hidden\n..two\nlast'));
    expect(wire.toString()).toBe('Subject: x\r\n\r\n..hidden\r\n...two\r\nlast\r\n.\r\n');
  });

  it('sends a CRLF message unchanged and without copying it', () => {
    const message = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    const encoder = new MessageEncoder();
    const out = encoder.push(message);
    expect(out.buffer).toBe(message.buffer);
    expect(Buffer.concat([out, encoder.end()]).toString()).toBe(`${message}.\r\n`);
  });

  it('terminates an empty message with the dot line only', () => {
    expect(encode(Buffer.alloc(0)).toString()).toBe('.\r\n');
  });

  it('keeps a bare CR inside a line, and at the end of the message, before the added CRLF', () => {
    expect(encode(Buffer.from('a\rb\r\nc\r')).toString()).toBe('a\rb\r\nc\r\r\n.\r\n');
    expect(encode(Buffer.from('a\r\nc\r'), [4]).toString()).toBe('a\r\nc\r\r\n.\r\n');
    expect(encode(Buffer.from('A: 1\r\n\r\nc\r'), [], 3).toString()).toBe(
      'A: 1\r\n\r\nc\r\r\n.\r\n',
    );
  });

  it('stuffs a dot that starts a chunk at a line start', () => {
    expect(encode(Buffer.from('a\r\n.b\r\n'), [3]).toString()).toBe('a\r\n..b\r\n.\r\n');
  });

  describe('TOP', () => {
    const message = Buffer.from('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n');

    it('sends the header and blank line for 0 lines', () => {
      expect(encode(message, [], 0).toString()).toBe('A: 1\r\nB: 2\r\n\r\n.\r\n');
    });

    it('sends n body lines', () => {
      expect(encode(message, [], 2).toString()).toBe('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n.\r\n');
    });

    it('sends the whole message when n is larger than the body', () => {
      expect(encode(message, [], 1e12).toString()).toBe(`${message}.\r\n`);
    });

    it('sends a message without a body as it is (all header)', () => {
      expect(encode(Buffer.from('A: 1\nB: 2'), [], 5).toString()).toBe('A: 1\r\nB: 2\r\n.\r\n');
      expect(encode(Buffer.from('A: 1\r\n\r\n'), [], 5).toString()).toBe('A: 1\r\n\r\n.\r\n');
    });

    it('counts a last body line without a line ending', () => {
      expect(encode(Buffer.from('A: 1\n\nx\ny'), [], 2).toString()).toBe(
        'A: 1\r\n\r\nx\r\ny\r\n.\r\n',
      );
    });

    it('says when it is done, so the rest of a big message is never read', () => {
      const encoder = new MessageEncoder({ bodyLines: 1 });
      encoder.push(Buffer.from('A: 1\r\n\r\nfirst\r\nsecond'));
      expect(encoder.done).toBe(true);
      expect(encoder.push(Buffer.from('more'))).toHaveLength(0);
    });
  });

  const messageBytes = fc
    .array(fc.constantFrom('a', '.', '\r', '\n', '\r\n', '.\r\n', 'Subject: x', ' '), {
      maxLength: 80,
    })
    .map((tokens) => Buffer.from(tokens.join(''), 'latin1'));

  it('round-trips through the reader to the CRLF form, whatever the chunking', () => {
    fc.assert(
      fc.property(
        messageBytes,
        fc.array(fc.nat(200), { maxLength: 8 }),
        fc.array(fc.nat(300), { maxLength: 8 }),
        (message, cuts, readCuts) => {
          const wire = encode(message, cuts);
          expect(wire.subarray(-3).toString()).toBe('.\r\n');
          // No line of the wire form is the terminator before the end, and all end in CRLF.
          const lines = wire.toString('latin1').split('\r\n');
          expect(lines.slice(0, -2)).not.toContain('.');
          expect(wire.toString('latin1').replace(/\r\n/g, '')).not.toMatch(/\n/);
          const { text } = decode(wire, readCuts);
          expect(text.toString('latin1')).toBe(crlfForm(message).toString('latin1'));
        },
      ),
      { seed: 5034, numRuns: RUNS },
    );
  });

  it('TOP output is a prefix of RETR output, whatever the chunking', () => {
    fc.assert(
      fc.property(
        messageBytes,
        fc.nat(6),
        fc.array(fc.nat(200), { maxLength: 6 }),
        (message, n, cuts) => {
          const whole = encode(message).subarray(0, -3);
          const top = encode(message, cuts, n);
          expect(top.subarray(-3).toString()).toBe('.\r\n');
          expect(whole.subarray(0, top.length - 3).equals(top.subarray(0, -3))).toBe(true);
        },
      ),
      { seed: 2449, numRuns: RUNS },
    );
  });

  it('WireSizeCounter counts the CRLF form', () => {
    fc.assert(
      fc.property(messageBytes, fc.array(fc.nat(200), { maxLength: 6 }), (message, cuts) => {
        const counter = new WireSizeCounter();
        for (const piece of pieces(message, cuts)) counter.push(piece);
        const expected =
          message.length + (message.toString('latin1').match(/(?<!\r)\n/g) ?? []).length;
        expect(counter.size).toBe(expected);
      }),
      { seed: 11, numRuns: RUNS },
    );
  });
});

describe('ResponseReader', () => {
  it('reads status lines, codes and continuations', () => {
    expect(parseStatusLine('+OK 2 messages')).toEqual({ type: 'ok', text: '2 messages' });
    expect(parseStatusLine('+OK')).toEqual({ type: 'ok', text: '' });
    expect(parseStatusLine('-ERR [IN-USE] locked')).toEqual({
      type: 'err',
      code: 'IN-USE',
      text: 'locked',
    });
    expect(parseStatusLine('-ERR [SYS/TEMP] later')).toMatchObject({ code: 'SYS/TEMP' });
    expect(parseStatusLine('-ERR')).toEqual({ type: 'err', code: null, text: '' });
    expect(parseStatusLine('+ PDE4OTYuNjk3')).toEqual({
      type: 'continuation',
      challenge: 'PDE4OTYuNjk3',
    });
    expect(parseStatusLine('+')).toEqual({ type: 'continuation', challenge: '' });
    expect(parseStatusLine('220 smtp')).toMatchObject({ type: 'invalid' });
    expect(parseStatusLine('+OKAY')).toMatchObject({ type: 'invalid' });
  });

  it('reads a response, its text, and the next response pipelined behind it', () => {
    const reader = new ResponseReader();
    reader.push(Buffer.from('+OK 1 octets\r\n..x\r\n.\r\n+OK bye\r\n'));
    expect(reader.next()).toEqual({ type: 'status', status: { type: 'ok', text: '1 octets' } });
    reader.expectData();
    expect(reader.next()).toEqual({ type: 'data', chunk: Buffer.from('.x\r\n') });
    expect(reader.next()).toEqual({ type: 'end' });
    expect(reader.next()).toEqual({ type: 'status', status: { type: 'ok', text: 'bye' } });
    expect(reader.next()).toBeNull();
  });

  it('understands servers that end lines with a bare LF', () => {
    const { text } = decode(Buffer.from('a\n..b\n.\n'));
    expect(text.toString()).toBe('a\n.b\n');
  });

  it('gives up on an endless status line instead of buffering it', () => {
    const reader = new ResponseReader(100);
    reader.push(Buffer.alloc(500, 0x41));
    expect(reader.next()).toEqual({ type: 'overlong' });
  });
});
