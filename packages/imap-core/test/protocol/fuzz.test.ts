import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandReader, parseCommand } from '../../src/protocol/index.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

/** Feeds chunks through reader and parser, answering literals at random; returns events seen. */
function drive(chunks: readonly Uint8Array[], accept: readonly boolean[]): number {
  const reader = new CommandReader({
    maxLineLength: 256,
    maxCommandSize: 1024,
    maxLiteralSize: 512,
  });
  let events = 0;
  let answers = 0;
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let event = reader.next(); event; event = reader.next()) {
      events++;
      if (event.type === 'literal') {
        // The session's rule: refuse what is over the limit; here, also at random.
        if (event.request.size <= 512 && (accept[answers++ % accept.length] ?? true))
          reader.acceptLiteral();
        else reader.rejectLiteral();
      } else if (event.type === 'command') {
        const parsed = parseCommand(event.command);
        expect(typeof parsed.ok).toBe('boolean');
      }
      expect(events).toBeLessThan(100_000);
    }
    // Nothing is held beyond a line, a command, and what has not been looked at yet.
    expect(reader.buffered).toBeLessThanOrEqual(chunk.length + 2048);
  }
  return events;
}

const imapish = fc.constantFrom(
  'a ',
  'UID ',
  'FETCH ',
  'SEARCH ',
  'APPEND ',
  'LOGIN ',
  '1:*',
  '$',
  ' (',
  ')',
  '"',
  '\\',
  '{3}\r\n',
  '{5+}\r\n',
  '~{2}\r\n',
  '\r\n',
  '\n',
  'BODY[',
  ']',
  '<0.10>',
  'NOT ',
  'OR ',
  'HEADER.FIELDS ',
  '*',
  '\0',
);

describe('reader and parser on hostile input', () => {
  it('never throw, hang or hold more than their limits on random bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        (chunks, accept) => {
          drive(chunks, accept);
        },
      ),
      { seed: 61, numRuns: runs },
    );
  });

  it('never throw on random sequences of IMAP-looking tokens', () => {
    fc.assert(
      fc.property(
        fc.array(imapish, { maxLength: 60 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        (tokens, accept) => {
          const bytes = Buffer.from(tokens.join(''));
          // Cut at random places too.
          const chunks = [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)];
          drive(chunks, accept);
        },
      ),
      { seed: 62, numRuns: runs },
    );
  });

  it('stays bounded on a gigabyte-long line and a huge refused literal', () => {
    const reader = new CommandReader();
    const junk = Buffer.alloc(1 << 20, 0x61);
    reader.push(Buffer.from('a SEARCH '));
    let errors = 0;
    for (let i = 0; i < 64; i++) {
      reader.push(junk);
      for (let event = reader.next(); event; event = reader.next()) errors++;
      expect(reader.buffered).toBe(0);
    }
    expect(errors).toBe(1);
    reader.push(Buffer.from('\r\nb APPEND INBOX {1000000000+}\r\n'));
    const literal = reader.next();
    expect(literal).toMatchObject({ type: 'literal' });
    reader.rejectLiteral();
    for (let i = 0; i < 64; i++) {
      reader.push(junk);
      expect(reader.next()).toBeNull();
      expect(reader.buffered).toBe(0);
    }
  });

  it('parses nested search keys deep within the limit without recursion trouble', () => {
    const depth = 32;
    const command = `a SEARCH ${'NOT ('.repeat(depth)}ALL${')'.repeat(depth)}\r\n`;
    const reader = new CommandReader();
    reader.push(Buffer.from(command));
    const event = reader.next();
    expect(event?.type).toBe('command');
    if (event?.type === 'command') expect(parseCommand(event.command).ok).toBe(true);
  });
});
