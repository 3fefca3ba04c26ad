import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apopDigest,
  apopDigestMatches,
  apopTimestamp,
  greetingTimestamp,
} from '../src/protocol/apop.js';
import { parseCommand } from '../src/protocol/pop3-command.js';
import { errLine, multilineResponse, okLine } from '../src/protocol/pop3-response.js';
import { formatUidl, isValidUidl } from '../src/protocol/uidl.js';

const parse = (line: string) => parseCommand(Buffer.from(line, 'utf8'));
const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

describe('parseCommand', () => {
  it('reads every RFC 1939 command, keywords in any case', () => {
    expect(parse('user alice')).toEqual({ ok: true, command: { name: 'USER', user: 'alice' } });
    expect(parse('PASS secret')).toEqual({
      ok: true,
      command: { name: 'PASS', password: 'secret' },
    });
    expect(parse('Stat')).toEqual({ ok: true, command: { name: 'STAT' } });
    expect(parse('LIST')).toEqual({ ok: true, command: { name: 'LIST' } });
    expect(parse('LIST 2')).toEqual({ ok: true, command: { name: 'LIST', message: 2 } });
    expect(parse('RETR 1')).toEqual({ ok: true, command: { name: 'RETR', message: 1 } });
    expect(parse('DELE 10')).toEqual({ ok: true, command: { name: 'DELE', message: 10 } });
    expect(parse('NOOP')).toEqual({ ok: true, command: { name: 'NOOP' } });
    expect(parse('RSET')).toEqual({ ok: true, command: { name: 'RSET' } });
    expect(parse('QUIT')).toEqual({ ok: true, command: { name: 'QUIT' } });
    expect(parse('TOP 1 10')).toEqual({
      ok: true,
      command: { name: 'TOP', message: 1, lines: 10 },
    });
    expect(parse('UIDL')).toEqual({ ok: true, command: { name: 'UIDL' } });
    expect(parse('uidl 3')).toEqual({ ok: true, command: { name: 'UIDL', message: 3 } });
    expect(parse('APOP mrose c4c9334bac560ecc979e58001b3e22fb')).toEqual({
      ok: true,
      command: { name: 'APOP', user: 'mrose', digest: 'c4c9334bac560ecc979e58001b3e22fb' },
    });
  });

  it('reads the extensions: CAPA, AUTH, STLS, UTF8', () => {
    expect(parse('CAPA')).toEqual({ ok: true, command: { name: 'CAPA' } });
    expect(parse('AUTH')).toEqual({ ok: true, command: { name: 'AUTH' } });
    expect(parse('AUTH plain')).toEqual({
      ok: true,
      command: { name: 'AUTH', mechanism: 'PLAIN' },
    });
    expect(parse('AUTH PLAIN AGEAYg==')).toEqual({
      ok: true,
      command: { name: 'AUTH', mechanism: 'PLAIN', initialResponse: 'AGEAYg==' },
    });
    expect(parse('STLS')).toEqual({ ok: true, command: { name: 'STLS' } });
    expect(parse('UTF8')).toEqual({ ok: true, command: { name: 'UTF8' } });
  });

  it('keeps spaces in a password, verbatim', () => {
    expect(parse('PASS  two  words ')).toMatchObject({ command: { password: ' two  words ' } });
  });

  it('tolerates runs of spaces and trailing spaces between arguments', () => {
    expect(parse('TOP  1   0 ')).toMatchObject({ ok: true, command: { message: 1, lines: 0 } });
    expect(parse('STAT ')).toMatchObject({ ok: true });
  });

  it('ignores arguments given to commands that take none, as Dovecot does', () => {
    for (const keyword of ['STAT', 'NOOP', 'RSET', 'QUIT', 'CAPA', 'STLS', 'UTF8']) {
      expect(parse(`${keyword} 1 x`), keyword).toEqual({ ok: true, command: { name: keyword } });
    }
  });

  it('reads a TOP line count of any length; past what a body holds, it means all of it', () => {
    expect(parse('TOP 1 1000000000000000')).toEqual({
      ok: true,
      command: { name: 'TOP', message: 1, lines: 1e15 },
    });
    expect(parse(`TOP 2 ${'9'.repeat(400)}`)).toEqual({
      ok: true,
      command: { name: 'TOP', message: 2, lines: Number.MAX_SAFE_INTEGER },
    });
  });

  it('refuses bad arguments as syntax errors of the known command', () => {
    for (const line of [
      'RETR',
      'RETR x',
      'RETR -1',
      'RETR 1 2',
      'RETR 12345678901',
      'TOP 1',
      'TOP 1 -1',
      'LIST 1 2',
      'TOP 1 1.5',
      'USER',
      'USER a b',
      'PASS',
      'APOP mrose',
      'APOP mrose nothex',
      'AUTH a b c',
      'AUTH PL@IN',
    ]) {
      const result = parse(line);
      expect(result, line).toMatchObject({ ok: false, reason: 'syntax' });
      expect((result as { keyword: string }).keyword).toBe(line.split(' ')[0]!.toUpperCase());
    }
  });

  it('reports unknown commands with a printable keyword or none', () => {
    expect(parse('XTND XMIT')).toMatchObject({ ok: false, reason: 'unknown', keyword: 'XTND' });
    expect(parse('')).toMatchObject({ ok: false, reason: 'unknown', keyword: '' });
    expect(parse('\x1b[31m')).toMatchObject({ ok: false, keyword: '' });
  });

  it('refuses NUL bytes, control characters and invalid UTF-8', () => {
    expect(parseCommand(Buffer.from('USER a\0b'))).toMatchObject({ ok: false, reason: 'syntax' });
    expect(parseCommand(Buffer.from('PASS a\0b'))).toMatchObject({ ok: false, keyword: 'PASS' });
    expect(parseCommand(Buffer.from([0x55, 0x53, 0x45, 0x52, 0x20, 0xff, 0xfe]))).toMatchObject({
      ok: false,
      keyword: 'USER',
    });
    expect(parse('USER ünïcode')).toMatchObject({ ok: true, command: { user: 'ünïcode' } });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const result = parseCommand(bytes);
        if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
      }),
      { seed: 1939, numRuns: RUNS * 5 },
    );
  });

  it('reads back what a client writes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('RETR', 'DELE', 'LIST', 'UIDL'),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom('', ' ', '  '),
        (keyword, n, pad) => {
          expect(parse(`${keyword.toLowerCase()}${pad} ${n}${pad}`)).toEqual({
            ok: true,
            command: { name: keyword, message: n },
          });
        },
      ),
      { seed: 7, numRuns: RUNS },
    );
  });
});

describe('responses', () => {
  it('formats status lines and keeps them on one line', () => {
    expect(okLine().toString()).toBe('+OK\r\n');
    expect(okLine('2 320').toString()).toBe('+OK 2 320\r\n');
    expect(errLine('locked', 'IN-USE').toString()).toBe('-ERR [IN-USE] locked\r\n');
    expect(errLine('a\r\nb').toString()).toBe('-ERR a  b\r\n');
  });

  it('dot-stuffs text lines of multi-line responses', () => {
    expect(multilineResponse('', ['TOP', '.odd']).toString()).toBe('+OK\r\nTOP\r\n..odd\r\n.\r\n');
  });
});

describe('APOP', () => {
  it('matches the RFC 1939 example', () => {
    const timestamp = '<1896.697170952@dbc.mtview.ca.us>';
    expect(apopDigest(timestamp, 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
    expect(apopDigestMatches(timestamp, 'tanstaaf', 'C4C9334BAC560ECC979E58001B3E22FB')).toBe(true);
    expect(apopDigestMatches(timestamp, 'tanstaaf', '0'.repeat(32))).toBe(false);
    expect(apopDigestMatches(timestamp, 'tanstaaf', 'short')).toBe(false);
  });

  it('finds the timestamp in a greeting and builds one', () => {
    expect(greetingTimestamp('POP3 server ready <1896.697170952@dbc.mtview.ca.us>')).toBe(
      '<1896.697170952@dbc.mtview.ca.us>',
    );
    expect(greetingTimestamp('Dovecot ready.')).toBeNull();
    expect(apopTimestamp('a<b>.1', 'mail example')).toBe('<ab.1@mailexample>');
  });
});

describe('UIDL', () => {
  it('is UIDVALIDITY.UID, within RFC 1939 limits', () => {
    expect(formatUidl(1733011200, 42)).toBe('1733011200.42');
    expect(isValidUidl(formatUidl(2 ** 32 - 1, 2 ** 32 - 1))).toBe(true);
    expect(isValidUidl('a b')).toBe(false);
    expect(isValidUidl('x'.repeat(71))).toBe(false);
  });
});
