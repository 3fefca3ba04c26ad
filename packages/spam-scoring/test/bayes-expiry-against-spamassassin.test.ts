import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from '@mailyard/mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BayesFilter, MemoryBayesStore } from '../src/index.js';

/**
 * Expiry against sa-learn's own: the same messages learned by both, both databases expired with
 * the same size limit, and the words each kept compared. Three groups of messages, received 300,
 * 100 and 1 day before the newest; every message has 400 words of its own, so a word's time is
 * its message's. SpamAssassin never expires under 100,000 tokens, hence the volume.
 */
const DAY = 86_400;
const NEWEST = Date.UTC(2002, 11, 1, 12) / 1000;
const WORDS_PER_MESSAGE = 400;
const GROUPS = [
  { ageDays: 300, messages: 60 },
  { ageDays: 100, messages: 60 },
  { ageDays: 1, messages: 200 },
];
const MAX_TOKENS = 110_000;

/** A word of letters only, unique to (message, index): no stopword, no digits, 3 to 15 octets. */
function word(message: number, index: number): string {
  let n = message * WORDS_PER_MESSAGE + index;
  let text = '';
  do {
    text += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n > 0);
  return `zq${text}`;
}

const rfc822 = (seconds: number) => new Date(seconds * 1000).toUTCString().replace('GMT', '+0000');

interface Learned {
  readonly ageDays: number;
  readonly received: number;
  readonly words: string[];
  readonly mail: string;
}

const messages: Learned[] = [];
let number = 0;
for (const { ageDays, messages: count } of GROUPS)
  for (let i = 0; i < count; i++, number++) {
    const received = NEWEST - ageDays * DAY + i * 60;
    const words = Array.from({ length: WORDS_PER_MESSAGE }, (_, j) => word(number, j));
    const lines: string[] = [];
    for (let j = 0; j < words.length; j += 10) lines.push(words.slice(j, j + 10).join(' '));
    messages.push({
      ageDays,
      received,
      words,
      mail: [
        `Received: from mx.example.net (mx.example.net [192.0.2.1]) by mail.example.org with ESMTP id ${number}; ${rfc822(received)}`,
        `Date: ${rfc822(received - 30)}`,
        'From: sender@example.net',
        'To: rcpt@example.org',
        `Message-ID: <${number}@example.net>`,
        'Subject: words',
        '',
        ...lines,
        '',
      ].join('\n'),
    });
  }

/** SpamAssassin's Bayes database key for a token: the last 5 octets of its SHA-1, in hex. */
const saKey = (token: string) =>
  createHash('sha1').update(token).digest().subarray(-5).toString('hex');

let work: string;
let saKept: Set<string>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mailyard-bayes-expiry-'));
  const site = join(work, 'site');
  const mail = join(work, 'mail');
  // Debian's site configuration loads the Bayes plugin (v310.pre).
  cpSync('/etc/spamassassin', site, { recursive: true });
  mkdirSync(mail);
  writeFileSync(
    join(site, 'zz_expiry.cf'),
    `use_bayes 1\nbayes_auto_learn 0\nbayes_path ${join(work, 'bayes')}\nlock_method flock\nbayes_expiry_max_db_size ${MAX_TOKENS}\n`,
  );
  for (const [index, { mail: text }] of messages.entries())
    writeFileSync(join(mail, `${index}.eml`), text);
  const saLearn = (...args: string[]) =>
    execFileSync('sa-learn', ['--siteconfigpath', site, '-L', ...args], {
      maxBuffer: 1 << 28,
    }).toString();
  saLearn('--ham', mail);
  saLearn('--force-expire');
  saKept = new Set(
    saLearn('--dump', 'data')
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[4])
      .filter((key): key is string => key !== undefined),
  );
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Bayes expiry against sa-learn --force-expire', () => {
  it('forgets the words of the same messages SpamAssassin forgets, and keeps the rest', async () => {
    const store = new MemoryBayesStore();
    const bayes = new BayesFilter({
      store,
      autoLearn: null,
      expiry: { maxTokens: MAX_TOKENS },
      clock: () => (NEWEST + 2 * DAY) * 1000,
    });
    for (const { mail } of messages) {
      const bytes = new TextEncoder().encode(mail);
      expect(await bayes.learn({ bytes, summary: summarize(bytes) }, 'ham')).toBe('learned');
    }
    const before = store.tokenCount;
    const outcome = await bayes.expire();
    expect(outcome).not.toBeNull();
    // The age chosen: 128 days (forgetting the 300-day-old words only; 64 days would forget
    // more than needed to come down to 100,000 tokens).
    const newest = Math.max(...messages.map((m) => m.received));
    expect(outcome!.cutoff).toBe(newest - 128 * DAY);
    expect(outcome!.forgotten + outcome!.kept).toBe(before);

    for (const { ageDays } of GROUPS) {
      const words = messages.filter((m) => m.ageDays === ageDays).flatMap((m) => m.words);
      const oursKept = (await store.counts(words)).size;
      const theirsKept = words.filter((w) => saKept.has(saKey(w))).length;
      expect({ ageDays, kept: oursKept }).toEqual({ ageDays, kept: theirsKept });
      expect(oursKept).toBe(ageDays === 300 ? 0 : words.length);
    }
  });

  it('expires at most once a period, when a message is classified', async () => {
    let now = (NEWEST + 2 * DAY) * 1000;
    const store = new MemoryBayesStore();
    const bayes = new BayesFilter({
      store,
      autoLearn: null,
      minSpam: 0,
      minHam: 0,
      expiry: { maxTokens: MAX_TOKENS },
      clock: () => now,
    });
    for (const { mail } of messages) {
      const bytes = new TextEncoder().encode(mail);
      await bayes.learn({ bytes, summary: summarize(bytes) }, 'ham');
    }
    const before = store.tokenCount;
    const probe = new TextEncoder().encode(messages.at(-1)!.mail);
    await bayes.classify({ bytes: probe, summary: summarize(probe) });
    const after = store.tokenCount;
    expect(after).toBeLessThan(before);
    // Copies of old messages bring their words back; within 12 hours nothing expires. (Sent to
    // another address: with the same To, Date and body a copy is the same message.)
    for (const { mail } of messages.slice(0, 30)) {
      const bytes = new TextEncoder().encode(mail.replace('To: rcpt@', 'To: again@'));
      await bayes.learn({ bytes, summary: summarize(bytes) }, 'ham');
    }
    now += 11 * 3600 * 1000;
    expect(await bayes.expire()).toBeNull();
    expect(store.tokenCount).toBeGreaterThan(after);
    now += 2 * 3600 * 1000;
    expect(await bayes.expire()).not.toBeNull();
    expect(store.tokenCount).toBeLessThanOrEqual(after);
  });
});
