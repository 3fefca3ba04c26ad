/** Kerio's sorting rules (Admin Guide 12.4) and the download state file. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonFileDownloadState } from '../../src/download/download-state.js';
import { SortingRules } from '../../src/download/sorting-rules.js';

const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const mail = (header: string) =>
  Buffer.from(`${header.trim().replace(/\n/g, '\r\n')}\r\n\r\nbody\r\n`);

const rules = new SortingRules([
  { address: 'sales@company.com', deliverTo: 'jsmith@company.com', description: 'Sales dept.' },
  { address: 'wayne@company.com', deliverTo: 'jwayne@company.com' },
  { address: '*@company.com', deliverTo: '*@company.com' },
  { address: '*@old.example', deliverTo: '*@new.example' },
  { address: '*', deliverTo: 'admin@company.com' },
  { address: 'off@company.com', deliverTo: 'nobody@company.com', enabled: false },
]);

describe('SortingRules', () => {
  it('prefers an address rule to the *@domain rule, and rewrites *@d1 to *@d2', () => {
    expect(rules.route('Sales@Company.com')).toEqual(['jsmith@company.com']);
    expect(rules.route('anyone@company.com')).toEqual(['anyone@company.com']);
    expect(rules.route('bob@old.example')).toEqual(['bob@new.example']);
    expect(rules.route('x@elsewhere.test')).toBeNull();
    // A rule that is switched off is no rule.
    expect(rules.route('off@company.com')).toEqual(['off@company.com']);
  });

  it('reads the preferred header first: the for clause of Received', () => {
    const message = mail(`
Received: from mx.provider.com by pop.provider.com
 for <sales@company.com>; Tue, 1 Dec 2026 10:00:00 +0000
To: wayne@company.com`);
    expect(rules.sort(message, 'Received')).toEqual({
      recipients: ['jsmith@company.com'],
      matchedBy: 'Received',
    });
  });

  it('reads X-Envelope-To, Delivered-To or a custom header when preferred', () => {
    const message = mail(`
X-Envelope-To: <wayne@company.com>
Delivered-To: sales@company.com
X-Original-To: bob@old.example
To: someone@company.com`);
    expect(rules.sort(message, 'X-Envelope-To').recipients).toEqual(['jwayne@company.com']);
    expect(rules.sort(message, 'Delivered-To').recipients).toEqual(['jsmith@company.com']);
    expect(rules.sort(message, 'X-Original-To').recipients).toEqual(['bob@new.example']);
  });

  it('falls back to Resent-To/Resent-Cc, then To/Cc together', () => {
    const resent = mail(`
Resent-To: nobody@elsewhere.test
Resent-Cc: sales@company.com
To: wayne@company.com`);
    expect(rules.sort(resent, 'Received')).toEqual({
      recipients: ['jsmith@company.com'],
      matchedBy: 'Resent-To+Resent-Cc',
    });
    const plain = mail(`
To: "Sales" <sales@company.com>, outsider@else.test
Cc: team: wayne@company.com, anna@company.com;`);
    expect(rules.sort(plain, 'Received')).toEqual({
      recipients: ['jsmith@company.com', 'jwayne@company.com', 'anna@company.com'],
      matchedBy: 'To+Cc',
    });
  });

  it('moves on when the preferred header names no address that a rule takes', () => {
    const message = mail(`
Received: from a by b for <stranger@else.test>; Tue, 1 Dec 2026 10:00:00 +0000
To: wayne@company.com`);
    expect(rules.sort(message, 'Received').recipients).toEqual(['jwayne@company.com']);
  });

  it('gives what nothing matched to the implicit rule, or discards it without one', () => {
    const message = mail('To: stranger@else.test\nSubject: hi');
    expect(rules.sort(message, 'Received')).toEqual({
      recipients: ['admin@company.com'],
      matchedBy: '*',
    });
    const strict = new SortingRules([{ address: 'a@b.test', deliverTo: 'c@b.test' }]);
    expect(strict.sort(message, 'Received')).toEqual({ recipients: [], matchedBy: null });
    expect(strict.sort(Buffer.from('no header at all'), 'Received').recipients).toEqual([]);
  });

  it('refuses every other use of *', () => {
    for (const [address, deliverTo] of [
      ['sa*@company.com', 'x@company.com'],
      ['*company.com', 'x@company.com'],
      ['sales@company.com', '*@company.com'],
      ['*', '*@company.com'],
      ['sales', 'x@company.com'],
      ['a@b.test', 'not an address'],
    ]) {
      expect(
        () => new SortingRules([{ address: address!, deliverTo: deliverTo! }]),
        address,
      ).toThrow(RangeError);
    }
  });

  it('never throws on arbitrary headers', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.constantFrom('Received', 'To', 'X-Envelope-To'),
        (bytes, header) => {
          const result = rules.sort(bytes, header);
          expect(result.recipients.length).toBeGreaterThan(0);
        },
      ),
      { seed: 124, numRuns: RUNS },
    );
  });
});

describe('JsonFileDownloadState', () => {
  it('keeps every account in one file, rewritten atomically, and reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pop3-state-'));
    try {
      const path = join(dir, 'pop3-download.json');
      const state = new JsonFileDownloadState(path);
      expect(await state.load('a')).toEqual({ kept: {}, deleting: {}, digests: {} });
      await Promise.all([
        state.save('a', { kept: { u1: 1 }, deleting: {}, digests: {} }),
        state.save('b', { kept: {}, deleting: { u2: 2 }, digests: { d: 3 } }),
      ]);
      expect(readdirSync(dir)).toEqual(['pop3-download.json']);
      const again = new JsonFileDownloadState(path);
      expect(await again.load('a')).toEqual({ kept: { u1: 1 }, deleting: {}, digests: {} });
      expect(await again.load('b')).toEqual({ kept: {}, deleting: { u2: 2 }, digests: { d: 3 } });
      expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not its own instead of overwriting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pop3-state-'));
    try {
      const path = join(dir, 'other.json');
      writeFileSync(path, '{"something": "else"}');
      await expect(new JsonFileDownloadState(path).load('a')).rejects.toThrow(/not a POP3/);
      expect(readFileSync(path, 'utf8')).toBe('{"something": "else"}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
