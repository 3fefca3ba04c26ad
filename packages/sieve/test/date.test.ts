import { describe, expect, it } from 'vitest';
import { compileSieve, datePart, runScript } from '../src/index.js';
import { bytes, compileErrors } from './helpers.js';

const MESSAGE = [
  'Received: from mx.example.com by mail.example.org; Sat, 6 Dec 2025 23:30:00 +0000',
  'Received: from a.example.net by mx.example.com; Sat, 6 Dec 2025 23:29:00 +0000',
  'From: boss@example.com',
  'To: me@example.org',
  'Date: Fri, 5 Dec 2025 10:15:30 -0700',
  'Subject: report',
  '',
  'Now.',
  '',
].join('\r\n');

function actions(script: string, now = new Date('2007-07-02T12:00:00Z')): string[] {
  const compiled = compileSieve(script);
  if (!compiled.script) throw new Error(compiled.errors.map((e) => e.message).join('; '));
  const run = runScript(
    compiled.script,
    { message: bytes(MESSAGE), envelope: { from: 'boss@example.com', to: 'me@example.org' } },
    { host: { now: () => now } },
  );
  if (run.status === 'error') throw new Error(run.error!.message);
  return run.actions.map((action) =>
    action.type === 'fileinto' ? action.mailbox : action.type === 'keep' ? 'keep' : action.type,
  );
}

describe('date (RFC 5260)', () => {
  it('runs the examples of RFC 5260 sections 4 and 5', () => {
    expect(
      actions(
        'require ["date", "relational", "fileinto"];\r\n' +
          'if allof(header :is "from" "boss@example.com",\r\n' +
          '         date :value "ge" :originalzone "date" "hour" "09",\r\n' +
          '         date :value "lt" :originalzone "date" "hour" "17")\r\n' +
          '{ fileinto "urgent"; }\r\n',
      ),
    ).toEqual(['urgent']);
    expect(
      actions(
        'require ["date", "relational", "fileinto"];\r\n' +
          'if anyof(date :is :zone "+0000" "received" "weekday" "0",\r\n' +
          '         date :is :zone "+0000" "received" "weekday" "6")\r\n' +
          '{ fileinto "weekend"; }\r\n',
      ),
    ).toEqual(['weekend']);
    expect(
      actions(
        'require ["date", "variables", "fileinto"];\r\n' +
          'if currentdate :zone "+0000" :matches "month" "*" { set "month" "${1}"; }\r\n' +
          'if currentdate :zone "+0000" :matches "year"  "*" { set "year"  "${1}"; }\r\n' +
          'fileinto "${month}-${year}";\r\n',
      ),
    ).toEqual(['07-2007']);
    const july =
      'require ["date", "relational", "vacation"];\r\n' +
      'if allof(currentdate :value "ge" "date" "2007-06-30",\r\n' +
      '         currentdate :value "le" "date" "2007-07-07")\r\n' +
      '{ vacation :days 7  "I\'m away during the first week in July."; }\r\n';
    expect(actions(july)).toEqual(['vacation', 'keep']);
    expect(actions(july, new Date('2007-08-01T12:00:00Z'))).toEqual(['keep']);
  });

  it('gives every date part of an instant in a zone', () => {
    const at = Date.parse('2025-12-05T17:15:30Z');
    const parts = (zone: number) =>
      Object.fromEntries(
        [
          'year',
          'month',
          'day',
          'date',
          'julian',
          'hour',
          'minute',
          'second',
          'time',
          'iso8601',
          'std11',
          'zone',
          'weekday',
        ].map((part) => [part, datePart(part, at, zone)]),
      );
    expect(parts(-420)).toEqual({
      year: '2025',
      month: '12',
      day: '05',
      date: '2025-12-05',
      julian: '61014',
      hour: '10',
      minute: '15',
      second: '30',
      time: '10:15:30',
      iso8601: '2025-12-05T10:15:30-07:00',
      std11: 'Fri, 05 Dec 2025 10:15:30 -0700',
      zone: '-0700',
      weekday: '5',
    });
    expect(parts(420).date).toBe('2025-12-06');
    expect(datePart('julian', Date.parse('1858-11-17T00:00:00Z'), 0)).toBe('0');
  });

  it(':zone converts, :originalzone keeps the sender\'s, Received dates are after the last ";"', () => {
    const test = (condition: string) =>
      actions(`require ["date", "fileinto"];\r\nif ${condition} { fileinto "y"; }\r\n`)[0];
    expect(test('date :originalzone "date" "zone" "-0700"')).toBe('y');
    expect(test('date :zone "+0100" "date" "time" "18:15:30"')).toBe('y');
    expect(test('date :zone "+0100" "received" "date" "2025-12-07"')).toBe('y');
    expect(test('date :zone "+0000" "subject" "date" "*"')).toBe('keep');
    expect(test('date :zone "+0000" "x-missing" "year" "2025"')).toBe('keep');
  });

  it('refuses unknown date parts and zones at compile time', () => {
    expect(
      compileErrors('require "date";\r\nif date "date" "fortnight" "1" { stop; }\r\n'),
    ).toEqual(["2:16: unknown date part 'fortnight'"]);
    expect(
      compileErrors('require "date";\r\nif currentdate :zone "CET" "hour" "1" { stop; }\r\n'),
    ).toEqual(["2:22: invalid time zone 'CET' (it must be +hhmm or -hhmm)"]);
  });
});

describe('index (RFC 5260 section 6)', () => {
  it('picks one occurrence from the top, or from the bottom with :last', () => {
    const test = (condition: string) =>
      actions(`require ["index", "date", "fileinto"];\r\nif ${condition} { fileinto "y"; }\r\n`)[0];
    expect(test('header :index 2 :contains "received" "a.example.net"')).toBe('y');
    expect(test('header :index 1 :contains "received" "a.example.net"')).toBe('keep');
    expect(test('header :index 1 :last :contains "received" "a.example.net"')).toBe('y');
    expect(test('header :index 3 :contains "received" ""')).toBe('keep');
    expect(test('address :index 1 :is "from" "boss@example.com"')).toBe('y');
    expect(test('address :index 2 :is "from" "boss@example.com"')).toBe('keep');
    expect(test('date :index 2 :zone "+0000" "received" "time" "23:29:00"')).toBe('y');
    expect(compileErrors('if header :index 1 "subject" "x" { stop; }\r\n')[0]).toMatch(/index/);
  });
});
