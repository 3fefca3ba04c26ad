import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstMessageId, parseMessageIds } from '../src/index.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const HOSTILE_TIMEOUT = 60_000;

describe('parseMessageIds', () => {
  it('reads the ids of References in order, keeping duplicates', () => {
    expect(parseMessageIds('<a@b> <c@d>\r\n <a@b>')).toEqual(['<a@b>', '<c@d>', '<a@b>']);
    expect(parseMessageIds('<a@b><c@d>')).toEqual(['<a@b>', '<c@d>']);
  });

  it('skips what is between ids: phrases, addresses, comments', () => {
    expect(parseMessageIds('Your message of Mon, 1 Jan <a@b> (x)')).toEqual(['<a@b>']);
    expect(
      parseMessageIds('<20020829143111.GN1757@jinny.ie>; from valen@tuatha.org on Thu'),
    ).toEqual(['<20020829143111.GN1757@jinny.ie>']);
  });

  it('removes whitespace, comments and quoting inside an id, so one id written two ways matches', () => {
    expect(parseMessageIds('<a @ b>')).toEqual(['<a@b>']);
    expect(parseMessageIds('<a(comment)@b>')).toEqual(['<a@b>']);
    expect(parseMessageIds('<"a b"@host>')).toEqual(['<a b@host>']);
    expect(parseMessageIds('< a . b @ c . d >')).toEqual(['<a.b@c.d>']);
  });

  it('skips ids without brackets or without an @, as Dovecot does', () => {
    expect(parseMessageIds('a@b')).toEqual([]);
    expect(parseMessageIds('<foo> <a@b>')).toEqual(['<a@b>']);
    expect(parseMessageIds('<a@b')).toEqual([]);
  });

  it('skips ids with a domain literal, as Dovecot does', () => {
    expect(parseMessageIds('<x@[1.2.3.4]> <y@z>')).toEqual(['<y@z>']);
  });

  it('looks for the next id right after a broken one, as Dovecot does', () => {
    expect(parseMessageIds('<a(b <c@d>')).toEqual(['<c@d>']);
    expect(parseMessageIds('<"a <c@d>')).toEqual(['<c@d>']);
    expect(parseMessageIds(`${'<a('.repeat(300)}<c@d>`)).toEqual(['<c@d>']);
  });

  it('reads nothing from an empty value', () => {
    expect(parseMessageIds('')).toEqual([]);
  });
});

describe('firstMessageId', () => {
  it('is the first valid id, or null', () => {
    expect(firstMessageId('<foo> <a@b> <c@d>')).toBe('<a@b>');
    expect(firstMessageId('  <1234@local.machine.example>  ')).toBe('<1234@local.machine.example>');
    expect(firstMessageId('no id here')).toBeNull();
  });
});

describe('parseMessageIds: properties and hostile input', () => {
  it('never throws, and every id is bracketed and holds an @ (fixed seed)', () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      '@',
      'a',
      '.',
      ' ',
      '"',
      '(',
      ')',
      '[',
      ']',
      '\\',
      '\0',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
        (value) => {
          for (const id of parseMessageIds(value)) expect(id).toMatch(/^<.*@.*>$/s);
        },
      ),
      { seed: 42, numRuns: runs },
    );
  });

  it(
    'is linear on 10 MB values, broken ids included',
    () => {
      expect(parseMessageIds('<a@b> '.repeat(1_500_000))).toHaveLength(1_500_000);
      expect(parseMessageIds('<'.repeat(10_000_000))).toEqual([]);
      expect(parseMessageIds('<('.repeat(5_000_000))).toEqual([]);
      expect(parseMessageIds('<"'.repeat(5_000_000))).toEqual([]);
      // Past the rescan budget, the id Dovecot would still find after millions of broken ones is
      // given up: the price of linear time.
      expect(parseMessageIds(`${'<a('.repeat(3_000_000)}<c@d>`)).toEqual([]);
      expect(parseMessageIds(`<${'x'.repeat(10_000_000)}@y>`)).toHaveLength(1);
    },
    HOSTILE_TIMEOUT,
  );
});
