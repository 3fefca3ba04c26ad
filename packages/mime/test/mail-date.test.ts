import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatImapDate, formatRfc5322Date, parseMailDate } from '../src/index.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const HOSTILE_TIMEOUT = 60_000;

/** The parse as an ISO instant and the offset, for readable expectations. */
function parsed(value: string): [string, number] | null {
  const date = parseMailDate(value);
  return date && [new Date(date.timestamp).toISOString(), date.offsetMinutes];
}

describe('parseMailDate: RFC 5322', () => {
  it('reads the appendix A dates', () => {
    expect(parsed('Fri, 21 Nov 1997 09:55:06 -0600')).toEqual(['1997-11-21T15:55:06.000Z', -360]);
    expect(parsed('Tue, 1 Jul 2003 10:52:37 +0200')).toEqual(['2003-07-01T08:52:37.000Z', 120]);
    // A.5: folding whitespace everywhere and a trailing comment.
    expect(
      parsed(
        'Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)',
      ),
    ).toEqual(['1969-02-14T03:02:00.000Z', -210]);
    // A.6.2: two-digit year and an alphabetic zone.
    expect(parsed('21 Nov 97 09:55:06 GMT')).toEqual(['1997-11-21T09:55:06.000Z', 0]);
    // A.6.3: comments and whitespace inside the time.
    expect(parsed('Fri, 21 Nov 1997 09 (comment):   55  :  06 -0600')).toEqual([
      '1997-11-21T15:55:06.000Z',
      -360,
    ]);
  });

  it('reads 2-digit and 3-digit years as RFC 5322 section 4.3 says', () => {
    expect(parsed('1 Jan 49 00:00 +0000')?.[0]).toBe('2049-01-01T00:00:00.000Z');
    expect(parsed('1 Jan 50 00:00 +0000')?.[0]).toBe('1950-01-01T00:00:00.000Z');
    expect(parsed('1 Jan 103 00:00 +0000')?.[0]).toBe('2003-01-01T00:00:00.000Z');
    expect(parsed('1 Jan 0050 00:00 +0000')?.[0]).toBe('0050-01-01T00:00:00.000Z');
  });

  it('knows the alphabetic zones of RFC 5322 section 4.3', () => {
    const offsets = ['UT', 'GMT', 'EST', 'EDT', 'CST', 'CDT', 'MST', 'MDT', 'PST', 'PDT'].map(
      (zone) => parseMailDate(`1 Jan 2000 00:00 ${zone}`)?.offsetMinutes,
    );
    expect(offsets).toEqual([0, 0, -300, -240, -360, -300, -420, -360, -480, -420]);
  });

  it('counts military and unknown zones as -0000, as RFC 5322 says', () => {
    expect(parsed('1 Jan 2000 12:00 A')).toEqual(['2000-01-01T12:00:00.000Z', 0]);
    expect(parsed('1 Jan 2000 12:00 Z')).toEqual(['2000-01-01T12:00:00.000Z', 0]);
    expect(parsed('1 Jan 2000 12:00 CEST')).toEqual(['2000-01-01T12:00:00.000Z', 0]);
  });

  it('reads a missing zone as UTC, missing seconds as 0 and a missing time as midnight', () => {
    expect(parsed('Mon, 15 Jan 2023 10:20:30')).toEqual(['2023-01-15T10:20:30.000Z', 0]);
    expect(parsed('15 Jan 2023 10:20 +0100')).toEqual(['2023-01-15T09:20:00.000Z', 60]);
    expect(parsed('  15   jan  2023  ')).toEqual(['2023-01-15T00:00:00.000Z', 0]);
  });

  it('ignores the day name, even a wrong one, and text after the zone', () => {
    expect(parsed('Sun, 15 Jan 2023 10:20:30 +0100 (CET)')).toEqual([
      '2023-01-15T09:20:30.000Z',
      60,
    ]);
    expect(parsed('Monday, 15 Jan 2023 10:20:30 +0100 CET')).toEqual([
      '2023-01-15T09:20:30.000Z',
      60,
    ]);
    expect(parsed('Mon 15 Jan 2023 10:20:30 +0100 trailing words')).toEqual([
      '2023-01-15T09:20:30.000Z',
      60,
    ]);
  });

  it('accepts a leap second', () => {
    expect(parsed('Sat, 31 Dec 2016 23:59:60 +0000')?.[0]).toBe('2017-01-01T00:00:00.000Z');
  });
});

describe('parseMailDate: what the wild sends', () => {
  it('reads month-first dates and ctime', () => {
    expect(parsed('Mon Jan 15 10:20:30 2023')).toEqual(['2023-01-15T10:20:30.000Z', 0]);
    expect(parsed('Mon Jan 15 10:20:30 CET 2023')).toEqual(['2023-01-15T10:20:30.000Z', 0]);
    expect(parsed('Monday, January 15, 2023 3:04 PM')).toEqual(['2023-01-15T15:04:00.000Z', 0]);
    expect(parsed('Jan 15 2023 10:20:30 -0500')).toEqual(['2023-01-15T15:20:30.000Z', -300]);
  });

  it('reads ISO 8601', () => {
    expect(parsed('2023-01-15T10:20:30Z')).toEqual(['2023-01-15T10:20:30.000Z', 0]);
    expect(parsed('2023-01-15T10:20:30.123+01:00')).toEqual(['2023-01-15T09:20:30.123Z', 60]);
    expect(parsed('2023-01-15 10:20:30 -0500')).toEqual(['2023-01-15T15:20:30.000Z', -300]);
    expect(parsed('2023/01/15')).toEqual(['2023-01-15T00:00:00.000Z', 0]);
  });

  it('reads zones written as GMT+hhmm, +hh:mm or +hh', () => {
    expect(parseMailDate('1 Jan 2000 00:00 GMT+0100')?.offsetMinutes).toBe(60);
    expect(parseMailDate('1 Jan 2000 00:00 +05:30')?.offsetMinutes).toBe(330);
    expect(parseMailDate('1 Jan 2000 00:00 -03')?.offsetMinutes).toBe(-180);
  });

  it('reads dot and slash dates, swapping day and month only when unambiguous', () => {
    expect(parsed('15.01.2023 10:20')).toEqual(['2023-01-15T10:20:00.000Z', 0]);
    expect(parsed('15/01/2023')?.[0]).toBe('2023-01-15T00:00:00.000Z');
    expect(parsed('01/15/2023')?.[0]).toBe('2023-01-15T00:00:00.000Z');
    expect(parsed('2023-15-01')?.[0]).toBe('2023-01-15T00:00:00.000Z');
    expect(parsed('01/02/2023')).toBeNull();
    expect(parsed('05/05/2023')?.[0]).toBe('2023-05-05T00:00:00.000Z');
  });

  it('accepts a dot as the time separator, as Dovecot does', () => {
    expect(parsed('15 Jan 2023 10.20.30 +0000')?.[0]).toBe('2023-01-15T10:20:30.000Z');
  });
});

describe('parseMailDate: rejects', () => {
  it('impossible dates and times', () => {
    for (const value of [
      'Thu, 30 Feb 2023 10:00:00 +0000',
      '29 Feb 2023 00:00',
      '31 Apr 2023 00:00',
      '15 Jan 2023 25:00:00',
      '15 Jan 2023 10:60:00',
      '15 Jan 2023 10:20:61',
      '0 Jan 2023 10:00',
      '15 Foo 2023 10:00',
      '2023-13-13',
      '15 Jan 2023 13:00 PM',
    ]) {
      expect(parseMailDate(value), value).toBeNull();
    }
    expect(parsed('29 Feb 2024 00:00 +0000')?.[0]).toBe('2024-02-29T00:00:00.000Z');
    expect(parsed('29 Feb 2000 00:00 +0000')?.[0]).toBe('2000-02-29T00:00:00.000Z');
    expect(parseMailDate('29 Feb 1900 00:00 +0000')).toBeNull();
  });

  it('malformed times and zones, rather than guessing', () => {
    expect(parseMailDate('15 Jan 2023 10:2')).toBeNull();
    expect(parseMailDate('15 Jan 2023 10:20:30 +0160')).toBeNull();
    expect(parseMailDate('15 Jan 2023 10:20:30 +123')).toBeNull();
  });

  it('garbage and emptiness', () => {
    for (const value of ['', ' ', 'garbage', 'today', '(comment only)', '12345', 'Jan', '\0']) {
      expect(parseMailDate(value), value).toBeNull();
    }
  });
});

describe('formatImapDate and formatRfc5322Date', () => {
  const instant = Date.UTC(1996, 6, 17, 9, 44, 25);

  it('write the IMAP date-time of RFC 9051 and the RFC 5322 date-time in the given zone', () => {
    expect(formatImapDate(instant, -420)).toBe('17-Jul-1996 02:44:25 -0700');
    expect(formatRfc5322Date(instant, -420)).toBe('Wed, 17 Jul 1996 02:44:25 -0700');
    expect(formatImapDate(instant)).toBe('17-Jul-1996 09:44:25 +0000');
    expect(formatImapDate(Date.UTC(2003, 6, 1, 8, 52, 37), 120)).toBe('01-Jul-2003 10:52:37 +0200');
    expect(formatRfc5322Date(Date.UTC(2023, 0, 1, 0, 0, 0), 330)).toBe(
      'Sun, 01 Jan 2023 05:30:00 +0530',
    );
  });

  it('refuse a timestamp that is not a number', () => {
    expect(() => formatImapDate(Number.NaN)).toThrow(RangeError);
  });

  it('round-trip through parseMailDate (fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(9999, 11, 31) }),
        fc.integer({ min: -720, max: 840 }),
        (timestamp, offset) => {
          const seconds = Math.floor(timestamp / 1000) * 1000;
          expect(parseMailDate(formatRfc5322Date(seconds, offset))).toEqual({
            timestamp: seconds,
            offsetMinutes: offset,
          });
          expect(parseMailDate(formatImapDate(seconds, offset))).toEqual({
            timestamp: seconds,
            offsetMinutes: offset,
          });
        },
      ),
      { seed: 42, numRuns: runs },
    );
  });
});

describe('parseMailDate: properties and hostile input', () => {
  it('never throws on random strings (fixed seed)', () => {
    const piece = fc.constantFrom(
      'Mon',
      ',',
      ' ',
      '15',
      'Jan',
      '2023',
      '10',
      ':',
      '+0100',
      '(',
      ')',
      '-',
      '/',
      '.',
      'T',
      'Z',
      'PM',
      '99999999999',
      '\0',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(piece, { maxLength: 20 }).map((p) => p.join('')),
        ),
        (value) => {
          const date = parseMailDate(value);
          if (date) expect(Number.isFinite(date.timestamp)).toBe(true);
        },
      ),
      { seed: 42, numRuns: runs },
    );
  });

  it(
    'finishes on 10 MB values',
    () => {
      expect(parsed(`15 Jan 2023 10:20:30 +0100 ${'x '.repeat(5_000_000)}`)?.[0]).toBe(
        '2023-01-15T09:20:30.000Z',
      );
      expect(parseMailDate('('.repeat(10_000_000))).toBeNull();
      expect(parsed(`(${'x'.repeat(10_000_000)}) 15 Jan 2023`)?.[0]).toBe(
        '2023-01-15T00:00:00.000Z',
      );
      expect(parseMailDate('9'.repeat(10_000_000))).toBeNull();
    },
    HOSTILE_TIMEOUT,
  );
});
