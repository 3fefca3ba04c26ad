import { describe, expect, it } from 'vitest';
import { CommandReader, type FramedLiteral, type ReaderEvent } from '../../src/protocol/index.js';
import { events } from './framing.js';

const text = (part: Uint8Array | FramedLiteral | undefined) =>
  part instanceof Uint8Array
    ? Buffer.from(part).toString()
    : part && Buffer.from(part.bytes).toString();

const firstLine = (event: ReaderEvent | undefined) =>
  event?.type === 'command' ? text(event.command.parts[0]) : undefined;

describe('CommandReader', () => {
  it('cuts commands out of a stream, whatever the chunking', () => {
    const input = 'a NOOP\r\nb LOGIN {5}\r\nalice {6+}\r\nsecret\r\nc LOGOUT\r\n';
    for (const chunk of [1, 2, 7, input.length]) {
      const reader = new CommandReader();
      const seen: string[] = [];
      for (let i = 0; i < input.length; i += chunk) {
        reader.push(Buffer.from(input.slice(i, i + chunk)));
        for (const event of events(reader)) {
          if (event.type === 'command') seen.push(event.command.parts.map(text).join('|'));
        }
      }
      expect(seen).toEqual(['a NOOP', 'b LOGIN {5}|alice| {6+}|secret|', 'c LOGOUT']);
    }
  });

  it('asks about each literal with the tag, command, size and kind', () => {
    const reader = new CommandReader();
    reader.push(Buffer.from('A1 UID FETCH {3}\r\n'));
    const [event] = events(reader, () => false);
    expect(event).toEqual({
      type: 'literal',
      request: {
        tag: 'A1',
        command: 'UID FETCH',
        size: 3,
        binary: false,
        synchronizing: true,
        commandSize: 18,
        index: 0,
      },
    });
    reader.push(Buffer.from('x APPEND INBOX ~{2+}\r\n\0\0\r\n'));
    const [binary, command] = events(reader);
    expect(binary).toMatchObject({
      type: 'literal',
      request: { binary: true, synchronizing: false },
    });
    expect(command).toMatchObject({ type: 'command' });
  });

  it('waits for the answer to a synchronizing literal before reading on', () => {
    const reader = new CommandReader();
    reader.push(Buffer.from('a LOGIN {5}\r\n'));
    expect(reader.next()).toMatchObject({ type: 'literal' });
    reader.push(Buffer.from('alice x\r\n'));
    expect(reader.next()).toBeNull();
    reader.acceptLiteral();
    expect(reader.next()).toMatchObject({ type: 'command' });
  });

  it('drops a refused synchronizing literal: the client never sent it', () => {
    const reader = new CommandReader();
    reader.push(Buffer.from('a LOGIN {500}\r\nb NOOP\r\n'));
    const seen = events(reader, () => false);
    expect(seen.map((e) => e.type)).toEqual(['literal', 'command']);
    expect(firstLine(seen[1])).toBe('b NOOP');
  });

  it('skips a refused non-synchronizing literal and the rest of its command', () => {
    const reader = new CommandReader();
    reader.push(Buffer.from('a APPEND INBOX {10+}\r\n0123456789 {3+}\r\nabc\r\nb NOOP\r\n'));
    const seen = events(reader, () => false);
    expect(seen.map((e) => e.type)).toEqual(['literal', 'command']);
    expect(firstLine(seen[1])).toBe('b NOOP');
  });

  it('accepts bare LF line ends and ignores empty lines', () => {
    const reader = new CommandReader();
    reader.push(Buffer.from('\r\n\na NOOP\nb NOOP\r\n'));
    expect(events(reader).map((e) => e.type === 'command' && text(e.command.parts[0]))).toEqual([
      'a NOOP',
      'b NOOP',
    ]);
  });

  it('refuses an overlong line with its tag and reads the next command', () => {
    const reader = new CommandReader({ maxLineLength: 100 });
    reader.push(Buffer.from(`t1 SEARCH ${'x'.repeat(300)}`));
    expect(events(reader)).toEqual([
      { type: 'error', problem: 'line-too-long', tag: 't1', command: 'SEARCH' },
    ]);
    reader.push(Buffer.from(`${'y'.repeat(5000)}\r\nt2 NOOP\r\n`));
    expect(events(reader)).toMatchObject([{ type: 'command' }]);
    expect(reader.buffered).toBe(0);
  });

  it('skips the non-synchronizing literal an overlong line announced', () => {
    const reader = new CommandReader({ maxLineLength: 50 });
    reader.push(Buffer.from(`t1 APPEND ${'x'.repeat(80)} {5+}\r\nhello\r\nt2 NOOP\r\n`));
    const seen = events(reader);
    expect(seen.map((e) => e.type)).toEqual(['error', 'command']);
  });

  it('refuses a command whose lines and literals exceed maxCommandSize', () => {
    const reader = new CommandReader({ maxCommandSize: 64 });
    const literal = 'z'.repeat(40);
    reader.push(
      Buffer.from(`a SEARCH TEXT {40+}\r\n${literal} TEXT {40+}\r\n${literal}\r\nb NOOP\r\n`),
    );
    const seen = events(reader);
    expect(seen.map((e) => e.type)).toEqual(['literal', 'error', 'command']);
    expect(seen[1]).toMatchObject({ problem: 'command-too-large', tag: 'a' });
  });

  it('keeps APPEND message literals out of the command size when told to', () => {
    const reader = new CommandReader({ maxCommandSize: 64 });
    reader.push(Buffer.from(`a APPEND INBOX {100+}\r\n${'m'.repeat(100)}\r\n`));
    const seen: string[] = [];
    for (let event = reader.next(); event; event = reader.next()) {
      seen.push(event.type);
      if (event.type === 'literal') reader.acceptLiteral(false);
    }
    expect(seen).toEqual(['literal', 'command']);
  });

  it('hands out raw lines for AUTHENTICATE and IDLE, and what is left for COMPRESS', () => {
    const reader = new CommandReader({ maxLineLength: 10 });
    reader.push(Buffer.from('dGVzdA==\r\nDONE\r\nx'.repeat(1)));
    expect(text(reader.takeLine() as Uint8Array)).toBe('dGVzdA==');
    expect(text(reader.takeLine() as Uint8Array)).toBe('DONE');
    expect(reader.takeLine()).toBeNull();
    reader.push(Buffer.from('0123456789abcdef\r\n'));
    expect(reader.takeLine()).toBe('too-long');
    reader.push(Buffer.from('rest'));
    expect(reader.next()).toBeNull();
    expect(Buffer.from(reader.drainInput()).toString()).toBe('rest');
    expect(reader.buffered).toBe(0);
  });
});
