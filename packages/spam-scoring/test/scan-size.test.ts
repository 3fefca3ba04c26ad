// SpamAssassin reads each text part only up to body_part_scan_size (50,000) for body rules and
// rawbody_part_scan_size (500,000) for rawbody rules; spamassassin itself is the oracle here.
import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaMessageView, SaRuleSet } from '../src/index.js';
import {
  BODY_BREAKS,
  BODY_PART_SCAN_SIZE,
  RAWBODY_BREAKS,
  RAWBODY_PART_SCAN_SIZE,
  truncateForScan,
} from '../src/spamassassin/scan-size.js';
import { debianSpamAssassin, spamAssassinFiredEach } from './helpers.js';

/** A text/plain message: `lines` filler lines of 79 octets, then the given line. */
function longMessage(lines: number, last: string): Uint8Array {
  const filler = `${'x'.repeat(78)}\r\n`.repeat(lines);
  return new TextEncoder().encode(
    `From: a@example.net\r\nTo: b@example.com\r\nSubject: report\r\nMessage-ID: <1@example.net>\r\n\r\n${filler}${last}\r\n`,
  );
}

const RULES = [
  'body MONEY_BODY /\\$700 million/',
  'rawbody MONEY_RAWBODY /\\$700 million/',
  'score MONEY_BODY 1',
  'score MONEY_RAWBODY 1',
].join('\n');

function fired(bytes: Uint8Array): string[] {
  const config = emptySaConfig();
  parseCfFile(config, 'money.cf', RULES);
  return SaRuleSet.compile(config)
    .evaluate(new SaMessageView(bytes, summarize(bytes)), 0)
    .map((hit) => hit.name);
}

describe('the per-part scan sizes', () => {
  it('cut after a break within 1,024 octets of the size, else at the size', () => {
    const size = BODY_PART_SCAN_SIZE;
    expect(truncateForScan('a'.repeat(size), size, BODY_BREAKS)).toHaveLength(size);
    const lines = `${'a'.repeat(size + 10)}\n${'b'.repeat(100)}`;
    expect(truncateForScan(lines, size, BODY_BREAKS)).toBe(`${'a'.repeat(size + 10)}\n`);
    const spaced = `${'a'.repeat(size + 5)} ${'b'.repeat(2000)}\nc`;
    expect(truncateForScan(spaced, size, BODY_BREAKS)).toBe(`${'a'.repeat(size + 5)} `);
    expect(truncateForScan('a'.repeat(size + 2000), size, BODY_BREAKS)).toHaveLength(size);
    const tag = `${'a'.repeat(RAWBODY_PART_SCAN_SIZE + 3)}>${'b'.repeat(2000)}\n`;
    expect(truncateForScan(tag, RAWBODY_PART_SCAN_SIZE, RAWBODY_BREAKS)).toHaveLength(
      RAWBODY_PART_SCAN_SIZE + 4,
    );
  });

  it('body rules do not read past 50,000 octets of a part; rawbody rules do, up to 500,000', () => {
    // 700 lines of 79 octets: 55,300 octets before the amount.
    expect(fired(longMessage(700, 'a $700 million increase'))).toEqual(['MONEY_RAWBODY']);
    expect(fired(longMessage(10, 'a $700 million increase'))).toEqual([
      'MONEY_BODY',
      'MONEY_RAWBODY',
    ]);
    expect(fired(longMessage(7000, 'a $700 million increase'))).toEqual([]);
  });
});

describeWithPeer(debianSpamAssassin, 'the scan sizes against spamassassin', () => {
  const LINES = [10, 700, 7000];
  const mails = LINES.map((lines) => longMessage(lines, 'a $700 million increase'));
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(mails, RULES, /^MONEY_(?:BODY|RAWBODY)$/);
  });

  it('agrees on where body and rawbody rules stop reading', () => {
    for (const [index, bytes] of mails.entries())
      expect(fired(bytes), `${LINES[index]} lines`).toEqual(theirs[index]);
    expect(theirs).toEqual([['MONEY_BODY', 'MONEY_RAWBODY'], ['MONEY_RAWBODY'], []]);
  });
});
