/**
 * Hostile and broken input: whatever the bytes, `summarize` returns a summary whose offsets make
 * sense, whose IMAP views can be built, and it does so without throwing, hanging or blowing up.
 * The large cases are sized so that anything worse than linear would run far past the timeout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MIME_LIMITS,
  type MessageSummary,
  type MimePart,
  bodyStructure,
  envelopeToImap,
  summarize,
} from '../src/index.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const HOSTILE_TIMEOUT = 60_000;

/** Checks what must hold for any summary of any bytes, and returns the tree's depth. */
function checkSummary(bytes: Uint8Array, summary: MessageSummary): number {
  expect(summary.size).toBe(bytes.length);
  expect(summary.body.headerStart).toBe(0);
  expect(summary.body.end).toBe(bytes.length);
  expect(() => bodyStructure(summary.body, true)).not.toThrow();
  expect(() => envelopeToImap(summary.envelope)).not.toThrow();
  expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  return checkPart(bytes, summary.body, 0, bytes.length);
}

function checkPart(bytes: Uint8Array, part: MimePart, min: number, max: number): number {
  const { headerStart, bodyStart, end } = part;
  if (!(min <= headerStart && headerStart <= bodyStart && bodyStart <= end && end <= max)) {
    throw new Error(`offsets out of order: ${min} ${headerStart} ${bodyStart} ${end} ${max}`);
  }
  let lineFeeds = 0;
  for (let i = bodyStart; i < end; i++) if (bytes[i] === 0x0a) lineFeeds++;
  if (part.lines !== lineFeeds) throw new Error(`lines ${part.lines}, counted ${lineFeeds}`);
  let depth = 0;
  let previousEnd = bodyStart;
  for (const child of part.parts ?? []) {
    depth = Math.max(depth, checkPart(bytes, child, previousEnd, end));
    previousEnd = child.end;
  }
  if (part.message) depth = checkPart(bytes, part.message.body, bodyStart, end);
  return depth + (part.parts || part.message ? 1 : 0);
}

/** Message fragments that exercise the structural code far better than uniform random bytes. */
const fragment = fc.constantFrom(
  'Content-Type: multipart/mixed; boundary=a\r\n',
  'Content-Type: multipart/alternative; boundary="ab"\r\n',
  'Content-Type: multipart/digest; boundary=a\r\n',
  'Content-Type: message/rfc822\r\n',
  'Content-Type: text/plain; charset=utf-8\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Subject: =?utf-8?q?x?=\r\n',
  'From: "a" <b@c>, d@e\r\n',
  ' folded\r\n',
  '--a\r\n',
  '--a--\r\n',
  '--ab\r\n',
  '--ab--\r\n',
  '\r\n',
  '\n',
  '\r',
  'text line\r\n',
  '--',
  '\x00',
  'ä',
);
const structuredMessage = fc
  .array(fragment, { maxLength: 80 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

describe('summarize on hostile input', () => {
  it('never throws on random bytes, and its offsets hold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => {
        checkSummary(bytes, summarize(bytes));
      }),
      { seed: 42, numRuns: runs },
    );
  });

  it('never throws on random MIME-shaped input, and its offsets hold', () => {
    fc.assert(
      fc.property(structuredMessage, (bytes) => {
        checkSummary(bytes, summarize(bytes));
      }),
      { seed: 42, numRuns: runs * 5 },
    );
  });

  it('takes a 10 MB single header line in its stride', { timeout: HOSTILE_TIMEOUT }, () => {
    const bytes = Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.alloc(10 * 1024 * 1024, 'x'),
      Buffer.from('\r\nContent-Type: text/plain\r\n\r\nbody'),
    ]);
    const summary = summarize(bytes);
    expect(summary.subject.length).toBe(10 * 1024 * 1024);
    checkSummary(bytes, summary);
  });

  it('caps 10,000 nested multiparts at the depth limit', { timeout: HOSTILE_TIMEOUT }, () => {
    let text = '';
    for (let i = 0; i < 10_000; i++)
      text += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    text += '\r\ninnermost\r\n';
    const bytes = Buffer.from(text);
    const summary = summarize(bytes);
    expect(checkSummary(bytes, summary)).toBe(MIME_LIMITS.maxDepth);
    let part = summary.body;
    while (part.parts) part = part.parts[0]!;
    expect(part.contentType.type).toBe('application');
  });

  it(
    'caps 10,000 nested encapsulated messages at the depth limit',
    { timeout: HOSTILE_TIMEOUT },
    () => {
      const bytes = Buffer.from(
        'Content-Type: message/rfc822\r\n\r\n'.repeat(10_000) + 'Subject: deep\r\n\r\nx',
      );
      expect(checkSummary(bytes, summarize(bytes))).toBe(MIME_LIMITS.maxDepth);
    },
  );

  it('stops splitting 100,000 parts at the part limit', { timeout: HOSTILE_TIMEOUT }, () => {
    const bytes = Buffer.from(
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n' +
        '--b\r\n\r\npart\r\n'.repeat(100_000) +
        '--b--\r\n',
    );
    const summary = summarize(bytes);
    checkSummary(bytes, summary);
    // The root counts as a part too.
    expect(summary.body.parts!.length).toBe(MIME_LIMITS.maxParts - 1);
  });

  it('reads NUL bytes in headers and boundaries as ordinary bytes', () => {
    const bytes = Buffer.from(
      'Subject: a\x00b\r\nContent-Type: multipart/mixed; boundary="x\x00y"\r\n\r\n--x\x00y\r\n\r\none\r\n--x\x00y--\r\n',
      'latin1',
    );
    const summary = summarize(bytes);
    expect(summary.subject).toBe('a\x00b');
    expect(summary.body.parts).toHaveLength(1);
    checkSummary(bytes, summary);
  });

  it('summarises a message truncated anywhere', () => {
    const whole = Buffer.from(
      'Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--b--\r\n',
    );
    for (let length = 0; length <= whole.length; length++) {
      const bytes = whole.subarray(0, length);
      checkSummary(bytes, summarize(bytes));
    }
  });

  it(
    'handles a huge number of header fields without indexing all of them',
    { timeout: HOSTILE_TIMEOUT },
    () => {
      const bytes = Buffer.from('X-A: 1\r\n'.repeat(500_000) + 'Subject: last\r\n\r\nbody');
      const summary = summarize(bytes);
      checkSummary(bytes, summary);
      expect(summary.subject).toBe('');
    },
  );
});
