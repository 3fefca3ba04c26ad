import { describe, expect, it } from 'vitest';
import { SpamConfigError, SpamEngine, ipBlacklistTest } from '../src/index.js';
import { FACTS, decode, fixedTest, message, scoring } from './helpers.js';

const MAIL = message(
  'From: a@example.net\r\nTo: bob@example.com\r\nSubject: Cheap pills\r\n\r\nBuy now\r\n',
);

describe('the score and the thresholds (Kerio 13.1)', () => {
  it('sums the tests, negative ones too, and keeps the score within 0-10', async () => {
    const engine = new SpamEngine({
      tests: [scoring('A', 3.5), scoring('B', -1.25), scoring('C', 0.5)],
    });
    const rated = await engine.rate(FACTS, MAIL);
    expect(rated.score).toBe(2.75);
    expect(rated.hits.map((hit) => [hit.name, hit.score, hit.stage])).toEqual([
      ['A', 3.5, 'content'],
      ['B', -1.25, 'content'],
      ['C', 0.5, 'content'],
    ]);
    expect(rated.action).toBe('accept');
    const high = await new SpamEngine({ tests: [scoring('BIG', 1000)], blockScore: 10 }).rate(
      FACTS,
      MAIL,
    );
    expect([high.score, high.rawScore]).toEqual([10, 1000]);
    const low = await new SpamEngine({ tests: [scoring('NICE', -4)] }).rate(FACTS, MAIL);
    expect([low.score, low.rawScore]).toEqual([0, -4]);
  });

  it('tags at a score that reaches the tag score, and blocks at one that reaches the block score', async () => {
    const at = (score: number, options = {}) =>
      new SpamEngine({ tests: [scoring('T', score)], ...options })
        .rate(FACTS, MAIL)
        .then((r) => r.action);
    expect(await at(4.99)).toBe('accept');
    expect(await at(5)).toBe('tag');
    expect(await at(9.49)).toBe('tag');
    expect(await at(9.5)).toBe('discard');
    expect(await at(10, { blockScore: 10 })).toBe('tag');
    expect(await at(6, { tagScore: 6, blockScore: 6 })).toBe('discard');
    expect(await at(5.99, { tagScore: 6, blockScore: 6 })).toBe('accept');
  });

  it('hands the block action to the application with a discarded message', async () => {
    const engine = new SpamEngine({
      tests: [scoring('T', 9.9)],
      blockScore: 9.9,
      blockAction: { bounce: true, quarantine: 'spam@example.com' },
    });
    const rated = await engine.rate(FACTS, MAIL);
    expect(rated.action).toBe('discard');
    expect(rated.blocked).toEqual({ bounce: true, quarantine: 'spam@example.com' });
  });

  it('refuses the settings Kerio refuses', () => {
    expect(() => new SpamEngine({ tagScore: 10.5 })).toThrow(SpamConfigError);
    expect(() => new SpamEngine({ tagScore: -1 })).toThrow(SpamConfigError);
    expect(() => new SpamEngine({ blockScore: 9.95 })).toThrow(/9\.9, or 10/);
    expect(() => new SpamEngine({ maxContentBytes: -1 })).toThrow(SpamConfigError);
    expect(new SpamEngine().options).toMatchObject({
      tagScore: 5,
      blockScore: 9.5,
      maxContentBytes: 131072,
    });
  });

  it('with rating off, rates and reports but only blocking tests act', async () => {
    const rated = await new SpamEngine({ enabled: false, tests: [scoring('T', 9.9)] }).rate(
      FACTS,
      MAIL,
    );
    expect([rated.action, rated.score]).toEqual(['accept', 9.9]);
    const blocking = fixedTest('BL', 'connect', [
      {
        effect: 'block',
        score: 0,
        description: 'listed',
        reply: { code: 554, enhanced: '5.7.1', text: 'listed' },
      },
    ]);
    const blocked = await new SpamEngine({ enabled: false, tests: [blocking] }).rate(FACTS, MAIL);
    expect(blocked.action).toBe('block');
    expect(blocked.reply).toEqual({ code: 554, enhanced: '5.7.1', text: 'listed' });
  });
});

describe('the headers and the Subject tag', () => {
  it('writes X-Spam-Flag, X-Spam-Status, X-Spam-Score and X-Spam-Report for a tagged message', async () => {
    const rated = await new SpamEngine({
      tests: [scoring('GTUBE', 6.5), scoring('BAYES_00', -1.25)],
    }).rate(FACTS, MAIL);
    expect(rated.headers).toEqual([
      { name: 'X-Spam-Flag', value: 'YES' },
      { name: 'X-Spam-Status', value: 'Yes, score=5.25 required=5.00 tests=GTUBE,BAYES_00' },
      { name: 'X-Spam-Score', value: '5.25' },
      {
        name: 'X-Spam-Report',
        value: '\r\n\t* 6.5 GTUBE GTUBE fired\r\n\t* -1.25 BAYES_00 BAYES_00 fired',
      },
    ]);
    expect(rated.subjectTag).toBe('*SPAM* ');
  });

  it('writes no flag and no tag for a message under the tag score', async () => {
    const rated = await new SpamEngine({ tests: [] }).rate(FACTS, MAIL);
    expect(rated.headers).toEqual([
      { name: 'X-Spam-Status', value: 'No, score=0.00 required=5.00 tests=none' },
      { name: 'X-Spam-Score', value: '0.00' },
    ]);
    expect(rated.subjectTag).toBeNull();
  });

  it('turns [%s] in the prefix into one asterisk per whole point', async () => {
    const engine = new SpamEngine({
      tests: [scoring('T', 7.8)],
      subjectPrefix: '[SPAM %s] ',
      blockScore: 10,
    });
    expect((await engine.rate(FACTS, MAIL)).subjectTag).toBe('[SPAM %s] ');
    const stars = new SpamEngine({
      tests: [scoring('T', 7.8)],
      subjectPrefix: '[%s] ',
      blockScore: 10,
    });
    expect((await stars.rate(FACTS, MAIL)).subjectTag).toBe('******* ');
    const none = new SpamEngine({
      tests: [scoring('T', 7.8)],
      subjectPrefix: null,
      blockScore: 10,
    });
    expect((await none.rate(FACTS, MAIL)).subjectTag).toBeNull();
  });

  it('puts the headers on the message, tags its Subject as written and drops forged X-Spam headers', async () => {
    const forged = message(
      'X-Spam-Flag: NO\r\nFrom: a@example.net\r\nSubject: =?utf-8?q?J=C3=B6rg?=\r\nX-Spam-Status: No,\r\n score=-100\r\n\r\nbody\r\n',
    );
    const rated = await new SpamEngine({ tests: [scoring('T', 6)] }).rate(FACTS, forged);
    expect(decode(SpamEngine.deliverable(forged.bytes, rated))).toBe(
      'X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=6.00 required=5.00 tests=T\r\nX-Spam-Score: 6.00\r\n' +
        'X-Spam-Report: \r\n\t* 6 T T fired\r\n' +
        'From: a@example.net\r\nSubject: *SPAM* =?utf-8?q?J=C3=B6rg?=\r\n\r\nbody\r\n',
    );
    const bare = message('From: a@example.net\r\n\r\nbody\r\n');
    const tagged = await new SpamEngine({ tests: [scoring('T', 6)] }).rate(FACTS, bare);
    expect(decode(SpamEngine.deliverable(bare.bytes, tagged))).toContain(
      '\r\nSubject: *SPAM*\r\nFrom: a@example.net\r\n\r\nbody',
    );
  });

  it('keeps rule names and descriptions from ending the header', async () => {
    const hostile = fixedTest('EVIL\r\nBcc: x@y', 'content', [
      { effect: 'score', score: 1, description: 'line\r\nX-Injected: yes\u00e9' },
    ]);
    const rated = await new SpamEngine({ tests: [hostile] }).rate(FACTS, MAIL);
    for (const { value } of rated.headers) expect(value).not.toMatch(/\r\n(?![\t ])/);
    expect(rated.headers.at(-1)!.value).toBe('\r\n\t* 1 EVIL Bcc: x@y line X-Injected: yes?');
  });

  it('folds a long test list', async () => {
    const tests = Array.from({ length: 20 }, (_, i) => scoring(`SOME_LONG_RULE_NAME_${i}`, 0.1));
    const status = (await new SpamEngine({ tests }).rate(FACTS, MAIL)).headers.find(
      (h) => h.name === 'X-Spam-Status',
    )!;
    for (const line of `X-Spam-Status: ${status.value}`.split('\r\n'))
      expect(line.length).toBeLessThanOrEqual(78);
    expect(status.value.replace(/\r\n\t/g, '')).toContain(
      'tests=SOME_LONG_RULE_NAME_0,SOME_LONG_RULE_NAME_1,',
    );
  });
});

describe('who is rated', () => {
  it('does not rate whitelisted clients (Kerio adds the private ranges), but the custom IP blacklist still applies', async () => {
    const content = scoring('CONTENT', 8);
    const engine = new SpamEngine({ tests: [content] });
    const local = await engine.rate({ ...FACTS, clientIp: '192.168.1.20' }, MAIL);
    expect([local.whitelisted, local.action, local.headers, content.runs]).toEqual([
      true,
      'accept',
      [],
      0,
    ]);
    const blacklisted = new SpamEngine({
      tests: [
        ipBlacklistTest({
          matches: (ip) => ip === '10.1.2.3',
          action: { kind: 'score', score: 3 },
        }),
        content,
      ],
    });
    const stillChecked = await blacklisted.checkStage('connect', {
      ...FACTS,
      clientIp: '10.1.2.3',
    });
    expect(stillChecked.whitelisted).toBe(true);
    expect(stillChecked.hits.map((hit) => [hit.name, hit.score])).toEqual([
      ['CUSTOM_IP_BLACKLIST', 3],
    ]);
    const outside = await new SpamEngine({ tests: [content], whitelist: null }).rate(
      { ...FACTS, clientIp: '10.1.2.3' },
      MAIL,
    );
    expect(outside.score).toBe(8);
  });

  it('blocks a blacklisted client at connect with 554 5.7.1', async () => {
    const engine = new SpamEngine({
      tests: [
        ipBlacklistTest({ matches: (ip) => ip === FACTS.clientIp, action: { kind: 'block' } }),
      ],
    });
    const outcome = await engine.checkStage('connect', FACTS);
    expect(outcome.reply).toEqual({
      code: 554,
      enhanced: '5.7.1',
      text: 'Rejected: IP address 198.51.100.7 is in the custom blacklist',
    });
  });

  it('skips rating tests for authenticated clients and trusted relays unless told to rate them', async () => {
    const content = scoring('CONTENT', 8);
    const list = { ...scoring('LIST', 1), kind: 'list' as const };
    const engine = new SpamEngine({ tests: [content, list] });
    const authed = await engine.rate({ ...FACTS, authenticated: true }, MAIL);
    expect(authed.hits.map((hit) => hit.name)).toEqual(['LIST']);
    const relay = await engine.rate({ ...FACTS, trustedRelay: true }, MAIL);
    expect(relay.hits.map((hit) => hit.name)).toEqual(['LIST']);
    const rateAll = new SpamEngine({ tests: [content, list], rateTrustedSenders: true });
    expect((await rateAll.rate({ ...FACTS, authenticated: true }, MAIL)).score).toBe(9);
  });

  it('skips content tests for a message over maxContentBytes (Kerio: 128 kB) and says so', async () => {
    const content = { ...scoring('CONTENT', 3), readsContent: true };
    const header = scoring('HEADER', 1);
    const engine = new SpamEngine({ tests: [content, header] });
    const head = 'Subject: big\r\n\r\n';
    const exactly = message(head + 'x'.repeat(131_072 - head.length));
    const over = message(head + 'x'.repeat(131_073 - head.length));
    const atLimit = await engine.rate(FACTS, exactly);
    expect([atLimit.score, atLimit.contentSkipped]).toEqual([4, false]);
    const overLimit = await engine.rate(FACTS, over);
    expect([overLimit.score, overLimit.contentSkipped]).toEqual([1, true]);
    const huge = message(head + 'x'.repeat(100 * 131_072));
    expect((await engine.rate(FACTS, huge)).hits.map((hit) => hit.name)).toEqual(['HEADER']);
    const small = new SpamEngine({ tests: [content], maxContentBytes: 10 });
    expect((await small.rate(FACTS, MAIL)).contentSkipped).toBe(true);
  });
});

describe('stages', () => {
  it('runs each stage once when the outcomes are passed on, and every stage when rate is called alone', async () => {
    const connect = scoring('AT_CONNECT', 1, 'connect');
    const envelope = scoring('AT_RCPT', 1, 'envelope');
    const content = scoring('AFTER_DATA', 1, 'content');
    const engine = new SpamEngine({ tests: [content, envelope, connect] });
    const first = await engine.checkStage('connect', FACTS);
    const second = await engine.checkStage('envelope', FACTS, first);
    const third = await engine.checkStage(
      'envelope',
      { ...FACTS, rcptTo: [...FACTS.rcptTo, 'c@example.com'] },
      second,
    );
    const rated = await engine.rate(FACTS, MAIL, third);
    expect([connect.runs, envelope.runs, content.runs]).toEqual([1, 2, 1]);
    expect(rated.hits.map((hit) => `${hit.stage}:${hit.name}`)).toEqual([
      'connect:AT_CONNECT',
      'envelope:AT_RCPT',
      'content:AFTER_DATA',
    ]);
    const alone = await engine.rate(FACTS, MAIL);
    expect(alone.score).toBe(3);
  });

  it('gives a test that fails no score, records why, and goes on', async () => {
    const broken = {
      name: 'DNSBL',
      stage: 'connect' as const,
      kind: 'list' as const,
      run(): never {
        throw new Error('resolver timed out');
      },
    };
    const rated = await new SpamEngine({ tests: [broken, scoring('T', 2)] }).rate(FACTS, MAIL);
    expect(rated.score).toBe(2);
    expect(rated.failures).toEqual([
      { test: 'DNSBL', stage: 'connect', error: 'resolver timed out' },
    ]);
  });
});
