import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaMessageView, SaRuleSet } from '../src/index.js';
import { ruleFirer } from './helpers.js';

/** Rules whose literals the prefilter scans for, over every view array it keeps. */
const RULES = `
body     BODY_LITERAL     /wire (?:the|your) funds/
body     BODY_CASELESS    /\\bfree\\s+(?:money|cash)\\b/i
body     BODY_INLINE_I    /(?i)LOTTERY winner/
rawbody  RAW_LITERAL      /<span class="hidden">/
uri      URI_LITERAL      /\\.example\\.biz\\//
full     FULL_LITERAL     /^X-Campaign-Id: \\d+/m
body     COUNTED          /prize/
tflags   COUNTED          multiple maxhits=3
meta     THREE_PRIZES     COUNTED > 2
score    THREE_PRIZES 1
score    BODY_LITERAL 1
score    BODY_CASELESS 1
score    BODY_INLINE_I 1
score    RAW_LITERAL 1
score    URI_LITERAL 1
score    FULL_LITERAL 1
score    COUNTED 1
# A link in text counts only under a TLD the rule files list.
util_rb_tld biz
`;
const fire = ruleFirer(RULES);

const fired = (headers: string, body: string, type = 'text/plain') =>
  fire(`From: a@example.net\r\nSubject: hello\r\n${headers}Content-Type: ${type}\r\n\r\n${body}`);

describe('the rule set prefilter (one scan of each view for every rule literal)', () => {
  it('runs each pattern where one of its literals occurs, in any paragraph and case', () => {
    expect(
      fired('', 'first paragraph\r\n\r\nplease WIRE the funds today, FREE \r\n  Cash'),
    ).toEqual(['BODY_CASELESS']);
    expect(fired('', 'one\r\n\r\ntwo\r\n\r\nwire your funds')).toEqual(['BODY_LITERAL']);
    expect(fired('', 'the lottery WINNER is you')).toEqual(['BODY_INLINE_I']);
    expect(
      fired('', '<p>x <span class="hidden">y</span> http://www.example.biz/z</p>', 'text/html'),
    ).toEqual(['RAW_LITERAL', 'URI_LITERAL']);
    expect(fired('X-Campaign-Id: 42\r\n', 'hi')).toEqual(['FULL_LITERAL']);
  });

  it('finds a literal in any of many paragraphs, past the 31 the scan marks one by one', () => {
    const paragraphs = (count: number, at: Record<number, string>) =>
      Array.from({ length: count }, (_, i) => at[i] ?? `paragraph ${i}`).join('\r\n\r\n');
    const bytes = new TextEncoder().encode(`Subject: x\r\n\r\n${paragraphs(40, {})}`);
    expect(new SaMessageView(bytes, summarize(bytes)).body().length).toBeGreaterThan(32);
    // The literal in one paragraph, the rest of the pattern in another: no match.
    expect(fired('', paragraphs(40, { 3: 'wire the', 4: 'funds' }))).toEqual([]);
    expect(fired('', paragraphs(40, { 35: 'wire the', 36: 'funds' }))).toEqual([]);
    for (const at of [0, 30, 31, 32, 39]) {
      expect(fired('', paragraphs(40, { [at]: 'please wire the funds' })), `at ${at}`).toEqual([
        'BODY_LITERAL',
      ]);
      expect(fired('', paragraphs(40, { [at]: 'Free  CASH' })), `at ${at}`).toEqual([
        'BODY_CASELESS',
      ]);
    }
    // Counted over paragraphs on both sides of the mask's last bit.
    expect(fired('', paragraphs(40, { 2: 'prize', 31: 'prize', 38: 'prize' }))).toEqual([
      'COUNTED',
      'THREE_PRIZES',
    ]);
  });

  it('fires nothing on a message without the literals, and counts a counted rule to its cap', () => {
    expect(fired('X-Campaign-Id: none\r\n', 'wire funds, free  moneyish, lotter winner')).toEqual(
      [],
    );
    expect(fired('', 'prize, prize')).toEqual(['COUNTED']);
    expect(fired('', 'prize prize\r\n\r\nprize prize prize')).toEqual(['COUNTED', 'THREE_PRIZES']);
  });
});

describe('rules that cannot reach the score are not run', () => {
  const config = emptySaConfig();
  parseCfFile(
    config,
    'scoring.cf',
    `
body  __READ_BY_SCORED   /alpha/
body  __READ_BY_UNSCORED /beta/
body  __READ_BY_NOTHING  /gamma/
meta  SCORED             __READ_BY_SCORED
meta  __UNSCORED         __READ_BY_UNSCORED
meta  ZERO               __UNSCORED
score SCORED 1
score ZERO 0
`,
  );
  const rules = SaRuleSet.compile(config);

  it('runs what a scored meta reads, transitively, and skips the rest', () => {
    const bytes = new TextEncoder().encode('Subject: x\r\n\r\nalpha beta gamma');
    const ran = new Map<string, number>();
    const hits = rules.evaluate(new SaMessageView(bytes, summarize(bytes)), 0, ran);
    expect(hits.map((hit) => hit.name)).toEqual(['SCORED']);
    expect([...ran.keys()]).toEqual(['__READ_BY_SCORED']);
  });
});
