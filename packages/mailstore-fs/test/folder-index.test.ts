/**
 * The `index.fld` format: lines written are read back as written, the byte-level reader agrees
 * with the grammar on every line, crashes that tear the end are told from damage, and no input,
 * however hostile, makes the reader throw or hang.
 */
import type { IndexEntry, IndexSnapshot } from '@mailyard/mailstore-interface';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BatchRecord,
  IndexReplay,
  type IndexRecord,
  confirmationLine,
  headerLine,
  parseRecordText,
  readIndexFile,
  readIndexText,
  recordLine,
  snapshotText,
  withRecords,
} from '../src/folder-index.js';

const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const settings = (seed: number) => ({ seed, numRuns: RUNS });
const UID_VALIDITY = 1234;
const empty: IndexSnapshot = {
  uidValidity: UID_VALIDITY,
  uidNext: 1,
  highestModSeq: 1,
  entries: [],
  expunged: [],
};

/** The documented seal: ` #` and FNV-1a (32 bits) of the line's UTF-16 code units, in hex. */
function seal(body: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) hash = Math.imul(hash ^ body.charCodeAt(i), 0x01000193);
  return `${body} #${(hash >>> 0).toString(16).padStart(8, '0')}\n`;
}

const entry = (uid: number, flags: string[] = [], modSeq = uid + 1): IndexEntry => ({
  uid,
  modSeq,
  internalDate: 1_700_000_000_000 + uid,
  saveDate: 1_700_000_000_500 + uid,
  size: 100 + uid,
  emailId: `id${uid}`,
  flags,
});

const flagArb = fc.constantFrom('\\Seen', '\\Flagged', '\\Answered', 'Work', '$Label1', 'ärger');
const flagsArb = fc.uniqueArray(flagArb, { maxLength: 3 });

/** A history of operations on a folder, as the store writes it: UIDs ascend, batches whole. */
const historyArb = fc
  .array(
    fc.oneof(
      fc.record({ op: fc.constant('append' as const), flags: flagsArb, batch: fc.boolean() }),
      fc.record({
        op: fc.constant('batch' as const),
        size: fc.integer({ min: 1, max: 4 }),
        flags: flagsArb,
      }),
      fc.record({ op: fc.constant('flags' as const), pick: fc.nat(), flags: flagsArb }),
      fc.record({ op: fc.constant('expunge' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('confirm' as const) }),
    ),
    { maxLength: 30 },
  )
  .map((ops) => {
    const lines: { line: string; records: IndexRecord[] }[] = [];
    const live: number[] = [];
    let uid = 0;
    let modSeq = 1;
    for (const op of ops) {
      if (op.op === 'append' || op.op === 'batch') {
        const size = op.op === 'batch' ? op.size : 1;
        const checked = op.op === 'batch' || op.batch;
        for (let i = 1; i <= size; i++) {
          const record: IndexRecord = {
            kind: 'message',
            entry: entry(++uid, op.flags, ++modSeq),
            ...(checked ? { check: { digest: 'ab'.repeat(8), position: i, count: size } } : {}),
          };
          live.push(uid);
          lines.push({ line: recordLine(record), records: [record] });
        }
      } else if (op.op === 'flags' && live.length > 0) {
        const record: IndexRecord = {
          kind: 'flags',
          state: { uid: live[op.pick % live.length]!, modSeq: ++modSeq, flags: op.flags },
        };
        lines.push({ line: recordLine(record), records: [record] });
      } else if (op.op === 'expunge' && live.length > 0) {
        const [gone] = live.splice(op.pick % live.length, 1);
        const record: IndexRecord = { kind: 'expunge', uid: gone!, modSeq: ++modSeq };
        lines.push({ line: recordLine(record), records: [record] });
      } else if (op.op === 'confirm') {
        lines.push({ line: confirmationLine(uid), records: [] });
      }
    }
    return lines;
  });

/** What replaying records from scratch gives. */
function replayed(records: readonly IndexRecord[]): IndexSnapshot {
  const replay = new IndexReplay(UID_VALIDITY);
  for (const record of records) replay.apply(record);
  return replay.snapshot();
}

/** The records of whole lines, and the unconfirmed batch at their end, as the format defines. */
function expectedOf(lines: readonly { line: string; records: IndexRecord[] }[]) {
  const records = lines.flatMap((l) => l.records);
  let tail = records.length;
  while (tail > 0) {
    const record = records[tail - 1]!;
    if (record.kind !== 'message' || !record.check) break;
    tail--;
    if (record.check.position === 1) break;
  }
  // A batch counts as trailing only if nothing (not even a confirmation) follows it.
  const lastLine = lines[lines.length - 1];
  const endsWithBatch =
    lastLine !== undefined &&
    lastLine.records[0]?.kind === 'message' &&
    (lastLine.records[0] as BatchRecord).check !== undefined;
  if (!endsWithBatch) tail = records.length;
  return { confirmed: records.slice(0, tail), unconfirmed: records.slice(tail) as BatchRecord[] };
}

describe('index.fld', () => {
  it('reads back every history it wrote, with the batch it ends with set apart', () => {
    fc.assert(
      fc.property(historyArb, (lines) => {
        const text = headerLine(UID_VALIDITY) + lines.map((l) => l.line).join('');
        const reading = readIndexFile(Buffer.from(text));
        expect(reading.ok).toBe(true);
        if (!reading.ok) return;
        const { confirmed, unconfirmed } = expectedOf(lines);
        expect(reading.snapshot).toEqual(replayed(confirmed));
        expect(reading.lines).toBe(lines.length);
        expect(reading.end).toBe(Buffer.byteLength(text));
        expect(reading.unconfirmed?.records ?? []).toEqual(unconfirmed);
        if (reading.unconfirmed) expect(reading.unconfirmed.complete).toBe(true);
        // The string reader gives the whole state, batch included.
        const whole = readIndexText(text);
        expect(whole.ok && whole.snapshot).toEqual(replayed([...confirmed, ...unconfirmed]));
      }),
      settings(20240601),
    );
  });

  it('takes a write torn anywhere as the lines before it, and a torn batch as incomplete', () => {
    fc.assert(
      fc.property(historyArb, fc.double({ min: 0, max: 1, noNaN: true }), (lines, where) => {
        const header = headerLine(UID_VALIDITY);
        const full = Buffer.from(header + lines.map((l) => l.line).join(''));
        const cut = Buffer.byteLength(header) + Math.floor(where * (full.length - header.length));
        const reading = readIndexFile(full.subarray(0, cut));
        expect(reading.ok).toBe(true);
        if (!reading.ok) return;
        // The whole lines before the cut.
        const kept: typeof lines = [];
        let keptEnd = Buffer.byteLength(header);
        for (const l of lines) {
          if (keptEnd + Buffer.byteLength(l.line) > cut) break;
          keptEnd += Buffer.byteLength(l.line);
          kept.push(l);
        }
        const { confirmed, unconfirmed } = expectedOf(kept);
        expect(reading.snapshot).toEqual(replayed(confirmed));
        expect(reading.unconfirmed?.records ?? []).toEqual(unconfirmed);
        const last = unconfirmed[unconfirmed.length - 1];
        if (last) {
          expect(reading.unconfirmed!.complete).toBe(last.check.position === last.check.count);
        }
        expect(reading.end).toBe(keptEnd);
      }),
      settings(20240602),
    );
  });

  it('calls a changed character anywhere but after the last newline damage', () => {
    fc.assert(
      fc.property(
        historyArb.filter((lines) => lines.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (lines, at, xor) => {
          const text = Buffer.from(headerLine(UID_VALIDITY) + lines.map((l) => l.line).join(''));
          const position = at % text.length;
          if (text[position] === 0x0a) return; // a newline moved is a different file, not damage
          const damaged = Buffer.from(text);
          damaged[position] = damaged[position]! ^ xor;
          if (damaged[position] === 0x0a) return;
          const reading = readIndexFile(damaged);
          expect(reading.ok).toBe(false);
        },
      ),
      settings(20240603),
    );
  });

  it('reads every well-sealed line as the grammar does, byte-level fast path or not', () => {
    const digits = fc.stringMatching(/^[0-9]{0,18}$/);
    const word = fc.stringMatching(/^[A-Za-z0-9$\\]{0,6}$/);
    const field = fc.oneof(
      digits,
      word,
      fc.constant(''),
      fc.constant('ab'.repeat(8)),
      fc.constant('AB'.repeat(8)),
      fc.constantFrom('1/1', '1/3', '2/3', '0/1', '3/2', '/', '1/', 'x/y'),
      fc.constantFrom('ärger', '日本', '\\Seen'),
    );
    const number = fc.oneof(
      fc.nat().map(String),
      fc.constantFrom('1700000000000', '999999999999999', '1234567890123456', '0'),
    );
    /** A field that is right for its place most of the time, and anything else otherwise. */
    const maybe = (right: fc.Arbitrary<string>) =>
      fc.oneof({ weight: 6, arbitrary: right }, { weight: 1, arbitrary: field });
    const message = fc
      .tuple(
        fc.constantFrom('+', '*'),
        fc.array(maybe(number), { minLength: 5, maxLength: 5 }),
        maybe(fc.stringMatching(/^[a-f0-9]{1,32}$/)),
        maybe(fc.constant('0123456789abcdef')),
        maybe(fc.constantFrom('1/1', '1/2', '2/2', '1/3')),
        fc.array(maybe(flagArb), { maxLength: 3 }),
      )
      .map(([kind, numbers, id, digest, batch, flags]) =>
        [kind, ...numbers, id, ...(kind === '*' ? [digest, batch] : []), ...flags].join(' '),
      );
    const anything = fc
      .tuple(
        fc.constantFrom('+', '*', '~', '-', '=', 'x', '', '++'),
        fc.array(field, { maxLength: 12 }),
      )
      .map(([kind, fields]) => [kind, ...fields].join(' '));
    const other = fc
      .tuple(fc.constantFrom('~', '-', '='), fc.array(maybe(number), { maxLength: 3 }), flagsArb)
      .map(([kind, numbers, flags]) => [kind, ...numbers, ...flags].join(' '));
    const body = fc.oneof(message, other, anything);
    fc.assert(
      fc.property(body, (line) => {
        const expected = parseRecordText(line);
        const reading = readIndexFile(Buffer.from(headerLine(UID_VALIDITY) + seal(line)));
        if (expected === null) {
          expect(reading.ok, line).toBe(false);
          return;
        }
        if (expected.kind === 'message' && expected.check) {
          // A batch must start at position 1; a later position alone is damage.
          expect(reading.ok, line).toBe(expected.check.position === 1);
          if (!reading.ok) return;
          expect(reading.unconfirmed?.records, line).toEqual([expected]);
          expect(reading.unconfirmed?.complete).toBe(expected.check.count === 1);
          return;
        }
        expect(reading.ok, line).toBe(true);
        if (!reading.ok) return;
        expect(reading.snapshot, line).toEqual(
          expected.kind === 'confirmed' ? empty : withRecords(empty, [expected]),
        );
      }),
      settings(20240604),
    );
  });

  it('reads a compacted snapshot back as it was', () => {
    const snapshot: IndexSnapshot = {
      uidValidity: UID_VALIDITY,
      uidNext: 8,
      highestModSeq: 20,
      entries: [entry(2, ['\\Seen']), entry(5), entry(7, ['Work', '\\Flagged'])],
      expunged: [
        { uid: 1, modSeq: 9 },
        { uid: 3, modSeq: 10 },
      ],
    };
    const reading = readIndexFile(Buffer.from(snapshotText(snapshot)));
    expect(reading.ok && reading.snapshot).toEqual({ ...snapshot, highestModSeq: 10 });
  });

  it('treats a batch interrupted by another line, or out of its order, as damage', () => {
    const batch = (uid: number, position: number, count: number) =>
      recordLine({
        kind: 'message',
        entry: entry(uid),
        check: { digest: '0123456789abcdef', position, count },
      });
    const header = headerLine(UID_VALIDITY);
    const flags = recordLine({ kind: 'flags', state: { uid: 1, modSeq: 9, flags: [] } });
    for (const lines of [
      [batch(1, 1, 2), flags],
      [batch(1, 1, 3), batch(2, 3, 3)],
      [batch(1, 2, 2)],
      [batch(1, 1, 2), batch(2, 2, 3)],
      [batch(1, 1, 2), batch(2, 1, 2), batch(3, 2, 2)],
    ]) {
      expect(readIndexFile(Buffer.from(header + lines.join(''))).ok, lines.join('')).toBe(false);
    }
    // A torn batch at the very end is no damage, only incomplete.
    const torn = readIndexFile(Buffer.from(header + batch(1, 1, 3) + batch(2, 2, 3)));
    expect(torn.ok && torn.unconfirmed).toMatchObject({ complete: false, start: header.length });
    expect(torn.ok && torn.snapshot.entries).toEqual([]);
  });

  it('survives hostile input without throwing or hanging', () => {
    const header = headerLine(UID_VALIDITY);
    const inputs = [
      Buffer.alloc(0),
      Buffer.alloc(1 << 20),
      Buffer.from(header + '\0'.repeat(100_000) + '\n'),
      Buffer.from(header + '+ ' + '9'.repeat(1 << 20) + '\n'),
      Buffer.from(header + 'x'.repeat(1 << 20)),
      Buffer.from(header + seal(`+ 1 2 3 4 5 id ${'\\Seen '.repeat(10_000)}x`)),
      Buffer.concat([Buffer.from(header), Buffer.from([0xff, 0xfe, 0x20, 0x23, 0x0a])]),
      Buffer.from(header.replace('1234', '99999999999999999999')),
      Buffer.from('MAILYARD-INDEX 2 5 #00000000\n'),
    ];
    for (const input of inputs) {
      const started = Date.now();
      expect(() => readIndexFile(input)).not.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
        const reading = readIndexFile(Buffer.concat([Buffer.from(header), bytes]));
        expect(typeof reading.ok).toBe('boolean');
      }),
      settings(20240605),
    );
  });
});
