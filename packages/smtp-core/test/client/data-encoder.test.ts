import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataEncoder } from '../../src/client/data-encoder.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

function encode(input: string | Uint8Array, dotStuffing = true, split = 0): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : Buffer.from(input);
  const encoder = new DataEncoder({ dotStuffing });
  const parts: Uint8Array[] = [];
  if (split > 0) {
    for (let i = 0; i < bytes.length; i += split)
      parts.push(encoder.encode(bytes.subarray(i, i + split)));
  } else {
    parts.push(encoder.encode(bytes));
  }
  parts.push(encoder.finish());
  return Buffer.concat(parts).toString('latin1');
}

/** What a server does with DATA (RFC 5321 4.5.2): strip the end marker and one leading dot per line. */
function unstuff(wire: string): string {
  expect(wire.endsWith('\r\n.\r\n') || wire === '.\r\n').toBe(true);
  const body = wire === '.\r\n' ? '' : wire.slice(0, -3);
  return body.replace(/(^|\r\n)\./g, '$1');
}

describe('DataEncoder', () => {
  it('doubles a leading dot and ends with CRLF.CRLF', () => {
    expect(encode('a\r\n.b\r\n..c\r\n.\r\n')).toBe('a\r\n..b\r\n...c\r\n..\r\n.\r\n');
    expect(encode('.first')).toBe('..first\r\n.\r\n');
  });

  it('adds the missing line end before the final dot', () => {
    expect(encode('no newline')).toBe('no newline\r\n.\r\n');
    expect(encode('')).toBe('.\r\n');
  });

  it('turns bare LF and bare CR into CRLF, so that no smuggled end of data gets through', () => {
    expect(encode('a\nb\rc\r\n')).toBe('a\r\nb\r\nc\r\n.\r\n');
    expect(encode('x\n.\nmail from:<evil>\n')).toBe('x\r\n..\r\nmail from:<evil>\r\n.\r\n');
    expect(encode('x\r.\rY\r')).toBe('x\r\n..\r\nY\r\n.\r\n');
    expect(encode('x\r\n.\n')).toBe('x\r\n..\r\n.\r\n');
  });

  it('keeps state across chunk boundaries (CR at a chunk end, dot at the next start)', () => {
    const encoder = new DataEncoder({ dotStuffing: true });
    const out = [
      encoder.encode(Buffer.from('a\r')),
      encoder.encode(Buffer.from('\n.b')),
      encoder.finish(),
    ];
    expect(Buffer.concat(out).toString()).toBe('a\r\n..b\r\n.\r\n');
  });

  it('without dot-stuffing (BDAT) only fixes line ends', () => {
    expect(encode('.a\nb', false)).toBe('.a\r\nb\r\n');
    expect(encode('', false)).toBe('');
  });

  it('gives the same bytes however the message is split, and a server reads back the CRLF-normalised message', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', '.', '\r', '\n', ' ', 'Z'),
      maxLength: 200,
    });
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 9 }), (message, split) => {
        const whole = encode(message);
        expect(encode(message, true, split)).toBe(whole);
        const normalised = message.replace(/\r\n|\r|\n/g, '\r\n');
        const expected =
          normalised === '' || normalised.endsWith('\r\n') ? normalised : `${normalised}\r\n`;
        expect(unstuff(whole)).toBe(expected);
        // Nothing but the real end marker looks like one.
        expect(whole.indexOf('\r\n.\r\n')).toBe(whole === '.\r\n' ? -1 : whole.length - 5);
        expect(/(?<!\r)\n|\r(?!\n)/.test(whole)).toBe(false);
      }),
      { seed: 2023, numRuns: runs },
    );
  });
});
