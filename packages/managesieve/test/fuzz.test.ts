import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandReader, type ReaderEvent } from '../src/protocol/command-reader.js';
import { parseCommand } from '../src/protocol/managesieve-command.js';
import { TestClient, engine } from './session-harness.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const LIMITS = { maxLine: 128, maxLiteral: 256, maxDiscard: 1024 };

/** Fragments of ManageSieve input, good and bad, that fast-check strings together. */
const fragment = fc.oneof(
  fc.constantFrom(
    'PUTSCRIPT ',
    'GETSCRIPT ',
    'HAVESPACE ',
    'NOOP',
    'LOGOUT',
    'CAPABILITY',
    'AUTHENTICATE ',
    'SETACTIVE ""',
    'RENAMESCRIPT "a" "b"',
    '"name" ',
    '"es\\"caped" ',
    '"bad\\q" ',
    '{5+}\r\nkeep;',
    '{0}\r\n',
    '{300+}\r\n',
    '{2000+}\r\n',
    '{99999999999999999}\r\n',
    ' 42',
    '\r\n',
    '\n',
    '\0',
    '"',
    '{',
    '}',
    ' ',
  ),
  fc.string({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const input = fc
  .array(fragment, { maxLength: 40 })
  .map((parts) => Buffer.from(parts.join(''), 'latin1'));

function readAll(chunks: readonly Uint8Array[]): ReaderEvent[] {
  const reader = new CommandReader({ ...LIMITS });
  const events: ReaderEvent[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let event = reader.next(); event; event = reader.next()) {
      events.push(event);
      if (event.type === 'line') {
        // What a line keeps is bounded by the limits, whatever came in.
        const kept = event.tokens.reduce(
          (sum, t) => sum + (t.kind === 'atom' ? t.text.length : t.bytes.length),
          0,
        );
        expect(kept).toBeLessThanOrEqual(LIMITS.maxLine + LIMITS.maxLiteral);
        expect(typeof parseCommand(event.tokens).ok).toBe('boolean');
      }
    }
    // Nothing waits unread once the reader has said all it can.
    expect(reader.buffered).toBe(0);
  }
  return events;
}

/** The input cut at the given points. */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

describe('CommandReader under arbitrary input', () => {
  it('gives the same events whatever the split, never throws, and keeps what the limits allow', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const whole = readAll([bytes]);
        expect(readAll(split(bytes, cuts))).toEqual(whole);
      }),
      { numRuns: runs },
    );
  });
});

describe('ManageSieve session under arbitrary input', () => {
  it('answers every line, never fails inside, and settles', async () => {
    const errors: unknown[] = [];
    const { engine: e } = await engine({
      limits: {
        commandLine: 256,
        maxScriptSize: 512,
        discardedLiteral: 2048,
        failedCommands: 1000,
      },
      // Only a bug (or a store that fails, which the memory store does not) logs an error.
      logger: {
        info() {},
        warn() {},
        error: (message, fields) => errors.push({ message, fields }),
      },
    });
    await fc.assert(
      fc.asyncProperty(input, async (bytes) => {
        const client = new TestClient(e);
        await client.login();
        // send() resolves once the session has handled and answered all it could: it settled.
        const answer = await client.send(bytes);
        expect(answer).not.toContain('Internal server error');
        const lines = bytes.toString('latin1').split('\n').length - 1;
        // Every whole line got an answer unless a literal took it in, or the session ended.
        if (lines > 0 && !client.closed && !/\{\d+\+?\}\r?\n/.test(bytes.toString('latin1'))) {
          expect(answer).not.toBe('');
        }
        client.session.disconnected();
      }),
      { numRuns: Math.min(runs, 100) },
    );
    expect(errors).toEqual([]);
  });
});
