import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InputEvent, SmtpInputDecoder } from '../../src/protocol/input-decoder.js';

const options = { maxLineLength: 512, maxDataLineLength: 1000, acceptBareLineEndings: false };
const FUZZ_RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

/** Feeds `pieces` one after another and collects every event. */
function decode(
  pieces: (string | Uint8Array)[],
  opts = options,
  mode: 'data' | 'command' = 'data',
): InputEvent[] {
  const decoder = new SmtpInputDecoder(opts);
  if (mode === 'data') decoder.startData();
  const events: InputEvent[] = [];
  for (const piece of pieces) {
    decoder.push(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
    for (let event = decoder.next(); event; event = decoder.next()) {
      events.push(event);
      if (event.type === 'data-end') return events;
    }
  }
  return events;
}

/** The message text a DATA session yields, and its end event (undefined when it never ended). */
function message(pieces: (string | Uint8Array)[], opts = options) {
  const events = decode(pieces, opts);
  const text = Buffer.concat(events.flatMap((e) => (e.type === 'data' ? [e.chunk] : []))).toString(
    'latin1',
  );
  const end = events.find((e) => e.type === 'data-end');
  return { text, end };
}

describe('DATA end and dot-unstuffing', () => {
  it('ends at CRLF.CRLF and keeps the CRLF before it', () => {
    const { text, end } = message(['Subject: x\r\n\r\nbody\r\n.\r\n']);
    expect(text).toBe('Subject: x\r\n\r\nbody\r\n');
    expect(end).toEqual({
      type: 'data-end',
      bareLineFeed: false,
      bareCarriageReturn: false,
      longLines: 0,
    });
  });

  it('takes an immediate dot line as an empty message', () => {
    expect(message(['.\r\n'])).toEqual({
      text: '',
      end: expect.objectContaining({ type: 'data-end' }),
    });
  });

  it('removes exactly one leading dot of every other line (RFC 5321 4.5.2)', () => {
    expect(message(['..\r\n...x\r\n.y\r\na.b\r\n.\r\n']).text).toBe('.\r\n..x\r\ny\r\na.b\r\n');
  });

  it('finds the end marker and dots whatever the chunking, one byte at a time included', () => {
    const input = 'a\r\n..b\r\n.c\r\n\r\n.\r\n';
    const expected = 'a\r\n.b\r\nc\r\n\r\n';
    expect(message(input.split('')).text).toBe(expected);
    for (let cut = 1; cut < input.length; cut++) {
      expect(message([input.slice(0, cut), input.slice(cut)]).text).toBe(expected);
    }
  });

  it('leaves what follows the end marker for the commands', () => {
    const decoder = new SmtpInputDecoder(options);
    decoder.startData();
    decoder.push(Buffer.from('x\r\n.\r\nQUIT\r\n'));
    expect(decoder.next()).toMatchObject({ type: 'data' });
    expect(decoder.next()).toMatchObject({ type: 'data-end' });
    expect(decoder.next()).toEqual({ type: 'command', line: 'QUIT' });
  });

  it('never ends on anything but CRLF.CRLF: the smuggling variants', () => {
    const variants = [
      '\n.\n',
      '\r.\r',
      '\n.\r\n',
      '\r.\n',
      '\r\n.\n',
      '\r\n.\r',
      '\n.\r',
      '\r\n.\r\r\n',
      '\r\n. \r\n',
    ];
    for (const variant of variants) {
      const smuggled = `Subject: a\r\n\r\nfirst${variant}MAIL FROM:<evil@example.net>\r\n`;
      const { text, end } = message([smuggled]);
      expect(end, JSON.stringify(variant)).toBeUndefined();
      expect(text).toContain('MAIL FROM:<evil@example.net>');
    }
  });

  it('reports bare LF and bare CR, in any position', () => {
    expect(message(['a\nb\r\n.\r\n']).end).toMatchObject({
      bareLineFeed: true,
      bareCarriageReturn: false,
    });
    expect(message(['a\rb\r\n.\r\n']).end).toMatchObject({
      bareLineFeed: false,
      bareCarriageReturn: true,
    });
    expect(message(['a\r', 'b\r\n.\r\n']).end).toMatchObject({ bareCarriageReturn: true });
    expect(message(['\n.\n\r\n.\r\n']).end).toMatchObject({ bareLineFeed: true });
    expect(message(['x\r\n.\rx\r\n.\r\n'])).toEqual({
      text: 'x\r\n\rx\r\n',
      end: expect.objectContaining({ bareCarriageReturn: true }),
    });
  });

  it('repairs bare line endings into CRLF when asked, still ending only at CRLF.CRLF', () => {
    const lenient = { ...options, acceptBareLineEndings: true };
    expect(message(['a\nb\rc\r\n.\r\n'], lenient).text).toBe('a\r\nb\r\nc\r\n');
    const { text, end } = message(['a\n.\nb\r\n.\r\n'], lenient);
    expect(text).toBe('a\r\n.\r\nb\r\n');
    expect(end).toMatchObject({ bareLineFeed: true });
  });

  it('counts lines over the text line limit without cutting them', () => {
    const long = 'x'.repeat(999);
    const { text, end } = message([`${'y'.repeat(998)}\r\n${long}\r\n${long}${long}\r\n.\r\n`]);
    expect(end).toMatchObject({ longLines: 2 });
    expect(text.length).toBe(998 + 2 + 999 + 2 + 1998 + 2);
  });

  it('passes NUL and 8-bit bytes through untouched', () => {
    const bytes = Buffer.from([0, 0xff, 0x80, 0x0d, 0x0a, 0x2e, 0x0d, 0x0a]);
    const events = decode([bytes]);
    expect(events[0]).toEqual({ type: 'data', chunk: Buffer.from([0, 0xff, 0x80, 0x0d, 0x0a]) });
  });

  it('property: unstuffing undoes stuffing, for any text and any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[.a\r]{0,6}$/), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        (lines, cuts) => {
          // Lines without LF, CRLF-joined: the text a well-behaved client dot-stuffs.
          const clean = lines.map((line) => line.replace(/\r/g, ''));
          const body = clean.map((line) => `${line}\r\n`).join('');
          const stuffed =
            clean
              .map((line) => (line.startsWith('.') ? `.${line}` : line))
              .map((l) => `${l}\r\n`)
              .join('') + '.\r\n';
          const pieces: string[] = [];
          let at = 0;
          for (let i = 0; at < stuffed.length; i++) {
            const size = cuts[i % cuts.length]!;
            pieces.push(stuffed.slice(at, at + size));
            at += size;
          }
          const result = message(pieces);
          expect(result.text).toBe(body);
          expect(result.end).toBeDefined();
        },
      ),
      { seed: 4242, numRuns: FUZZ_RUNS },
    );
  });

  it('property: random bytes never throw, and never yield more text than they hold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, lenient) => {
        const events = decode([bytes, bytes], { ...options, acceptBareLineEndings: lenient });
        const octets = events.reduce((sum, e) => sum + (e.type === 'data' ? e.chunk.length : 0), 0);
        expect(octets).toBeLessThanOrEqual(bytes.length * 2 * (lenient ? 2 : 1));
      }),
      { seed: 7, numRuns: FUZZ_RUNS },
    );
  });
});

describe('command lines', () => {
  it('splits pipelined commands, CRLF or bare LF ended', () => {
    const events = decode(
      ['EHLO a\r\nMAIL FROM:<>\nRCPT TO:<b@c>\r\nDA', 'TA\r\n'],
      options,
      'command',
    );
    expect(events).toEqual([
      { type: 'command', line: 'EHLO a' },
      { type: 'command', line: 'MAIL FROM:<>' },
      { type: 'command', line: 'RCPT TO:<b@c>' },
      { type: 'command', line: 'DATA' },
    ]);
  });

  it('refuses an overlong line once, skips it to its end and goes on', () => {
    const events = decode(
      ['X'.repeat(600), 'Y'.repeat(10_000), '\r\nNOOP\r\n'],
      options,
      'command',
    );
    expect(events).toEqual([{ type: 'line-too-long' }, { type: 'command', line: 'NOOP' }]);
  });

  it('takes a line of exactly the limit, CRLF included, and refuses one octet more', () => {
    const ok = `NOOP ${'x'.repeat(512 - 7)}\r\n`;
    expect(decode([ok], options, 'command')).toEqual([{ type: 'command', line: ok.slice(0, -2) }]);
    expect(decode([`NOOP ${'x'.repeat(512 - 6)}\r\n`], options, 'command')).toEqual([
      { type: 'line-too-long' },
    ]);
  });

  it('does not buffer a 10 MB line without an end', () => {
    const decoder = new SmtpInputDecoder(options);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let events = 0;
    for (let i = 0; i < 160; i++) {
      decoder.push(chunk);
      while (decoder.next()) events++;
      expect(decoder.buffered).toBeLessThanOrEqual(64 * 1024);
    }
    expect(events).toBe(1);
  });

  it('does not pass off bytes that are not UTF-8 as text', () => {
    const events = decode(
      [
        Buffer.from('NOOP caf\xe9\r\nNOOP caf\u00e9\r\n\xc3\r\n', 'latin1'),
        Buffer.from('NOOP café\r\n'),
      ],
      options,
      'command',
    );
    expect(events).toEqual([
      { type: 'invalid-utf8' },
      { type: 'invalid-utf8' },
      { type: 'invalid-utf8' },
      { type: 'command', line: 'NOOP café' },
    ]);
  });

  it('takes longer lines while told to (AUTH), and the limit again after', () => {
    const decoder = new SmtpInputDecoder(options);
    const long = `${'A'.repeat(3000)}\r\n`;
    decoder.setLineLimit(4000);
    decoder.push(Buffer.from(long + long));
    expect(decoder.next()).toEqual({ type: 'command', line: 'A'.repeat(3000) });
    decoder.setLineLimit();
    expect(decoder.next()).toEqual({ type: 'line-too-long' });
  });

  it('reads BDAT chunks by count, whatever they contain', () => {
    const decoder = new SmtpInputDecoder(options);
    decoder.startChunk(7);
    decoder.push(Buffer.from('a\r\n.\r\nbNOOP\r\n'));
    expect(decoder.next()).toEqual({ type: 'chunk', chunk: Buffer.from('a\r\n.\r\nb') });
    expect(decoder.next()).toEqual({ type: 'chunk-end' });
    expect(decoder.next()).toEqual({ type: 'command', line: 'NOOP' });
  });

  it('throws away what was pipelined behind STARTTLS', () => {
    const decoder = new SmtpInputDecoder(options);
    decoder.push(Buffer.from('STARTTLS\r\nMAIL FROM:<injected@example.net>\r\n'));
    expect(decoder.next()).toEqual({ type: 'command', line: 'STARTTLS' });
    expect(decoder.discardBuffered()).toBe('MAIL FROM:<injected@example.net>\r\n'.length);
    expect(decoder.next()).toBeNull();
  });
});
