import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  BAYES_TOKENIZER_VERSION,
  BayesFilter,
  BayesStoreError,
  DEFAULT_BAYES_EXPIRY,
  DEFAULT_BAYES_MATH,
  FileBayesStore,
  MemoryBayesStore,
  SaMessageView,
  SpamEngine,
  type TokenCounts,
  bayesTokens,
  chi2Q,
  combineProbabilities,
  tokenProbability,
} from '../src/index.js';
import { FACTS, message, scoring } from './helpers.js';

const SPAM_WORDS =
  'viagra cialis pills cheap offer winner prize casino loan credit discount replica unsubscribe'.split(
    ' ',
  );
const HAM_WORDS =
  'meeting minutes schedule release review patch build agenda lunch project report deadline'.split(
    ' ',
  );

/** A message of words drawn (deterministically) from a vocabulary; `n` makes each one unique. */
function generated(kind: 'spam' | 'ham', n: number, extra = '') {
  const words = kind === 'spam' ? SPAM_WORDS : HAM_WORDS;
  const body = Array.from({ length: 30 }, (_, i) => words[(n * 7 + i * 3) % words.length]).join(
    ' ',
  );
  return message(
    `From: ${kind}${n % 5}@${kind}.example\r\nSubject: ${words[n % words.length]} ${n}\r\nMessage-ID: <${kind}-${n}@x>\r\n\r\n${body} ${extra} unique${n}\r\n`,
  );
}

async function trained(spam: number, ham: number, store = new MemoryBayesStore()) {
  const filter = new BayesFilter({ store });
  for (let i = 0; i < spam; i++) await filter.learn(generated('spam', i), 'spam');
  for (let i = 0; i < ham; i++) await filter.learn(generated('ham', i), 'ham');
  return filter;
}

describe('the mathematics', () => {
  it('chi2Q is the chi-square survival function (closed form for 2 and 4 degrees of freedom)', () => {
    expect(chi2Q(0, 2)).toBe(1);
    expect(chi2Q(2, 2)).toBeCloseTo(Math.exp(-1), 12);
    expect(chi2Q(6, 4)).toBeCloseTo(Math.exp(-3) * (1 + 3), 12);
    expect(chi2Q(10_000, 300)).toBe(0);
  });

  it("Robinson's f(w) pulls rare tokens towards x", () => {
    expect(
      tokenProbability({ spam: 0, ham: 0 }, 10, 10, {
        s: 0.03,
        x: 0.538,
        minStrength: 0.346,
        maxTokens: 150,
      }),
    ).toBe(0.538);
    const once = tokenProbability({ spam: 1, ham: 0 }, 10, 10, {
      s: 1,
      x: 0.5,
      minStrength: 0.346,
      maxTokens: 150,
    });
    expect(once).toBe(0.75);
    expect(
      tokenProbability({ spam: 100, ham: 0 }, 100, 100, {
        s: 0.03,
        x: 0.538,
        minStrength: 0.346,
        maxTokens: 150,
      }),
    ).toBeGreaterThan(0.999);
  });

  it('lets words seen once in ham weigh less against words seen in many spam than with SpamAssassin s', () => {
    // Of 200 spam and 200 ham learned: ten words seen in one ham each, ten in ten spam each.
    const theirs = { ...DEFAULT_BAYES_MATH, s: 0.03 };
    const rare = tokenProbability({ spam: 0, ham: 1 }, 200, 200, DEFAULT_BAYES_MATH);
    const spammy = tokenProbability({ spam: 10, ham: 0 }, 200, 200, DEFAULT_BAYES_MATH);
    // s 0.3, x 0.6: a word seen once in ham is 0.14 (SpamAssassin's 0.030 and 0.538: 0.016, as
    // strong as one seen in a hundred).
    expect(rare).toBeCloseTo(0.1385, 4);
    expect(tokenProbability({ spam: 0, ham: 1 }, 200, 200, theirs)).toBeLessThan(0.02);
    const ours = combineProbabilities([...Array(10).fill(rare), ...Array(10).fill(spammy)]);
    const spamAssassins = combineProbabilities(
      [
        ...Array(10).fill(tokenProbability({ spam: 0, ham: 1 }, 200, 200, theirs)),
        ...Array(10).fill(tokenProbability({ spam: 10, ham: 0 }, 200, 200, theirs)),
      ],
      theirs,
    );
    // SpamAssassin's s leaves such a message at 0.5; this one leans to the spam side.
    expect(spamAssassins).toBeCloseTo(0.5, 3);
    expect(ours).toBeGreaterThan(0.55);
  });

  it('leans what it has seen little of to spam: x 0.6 above the even 0.5, with s 0.3 (round 10)', () => {
    expect(DEFAULT_BAYES_MATH).toEqual({ s: 0.3, x: 0.6, minStrength: 0.346, maxTokens: 150 });
    // Of 200 spam and 200 ham learned: a word seen once in spam only, and one seen once in ham only.
    const onceInSpam = tokenProbability({ spam: 1, ham: 0 }, 200, 200, DEFAULT_BAYES_MATH);
    const onceInHam = tokenProbability({ spam: 0, ham: 1 }, 200, 200, DEFAULT_BAYES_MATH);
    expect(onceInSpam).toBeCloseTo((0.3 * 0.6 + 1) / 1.3, 12);
    expect(onceInHam).toBeCloseTo((0.3 * 0.6) / 1.3, 12);
    // Each is past the strength cut (0.346 from 0.5), so both count, but the spam word further.
    expect(Math.abs(onceInSpam - 0.5)).toBeGreaterThan(0.4);
    expect(Math.abs(onceInHam - 0.5)).toBeLessThan(0.37);
    expect(Math.abs(onceInHam - 0.5)).toBeGreaterThanOrEqual(0.346);
    // A message of as many such words of each class therefore leans to spam.
    expect(
      combineProbabilities([...Array(5).fill(onceInSpam), ...Array(5).fill(onceInHam)]),
    ).toBeGreaterThan(0.5);
    // A word seen as often in both classes stays a little on the spam side, and too weak to count.
    const even = tokenProbability({ spam: 1, ham: 1 }, 200, 200, DEFAULT_BAYES_MATH);
    expect(even).toBeGreaterThan(0.5);
    expect(combineProbabilities([even])).toBe(0.5);
  });

  it('combines strong tokens with Fisher chi-square, ignoring weak ones', () => {
    expect(combineProbabilities(Array(20).fill(0.99))).toBeGreaterThan(0.99);
    expect(combineProbabilities(Array(20).fill(0.01))).toBeLessThan(0.01);
    expect(combineProbabilities([...Array(20).fill(0.99), ...Array(20).fill(0.01)])).toBeCloseTo(
      0.5,
      5,
    );
    expect(combineProbabilities([0.6, 0.4, 0.55])).toBe(0.5);
  });

  it("starts each class's product at its share of the learned messages, as SpamAssassin's CombineChi.pm", () => {
    // The reference is SpamAssassin's own combiner, run by Perl (Debian's spamassassin package).
    const saCombine = (spam: number, ham: number, probabilities: readonly number[]): number =>
      Number(
        execFileSync(
          'perl',
          [
            '-MMail::SpamAssassin::Bayes::CombineChi',
            '-e',
            'my ($ns, $nn, @p) = @ARGV; print Mail::SpamAssassin::Bayes::Combine::combine($ns, $nn, [@p])',
            String(spam),
            String(ham),
            ...probabilities.map(String),
          ],
          { encoding: 'utf8' },
        ),
      );
    // Sorted strongest first, all past the strength cut, as SpamAssassin's scan() hands them over.
    const cases: Array<[number, number, number[]]> = [
      // A fold's training set: 400 spam, 2,200 ham; a spam whose tokens are split.
      [400, 2200, [0.01, 0.02, 0.97, 0.95, 0.03, 0.9]],
      [400, 2200, [0.001, 0.99, 0.02, 0.9, 0.88, 0.1]],
      [2200, 400, [0.001, 0.99, 0.02, 0.9, 0.88, 0.1]],
      [200, 200, [0.99, 0.98, 0.05]],
    ];
    for (const [spam, ham, probabilities] of cases)
      expect(
        combineProbabilities(probabilities, DEFAULT_BAYES_MATH, {
          spamMessages: spam,
          hamMessages: ham,
        }),
      ).toBeCloseTo(saCombine(spam, ham, probabilities), 12);
  });
});

describe('learning', () => {
  it('counts a message once, moves it when relearned as the other class, forgets it on unlearn', async () => {
    const store = new MemoryBayesStore();
    const filter = new BayesFilter({ store });
    const m = generated('spam', 1);
    expect(await filter.learn(m, 'spam')).toBe('learned');
    expect(await filter.learn(m, 'spam')).toBe('unchanged');
    const copy = message(`Received: from elsewhere\r\n${new TextDecoder().decode(m.bytes)}`);
    expect(await filter.learn(copy, 'spam')).toBe('unchanged');
    expect(await store.totals()).toEqual({ spam: 1, ham: 0 });
    expect(await filter.learn(m, 'ham')).toBe('relearned');
    expect(await store.totals()).toEqual({ spam: 0, ham: 1 });
    const tokenCount = store.tokenCount;
    expect((await store.counts(['viagra'])).get('viagra')).toMatchObject({ spam: 0, ham: 1 });
    expect(await filter.learn(m, null)).toBe('unlearned');
    expect(await store.totals()).toEqual({ spam: 0, ham: 0 });
    expect(store.tokenCount).toBe(0);
    expect(tokenCount).toBeGreaterThan(0);
  });

  it('tells copies apart as sa-learn does: by To, Date and body, not by Message-ID', async () => {
    const filter = new BayesFilter({ store: new MemoryBayesStore() });
    const mail = (messageId: string, to: string, body: string) =>
      message(
        `Message-ID: <${messageId}>\r\nTo: ${to}\r\nDate: Sat, 5 Dec 2026 10:00:00 +0000\r\n\r\n${body}`,
      );
    expect(await filter.learn(mail('1@relay', 'bob@example.com', 'cheap pills\r\n'), 'spam')).toBe(
      'learned',
    );
    // Another Message-ID from another relay, LF line endings: the same message.
    expect(await filter.learn(mail('2@relay', 'bob@example.com', 'cheap pills\n'), 'spam')).toBe(
      'unchanged',
    );
    // To someone else, or another body: another message.
    expect(await filter.learn(mail('1@relay', 'ann@example.com', 'cheap pills\r\n'), 'spam')).toBe(
      'learned',
    );
    expect(await filter.learn(mail('1@relay', 'bob@example.com', 'cheap pill\r\n'), 'spam')).toBe(
      'learned',
    );
  });

  it('moves and forgets a message learned under the signature of before (Message-ID and body)', async () => {
    const store = new MemoryBayesStore();
    const filter = new BayesFilter({ store });
    const m = generated('spam', 3);
    const tokens = bayesTokens(new SaMessageView(m.bytes, m.summary));
    const legacy = createHash('sha256')
      .update(`<spam-3@x>\0`)
      .update(m.bytes.subarray(m.summary.body.bodyStart))
      .digest('hex')
      .slice(0, 40);
    await store.apply({ signature: legacy, from: null, to: 'spam', tokens });
    expect(await filter.learn(m, 'spam')).toBe('unchanged');
    expect(await filter.learn(m, 'ham')).toBe('relearned');
    expect(await store.totals()).toEqual({ spam: 0, ham: 1 });
    expect(await filter.learn(m, null)).toBe('unlearned');
    expect(await store.totals()).toEqual({ spam: 0, ham: 0 });
    expect(store.tokenCount).toBe(0);
  });

  it('stays inactive until 200 spam and 200 ham are learned (Kerio), then tells them apart', async () => {
    const filter = await trained(200, 199);
    expect(await filter.active()).toBe(false);
    expect((await filter.classify(generated('spam', 999))).probability).toBeNull();
    expect(
      await filter.test().run({ facts: FACTS, message: generated('spam', 999), earlier: [] }),
    ).toEqual([]);
    await filter.learn(generated('ham', 199), 'ham');
    expect(await filter.active()).toBe(true);
    const spam = (await filter.classify(generated('spam', 5000))).probability!;
    const ham = (await filter.classify(generated('ham', 5000))).probability!;
    expect(spam).toBeGreaterThan(0.99);
    expect(ham).toBeLessThan(0.01);
    const hits = await filter
      .test()
      .run({ facts: FACTS, message: generated('spam', 5000), earlier: [] });
    expect(hits.map((hit) => hit.name)).toEqual(['BAYES_99', 'BAYES_999']);
    const hamHits = await filter
      .test()
      .run({ facts: FACTS, message: generated('ham', 5000), earlier: [] });
    expect(hamHits.map((hit) => [hit.name, hit.score])).toEqual([['BAYES_00', -1.5]]);
  });

  it('weighs tokens made once (classifyTokens) as it weighs the message, with the same hits', async () => {
    const filter = await trained(200, 200);
    for (const sample of [generated('spam', 7000), generated('ham', 7000)]) {
      const tokens = bayesTokens(new SaMessageView(sample.bytes, sample.summary));
      const fromTokens = await filter.classifyTokens(tokens);
      expect(fromTokens).toEqual(await filter.classify(sample));
      expect(filter.hitsFor(fromTokens.probability!)).toEqual(
        await filter.test().run({ facts: FACTS, message: sample, earlier: [] }),
      );
    }
    expect(filter.hitsFor(0.5).map((hit) => [hit.name, hit.score])).toEqual([['BAYES_50', 2]]);
    expect(filter.hitsFor(0.9995).map((hit) => hit.name)).toEqual(['BAYES_99', 'BAYES_999']);
  });

  it('auto-learns through the engine what the other tests are sure of, and nothing in between', async () => {
    const store = new MemoryBayesStore();
    const bayes = new BayesFilter({ store });
    const rate = (score: number, m: ReturnType<typeof generated>) =>
      new SpamEngine({
        tests: [scoring('OTHER', score), bayes.test()],
        learners: [bayes],
        blockScore: 10,
      }).rate(FACTS, m);
    expect((await rate(12, generated('spam', 1))).autoLearned).toBe('spam');
    expect((await rate(0, generated('ham', 1))).autoLearned).toBe('ham');
    expect((await rate(5, generated('ham', 2))).autoLearned).toBeNull();
    expect((await rate(12, generated('spam', 1))).autoLearned).toBeNull();
    expect(await store.totals()).toEqual({ spam: 1, ham: 1 });
    const gtube = new SpamEngine({ tests: [scoring('GTUBE', 1000)], learners: [bayes] });
    expect((await gtube.rate(FACTS, generated('spam', 3))).autoLearned).toBeNull();
    const off = new BayesFilter({ store, autoLearn: null });
    expect(
      await off.autoLearn(generated('spam', 4), await rate(20, generated('spam', 4))),
    ).toBeNull();
  });
});

describe('token times', () => {
  it('keeps the tokens a classification used as new as the mail it rated', async () => {
    const store = new MemoryBayesStore();
    const newest = Date.UTC(2002, 9, 1) / 1000;
    const tokens = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix}${i}`);
    const ages = [
      ['y', 'spam', 365],
      ['m', 'ham', 30],
      ['d', 'ham', 0],
    ] as const;
    for (const [prefix, kind, days] of ages)
      await store.apply({
        signature: prefix,
        from: null,
        to: kind,
        tokens: tokens(prefix),
        atime: newest - days * 86_400,
      });
    const bayes = new BayesFilter({ store, minSpam: 1, minHam: 1, expiry: null });
    // A message of the year-old words, received now: a verdict, and its tokens touched.
    const { probability } = await bayes.classifyTokens(tokens('y'), newest);
    expect(probability).toBeGreaterThan(0.9);
    expect((await store.counts(['y0'])).get('y0')).toMatchObject({ atime: newest });
    // Unknown tokens stay unknown; a time never goes back.
    await store.touch(['nothing', 'd0'], newest - 86_400);
    expect((await store.counts(['nothing', 'd0'])).size).toBe(1);
    expect((await store.counts(['d0'])).get('d0')).toMatchObject({ atime: newest });
    // So an expiry down towards 15 forgets the month-old words now, not the year-old ones.
    const policy = { ...DEFAULT_BAYES_EXPIRY, maxTokens: 20, minKeep: 10, minForgotten: 1 };
    expect(await store.expire(policy, newest)).toEqual({
      cutoff: newest - 43_200,
      forgotten: 10,
      kept: 20,
    });
    expect((await store.counts(tokens('y'))).size).toBe(10);
  });

  it('refuses new messages at the hard limit while nothing is old enough to forget', async () => {
    const now = Date.UTC(2002, 9, 1) / 1000;
    const store = new MemoryBayesStore();
    const hardMaxTokens = 60;
    const bayes = new BayesFilter({
      store,
      autoLearn: null,
      clock: () => now * 1000,
      expiry: { maxTokens: 20, minKeep: 10, minForgotten: 1, hardMaxTokens },
    });
    const letters = (n: number) =>
      n.toString(26).replace(/./g, (c) => 'jklmnopqrstuvwxyzabcdefghi'[parseInt(c, 26)]!);
    const dated = (n: number, daysAgo: number) => {
      const words = Array.from({ length: 10 }, (_, i) => `zq${letters(n * 10 + i)}x`);
      const date = new Date((now - daysAgo * 86_400) * 1000).toUTCString();
      return {
        words,
        mail: message(`Date: ${date}\r\nMessage-ID: <m${n}@x>\r\n\r\n${words.join(' ')}\r\n`),
      };
    };
    // A year-old batch, then an expiry that finds nothing to forget (all of one age): the
    // period's gate is now shut for 12 hours.
    const old = [1, 2, 3].map((n) => dated(n, 365));
    for (const { mail } of old) expect(await bayes.learn(mail, 'ham')).toBe('learned');
    expect(await store.storedTokens()).toBeGreaterThan(20);
    expect(await bayes.expire()).toBeNull();
    // New mail: at the hard limit an expiry runs in spite of the gate and forgets the old words,
    // then, with only recent words left, learning stops at the limit.
    const outcomes: string[] = [];
    for (let n = 10; n < 30; n++) {
      outcomes.push(await bayes.learn(dated(n, 0).mail, 'spam'));
      expect(await store.storedTokens()).toBeLessThan(hardMaxTokens + 20);
    }
    expect((await store.counts(old.flatMap((m) => m.words))).size).toBe(0);
    expect(outcomes.indexOf('full')).toBeGreaterThan(outcomes.lastIndexOf('learned'));
    expect(outcomes.filter((o) => o === 'learned').length).toBeGreaterThan(3);
    // Forgetting and moving what was learned still work.
    expect(await bayes.learn(dated(10, 0).mail, 'ham')).toBe('relearned');
    expect(await bayes.learn(dated(10, 0).mail, null)).toBe('unlearned');
  });
});

describe('the on-disk store', () => {
  const temporary = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailyard-bayes-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };

  it('keeps what was learned across opens, written atomically (no temporary file left)', async () => {
    const dir = await temporary();
    const path = join(dir, 'bayes.json');
    const store = await FileBayesStore.open(path);
    expect(await store.totals()).toEqual({ spam: 0, ham: 0 });
    const filter = new BayesFilter({ store });
    await filter.learn(generated('spam', 1), 'spam');
    await filter.learn(generated('ham', 1), 'ham');
    expect(await readdir(dir)).toEqual(['bayes.json']);
    const reopened = await FileBayesStore.open(path);
    expect(await reopened.totals()).toEqual({ spam: 1, ham: 1 });
    expect((await reopened.counts(['viagra'])).get('viagra')).toMatchObject({ spam: 1, ham: 0 });
    expect(await new BayesFilter({ store: reopened }).learn(generated('spam', 1), 'spam')).toBe(
      'unchanged',
    );
  });

  it("keeps each token's time and the last expiry, and reads a file written before them", async () => {
    const path = join(await temporary(), 'bayes.json');
    const store = await FileBayesStore.open(path);
    const sent = Date.UTC(2002, 9, 1, 12) / 1000;
    await store.apply({ signature: 'a', from: null, to: 'spam', tokens: ['old'], atime: sent });
    await store.apply({
      signature: 'b',
      from: null,
      to: 'ham',
      tokens: ['old', 'new'],
      atime: sent + 600,
    });
    await store.apply({
      signature: 'c',
      from: null,
      to: 'ham',
      tokens: ['new'],
      atime: sent - 600,
    });
    // A token's time never goes back, and an unlearning leaves the times as they were.
    await store.apply({ signature: 'b', from: 'ham', to: null, tokens: ['old', 'new'] });
    const reopened = await FileBayesStore.open(path);
    const counts = await reopened.counts(['old', 'new']);
    expect(counts.get('old')).toEqual({ spam: 1, ham: 0, atime: sent + 600 });
    expect(counts.get('new')).toEqual({ spam: 0, ham: 1, atime: sent + 600 });
    // Under its size nothing expires, and no expiry is recorded.
    expect(await reopened.expire({ ...DEFAULT_BAYES_EXPIRY }, sent + 86_400)).toBeNull();
    expect(JSON.parse(await readFile(path, 'utf8')).lastExpiry).toBeUndefined();

    // Written before expiry: tokens without a time take the time of opening.
    const before = join(await temporary(), 'bayes.json');
    const file = { format: 'mailyard-bayes', version: 1, tokenizer: BAYES_TOKENIZER_VERSION };
    await writeFile(
      before,
      JSON.stringify({ ...file, spam: 1, ham: 0, learned: { a: 's' }, tokens: { w: [1, 0] } }),
    );
    const opened = Math.floor(Date.now() / 1000);
    const unstamped = (await (await FileBayesStore.open(before)).counts(['w'])).get('w');
    const { atime } = unstamped as TokenCounts & { atime: number };
    expect(atime).toBeGreaterThanOrEqual(opened);
  });

  it('writes an expiry at once, and the time it ran', async () => {
    const path = join(await temporary(), 'bayes.json');
    const store = await FileBayesStore.open(path);
    const newest = Date.UTC(2002, 9, 1) / 1000;
    const policy = { ...DEFAULT_BAYES_EXPIRY, maxTokens: 20, minKeep: 10, minForgotten: 1 };
    const tokens = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix}${i}`);
    // 10 tokens a year old, 10 a month old, 10 of today. Down towards 15: 32 days is the smallest
    // age (12 hours times a power of two) that forgets no more than that, the year-old ones.
    for (const [prefix, days] of [
      ['y', 365],
      ['m', 30],
      ['d', 0],
    ] as const)
      await store.apply({
        signature: prefix,
        from: null,
        to: 'ham',
        tokens: tokens(prefix),
        atime: newest - days * 86_400,
      });
    const outcome = await store.expire(policy, newest + 3600);
    expect(outcome).toEqual({ cutoff: newest - 32 * 86_400, forgotten: 10, kept: 20 });
    const reopened = await FileBayesStore.open(path);
    expect(reopened.tokenCount).toBe(20);
    expect((await reopened.counts(tokens('y'))).size).toBe(0);
    // Within the period after it, the reopened store does not expire again.
    // Down towards 10, no age forgets too much: the smallest, 12 hours, takes the month-old ones.
    const smaller = { ...policy, maxTokens: 12 };
    expect(await reopened.expire(smaller, newest + 7200)).toBeNull();
    expect(await reopened.expire(smaller, newest + 3600 + 43_200)).toEqual({
      cutoff: newest - 43_200,
      forgotten: 10,
      kept: 10,
    });
  });

  it('saves only when asked with autoSave off', async () => {
    const path = join(await temporary(), 'bayes.json');
    const store = await FileBayesStore.open(path, { autoSave: false });
    await new BayesFilter({ store }).learn(generated('spam', 1), 'spam');
    expect(await (await FileBayesStore.open(path)).totals()).toEqual({ spam: 0, ham: 0 });
    await store.save();
    expect(await (await FileBayesStore.open(path)).totals()).toEqual({ spam: 1, ham: 0 });
  });

  it('refuses a file that is not a Bayes database and leaves it as it was', async () => {
    const path = join(await temporary(), 'bayes.json');
    await writeFile(path, '{"something": "else"}');
    await expect(FileBayesStore.open(path)).rejects.toThrow(BayesStoreError);
    await writeFile(path, '{"format": "mailyard-bayes", "version": 1, "spam": 3');
    await expect(FileBayesStore.open(path)).rejects.toThrow(/not a Bayes database/);
    expect(await readFile(path, 'utf8')).toBe(
      '{"format": "mailyard-bayes", "version": 1, "spam": 3',
    );
  });

  it('treats only ENOENT as absent: a path it cannot read fails the open', async () => {
    const dir = await temporary();
    await mkdir(join(dir, 'a-directory'));
    await expect(FileBayesStore.open(join(dir, 'a-directory'))).rejects.toMatchObject({
      code: 'EISDIR',
    });
    await writeFile(join(dir, 'file'), 'x');
    await expect(FileBayesStore.open(join(dir, 'file', 'bayes.json'))).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
  });

  it('fails a learn whose save fails, and leaves the old file whole', async () => {
    const dir = await temporary();
    const path = join(dir, 'bayes.json');
    const store = await FileBayesStore.open(path);
    await new BayesFilter({ store }).learn(generated('spam', 1), 'spam');
    const before = await readFile(path, 'utf8');
    // The temporary file is made with O_EXCL beside the database: a directory where the rename
    // must land makes the rename fail, after the temporary file was written.
    const blocked = await FileBayesStore.open(join(dir, 'sub'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'keep'), 'x');
    await expect(
      new BayesFilter({ store: blocked }).learn(generated('spam', 2), 'spam'),
    ).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['bayes.json', 'sub']);
    expect(await readFile(path, 'utf8')).toBe(before);
  });
});

describe("the tokenizer's version in the database", () => {
  const temporary = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailyard-bayes-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };
  /**
   * A database as the store wrote it before it kept the tokenizer's version: no `tokenizer`,
   * 200 spam and 200 ham learned, the spam words in spam and the ham words in ham.
   */
  const OLD_DATABASE = JSON.stringify({
    format: 'mailyard-bayes',
    version: 1,
    spam: 200,
    ham: 200,
    learned: { '0123456789abcdef0123456789abcdef01234567': 's' },
    tokens: Object.fromEntries([
      ...SPAM_WORDS.map((word) => [word, [200, 0]]),
      ...HAM_WORDS.map((word) => [word, [0, 200]]),
    ]),
  });

  it('writes the version with the database, and a database of this version scores', async () => {
    const path = join(await temporary(), 'bayes.json');
    const store = await FileBayesStore.open(path, { autoSave: false });
    await trained(200, 200, store);
    await store.save();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      tokenizer: BAYES_TOKENIZER_VERSION,
    });
    const reopened = await FileBayesStore.open(path);
    expect(await reopened.tokenizerVersion()).toBe(BAYES_TOKENIZER_VERSION);
    const filter = new BayesFilter({ store: reopened });
    expect(await filter.status()).toMatchObject({ state: 'active', spam: 200, ham: 200 });
    expect((await filter.classify(generated('spam', 500))).probability).toBeGreaterThan(0.9);
  });

  it('gives no opinion on a database written without a version (1), says why, and leaves it be', async () => {
    const path = join(await temporary(), 'bayes.json');
    await writeFile(path, OLD_DATABASE);
    const store = await FileBayesStore.open(path);
    expect(await store.tokenizerVersion()).toBe(1);
    const filter = new BayesFilter({ store });
    const status = await filter.status();
    expect(status).toEqual({
      state: 'outdated',
      databaseVersion: 1,
      tokenizerVersion: BAYES_TOKENIZER_VERSION,
      message: expect.stringMatching(
        /tokenizer version 1, older than .*mailyard-spam learn --reset/,
      ),
    });
    expect(await filter.active()).toBe(false);
    const spam = generated('spam', 500);
    expect((await filter.classify(spam)).probability).toBeNull();
    expect(await filter.test().run({ facts: FACTS, message: spam, earlier: [] })).toEqual([]);
    // Nothing learned into it, by hand or automatically, and the file is as it was.
    expect(await filter.learn(spam, 'spam')).toBe('refused');
    const engine = new SpamEngine({ tests: [scoring('X', 20)], learners: [filter] });
    expect((await engine.rate(FACTS, spam)).autoLearned).toBeNull();
    await expect(
      store.apply({ signature: 'x', from: null, to: 'spam', tokens: ['viagra'] }),
    ).rejects.toThrow(/tokenizer of version 1/);
    expect(await readFile(path, 'utf8')).toBe(OLD_DATABASE);
  });

  it('gives no opinion on a database of a newer tokenizer either', async () => {
    const path = join(await temporary(), 'bayes.json');
    const newer = BAYES_TOKENIZER_VERSION + 1;
    await writeFile(
      path,
      OLD_DATABASE.replace('"version":1,', `"version":1,"tokenizer":${newer},`),
    );
    const status = await new BayesFilter({ store: await FileBayesStore.open(path) }).status();
    expect(status).toMatchObject({ state: 'outdated', databaseVersion: newer });
    expect(status.message).toMatch(/newer than this one/);
  });

  it('starts afresh, at this version, only when cleared and saved', async () => {
    const path = join(await temporary(), 'bayes.json');
    await writeFile(path, OLD_DATABASE);
    const store = await FileBayesStore.open(path, { autoSave: false });
    store.clear();
    expect(await readFile(path, 'utf8')).toBe(OLD_DATABASE);
    expect(await new BayesFilter({ store }).learn(generated('spam', 1), 'spam')).toBe('learned');
    await store.save();
    const reopened = await FileBayesStore.open(path);
    expect(await reopened.tokenizerVersion()).toBe(BAYES_TOKENIZER_VERSION);
    expect(await reopened.totals()).toEqual({ spam: 1, ham: 0 });
  });

  it('refuses a version that is not a positive whole number', async () => {
    const path = join(await temporary(), 'bayes.json');
    for (const bad of ['"2"', '0', '1.5', 'null']) {
      await writeFile(
        path,
        OLD_DATABASE.replace('"version":1,', `"version":1,"tokenizer":${bad},`),
      );
      await expect(FileBayesStore.open(path)).rejects.toThrow(BayesStoreError);
    }
  });
});
