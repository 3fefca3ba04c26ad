import { describe, expect, it } from 'vitest';
import { CommandReader, type ReaderEvent } from '../src/protocol/command-reader.js';
import { parseCommand } from '../src/protocol/managesieve-command.js';
import { encodeString, response } from '../src/protocol/response.js';
import { readScriptName } from '../src/protocol/script-name.js';

const LIMITS = { maxLine: 64, maxLiteral: 100, maxDiscard: 1000 };

function readAll(reader: CommandReader, input: string | Buffer): ReaderEvent[] {
  reader.push(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  const events: ReaderEvent[] = [];
  for (let event = reader.next(); event; event = reader.next()) events.push(event);
  return events;
}

function strings(event: ReaderEvent): string[] {
  if (event.type !== 'line') throw new Error(`not a line: ${JSON.stringify(event)}`);
  return event.tokens.map((t) =>
    t.kind === 'atom' ? `atom:${t.text}` : t.bytes.toString('latin1'),
  );
}

describe('CommandReader', () => {
  it('reads atoms, quoted strings with escapes, and both literal forms', () => {
    const reader = new CommandReader({ ...LIMITS });
    const events = readAll(
      reader,
      'PUTSCRIPT "a \\"q\\" \\\\" {3+}\r\nabc\r\nputscript {2}\r\nxy {0+}\r\n\r\n',
    );
    expect(events.map(strings)).toEqual([
      ['atom:PUTSCRIPT', 'a "q" \\', 'abc'],
      ['atom:putscript', 'xy', ''],
    ]);
  });

  it('gives the same events whatever the split of the input', () => {
    const input = 'HAVESPACE "s" 10\r\nPUTSCRIPT "s" {10+}\r\n0123456789\r\nLOGOUT\n';
    const whole = readAll(new CommandReader({ ...LIMITS }), input).map(strings);
    const reader = new CommandReader({ ...LIMITS });
    const split: string[][] = [];
    for (const c of input) split.push(...readAll(reader, c).map(strings));
    expect(split).toEqual(whole);
    expect(whole).toHaveLength(3);
  });

  it('reports a line over maxLine once it ends, with its command, having kept none of it', () => {
    const reader = new CommandReader({ ...LIMITS });
    reader.push(Buffer.from('NOOP "'));
    for (let i = 0; i < 100; i++) {
      reader.push(Buffer.alloc(10_000, 0x78));
      expect(reader.next()).toBeNull();
      expect(reader.buffered).toBe(0);
    }
    expect(readAll(reader, '"\r\nNOOP\r\n')).toEqual([
      { type: 'bad-line', reason: 'line-too-long', message: 'Line too long', command: 'NOOP' },
      { type: 'line', tokens: [{ kind: 'atom', text: 'NOOP' }] },
    ]);
  });

  it('reads a literal over maxLiteral through and drops it; one over maxDiscard is unreadable', () => {
    const reader = new CommandReader({ ...LIMITS });
    const events = readAll(reader, `PUTSCRIPT "s" {500+}\r\n${'x'.repeat(500)} "tail"\r\nNOOP\r\n`);
    expect(events).toEqual([
      {
        type: 'bad-line',
        reason: 'literal-too-large',
        message: 'Literal too large',
        command: 'PUTSCRIPT',
        literalSize: 500,
      },
      { type: 'line', tokens: [{ kind: 'atom', text: 'NOOP' }] },
    ]);
    expect(readAll(reader, 'PUTSCRIPT "s" {1001+}\r\nNOOP\r\n')).toEqual([
      { type: 'unreadable', message: 'Literal too large', command: 'PUTSCRIPT', literalSize: 1001 },
    ]);
    expect(readAll(reader, 'NOOP\r\n')).toEqual([]);
  });

  it('reads the literal a bad line announces through, not as commands', () => {
    const reader = new CommandReader({ ...LIMITS });
    const events = readAll(reader, 'PUTSCRIPT a\0 {12+}\r\nLOGOUT\r\nXX\r\n\r\nNOOP\r\n');
    expect(events.map((e) => e.type)).toEqual(['bad-line', 'line']);
    expect(strings(events[1]!)).toEqual(['atom:NOOP']);
  });

  it('answers bad syntax: NUL, CR inside quotes, bad escapes, junk after a literal', () => {
    for (const line of ['NOOP "a\0"', 'NOOP "a\\n"', 'NOOP "x"y', 'N{OOP', 'NOOP {2+}\r\nabX']) {
      const [event] = readAll(new CommandReader({ ...LIMITS }), `${line}\r\n`);
      expect(event?.type, line).toBe('bad-line');
    }
  });
});

describe('parseCommand', () => {
  const tokens = (line: string) => {
    const [event] = readAll(new CommandReader({ ...LIMITS }), `${line}\r\n`);
    if (event?.type !== 'line') throw new Error('not a line');
    return event.tokens;
  };

  it('types the arguments and checks their count and kinds', () => {
    expect(parseCommand(tokens('havespace "a" 12'))).toEqual({
      ok: true,
      command: { name: 'HAVESPACE', script: Buffer.from('a'), size: 12 },
    });
    expect(parseCommand(tokens('HAVESPACE "a" "12"'))).toMatchObject({
      ok: false,
      reason: 'syntax',
    });
    expect(parseCommand(tokens('HAVESPACE "a" 4294967296'))).toMatchObject({ ok: false });
    expect(parseCommand(tokens('GETSCRIPT'))).toMatchObject({ ok: false, reason: 'syntax' });
    expect(parseCommand(tokens('LOGOUT now'))).toMatchObject({ ok: false, reason: 'syntax' });
    expect(parseCommand(tokens('XYZZY'))).toMatchObject({ ok: false, reason: 'unknown' });
    expect(parseCommand(tokens('AUTHENTICATE "PLAIN" ""'))).toEqual({
      ok: true,
      command: { name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: '' },
    });
  });
});

describe('responses and names', () => {
  it('quotes short strings and sends others as literals', () => {
    expect(encodeString('a "b" \\').toString()).toBe('"a \\"b\\" \\\\"');
    expect(encodeString('two\r\nlines').toString()).toBe('{10}\r\ntwo\r\nlines');
    expect(encodeString('x'.repeat(1025)).toString()).toMatch(/^\{1025\}\r\n/);
    expect(response('NO', 'No such script', 'NONEXISTENT').toString()).toBe(
      'NO (NONEXISTENT) "No such script"\r\n',
    );
  });

  it('reads script names as RFC 5804 1.6 allows them', () => {
    expect(readScriptName(Buffer.from('caf\u00e9'), 128)).toBe('caf\u00e9');
    expect(readScriptName(Buffer.from(''), 128)).toBeNull();
    expect(readScriptName(Buffer.from('a\u0085b'), 128)).toBeNull();
    expect(readScriptName(Buffer.from('a\u2028b'), 128)).toBeNull();
    expect(readScriptName(Buffer.from([0xff]), 128)).toBeNull();
    expect(readScriptName(Buffer.from('x'.repeat(129)), 128)).toBeNull();
  });
});
