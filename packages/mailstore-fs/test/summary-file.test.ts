/**
 * `summaries.fld`: summaries come back for the UIDs asked, in the order asked, however the lines
 * lie in the file; appends never need the file scanned; what a crash leaves at the end is cut
 * off; and no content of the file, however hostile, makes a read throw.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageSummary } from '@mailyard/mime';
import { summarize } from '@mailyard/mime';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SummaryFile } from '../src/summary-file.js';

const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
let directory: string;
let path: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mailyard-summaries-'));
  path = join(directory, 'summaries.fld');
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** A summary whose subject says which message it belongs to; `padding` makes it longer. */
const summaryOf = (uid: number, padding = 0): MessageSummary =>
  summarize(Buffer.from(`Subject: message ${uid}${' x'.repeat(padding)}\r\n\r\nBody\r\n`));
const subjects = (summaries: readonly (MessageSummary | null)[]) =>
  summaries.map((summary) => summary?.subject ?? null);

describe('summaries.fld', () => {
  it('answers in the order asked, with null for UIDs it has no line for', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 5_200 }), { maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 5 }),
        async (stored, asked, paddings) => {
          rmSync(path, { force: true });
          const file = new SummaryFile(path);
          await file.reset(Infinity);
          // Appended in a few batches, so that some are appended after the offsets were read.
          for (let i = 0; i < stored.length; i += 7) {
            file.append(
              stored.slice(i, i + 7).map((uid) => ({
                uid,
                summary: summaryOf(uid, paddings[uid % paddings.length]!),
              })),
            );
            if (i === 14) await file.read([stored[0]!]);
          }
          const known = new Set(stored);
          const expected = asked.map((uid) => {
            if (!known.has(uid)) return null;
            return summaryOf(uid, paddings[uid % paddings.length]!).subject;
          });
          expect(subjects(await file.read(asked))).toEqual(expected);
          // A fresh reader of the same file agrees.
          const again = new SummaryFile(path);
          await again.reset(Infinity);
          expect(subjects(await again.read(asked))).toEqual(expected);
        },
      ),
      { seed: 20240611, numRuns: Math.max(20, RUNS / 4) },
    );
  });

  it('reads many summaries in a few reads, across runs longer than one read', async () => {
    const file = new SummaryFile(path);
    await file.reset(1);
    const uids = Array.from({ length: 600 }, (_, i) => i + 1);
    // About 0.5 to 6 KB a line: 600 lines are several of the 128 KiB reads.
    file.append(uids.map((uid) => ({ uid, summary: summaryOf(uid, (uid * 37) % 3_000) })));
    const shuffled = [...uids].sort((a, b) => ((a * 7919) % 601) - ((b * 7919) % 601));
    expect(subjects(await file.read(shuffled))).toEqual(
      shuffled.map((uid) => summaryOf(uid, (uid * 37) % 3_000).subject),
    );
  });

  it('takes the last line of a UID written twice, as a recomputed summary is', async () => {
    const file = new SummaryFile(path);
    await file.reset(1);
    file.append([{ uid: 1, summary: summaryOf(1) }]);
    writeFileSync(path, readFileSync(path, 'utf8').replace('{', '{broken'));
    const fresh = new SummaryFile(path);
    await fresh.reset(2);
    expect(await fresh.read([1])).toEqual([null]);
    fresh.append([{ uid: 1, summary: summaryOf(1) }]);
    expect(subjects(await fresh.read([1]))).toEqual(['message 1']);
    const third = new SummaryFile(path);
    await third.reset(2);
    expect(subjects(await third.read([1]))).toEqual(['message 1']);
  });

  it('ends a torn last line before appending, when reset could not see it', async () => {
    const line = `1\t${JSON.stringify(summaryOf(1))}\n`;
    // A torn line longer than what reset looks at.
    writeFileSync(path, line + `2\t{"subject":"${'y'.repeat(100_000)}`);
    const file = new SummaryFile(path);
    await file.reset(3);
    file.append([{ uid: 3, summary: summaryOf(3) }]);
    expect(subjects(await file.read([1, 2, 3]))).toEqual(['message 1', null, 'message 3']);
  });

  it('cuts off, at reset, a torn line and lines for UIDs not given out yet', async () => {
    const line = (uid: number) => `${uid.toString(16)}\t${JSON.stringify(summaryOf(uid))}\n`;
    const kept = line(1) + line(2) + line(1);
    writeFileSync(path, kept + line(3) + line(10) + '4\t{"tor');
    await new SummaryFile(path).reset(3);
    expect(readFileSync(path, 'utf8')).toBe(kept);
    // Nothing to cut: the file is left alone.
    await new SummaryFile(path).reset(3);
    expect(readFileSync(path, 'utf8')).toBe(kept);
  });

  it('rewrites the file with just the summaries kept, copied as they were', async () => {
    const file = new SummaryFile(path);
    await file.reset(1);
    file.append([1, 2, 3, 4].map((uid) => ({ uid, summary: summaryOf(uid) })));
    await file.rewrite([4, 2, 9]);
    expect(
      readFileSync(path, 'utf8')
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual(['4', '2', '']);
    expect(subjects(await file.read([1, 2, 3, 4]))).toEqual([null, 'message 2', null, 'message 4']);
  });

  it('never throws on a file of hostile bytes, and answers null for what it cannot read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 4_000 }),
          fc
            .array(
              fc.oneof(
                fc.constantFrom(
                  '1\t{}\n',
                  '2\t{"a":\n',
                  '\t\n',
                  '\n',
                  '\0\0\0',
                  'ffffffffffffff\t{}\n',
                ),
                fc.string(),
              ),
            )
            .map((parts) => Buffer.from(parts.join(''))),
        ),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 10 }),
        async (bytes, asked) => {
          writeFileSync(path, bytes);
          const file = new SummaryFile(path);
          await file.reset(5);
          const found = await file.read(asked);
          expect(found).toHaveLength(asked.length);
          file.append([{ uid: 7, summary: summaryOf(7) }]);
          expect(subjects(await file.read([7]))).toEqual(['message 7']);
        },
      ),
      { seed: 20240612, numRuns: RUNS },
    );
  });
});
