import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  GreylistPolicy,
  GreylistStoreError,
  loadGreylist,
  networkOf,
  saveGreylist,
} from '../src/index.js';

const MIN = 60_000;
const DAY = 86_400_000;

describe('greylisting', () => {
  it('defers a new triplet with 451 4.7.1, then passes it after the delay and knows it from then on', () => {
    const policy = new GreylistPolicy();
    const first = policy.check('198.51.100.7', 'a@example.net', 'bob@example.com', 0);
    expect(first).toEqual({
      action: 'defer',
      reason: 'new',
      reply: { code: 451, enhanced: '4.7.1', text: 'Greylisted, please try again in 300 seconds' },
    });
    expect(policy.check('198.51.100.7', 'a@example.net', 'bob@example.com', 2 * MIN)).toMatchObject(
      {
        action: 'defer',
        reason: 'too-early',
        reply: { text: 'Greylisted, please try again in 180 seconds' },
      },
    );
    expect(policy.check('198.51.100.8', 'A@Example.net', 'BOB@example.com', 5 * MIN).action).toBe(
      'pass',
    );
    expect(policy.check('198.51.100.9', 'a@example.net', 'bob@example.com', 6 * MIN).reason).toBe(
      'known',
    );
    expect(policy.check('198.51.101.7', 'a@example.net', 'bob@example.com', 6 * MIN).reason).toBe(
      'new',
    );
    expect(policy.check('198.51.100.7', 'a@example.net', 'carol@example.com', 6 * MIN).reason).toBe(
      'new',
    );
  });

  it('starts over when the retry comes after the retry window, and forgets unused records', () => {
    const policy = new GreylistPolicy({ retryWindowMs: DAY, maxAgeMs: 10 * DAY });
    policy.check('192.0.2.1', 'a@x', 'b@y', 0);
    expect(policy.check('192.0.2.1', 'a@x', 'b@y', 2 * DAY).reason).toBe('retry-window-passed');
    expect(policy.check('192.0.2.1', 'a@x', 'b@y', 2 * DAY + 5 * MIN).reason).toBe('passed');
    expect(policy.check('192.0.2.1', 'a@x', 'b@y', 20 * DAY).reason).toBe('new');
    policy.prune(40 * DAY);
    expect(policy.size).toEqual({ triplets: 0, clients: 0 });
  });

  it('lets a client through at once after it passed N times, and never greylists exempt clients', () => {
    const policy = new GreylistPolicy({ autoWhitelistAfter: 2, exempt: (ip) => ip === '10.0.0.1' });
    for (const rcpt of ['r1@x', 'r2@x']) {
      policy.check('203.0.113.5', 's@x', rcpt, 0);
      policy.check('203.0.113.5', 's@x', rcpt, 5 * MIN);
    }
    expect(policy.check('203.0.113.6', 'other@x', 'r3@x', 6 * MIN).reason).toBe(
      'whitelisted-client',
    );
    expect(policy.check('10.0.0.1', 's@x', 'r@x', 0)).toEqual({
      action: 'pass',
      reason: 'exempt',
      reply: null,
    });
  });

  it('keeps at most maxEntries records, forgetting the least recently used (100 times the cap offered)', () => {
    const policy = new GreylistPolicy({ maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) policy.check(`192.0.${i % 250}.1`, `s${i}@x`, 'r@x', i);
    expect(policy.size.triplets).toBe(100);
    // The oldest triplet was forgotten: it is new again.
    expect(policy.check('192.0.0.1', 's0@x', 'r@x', 10_000 + 5 * MIN).reason).toBe('new');
    expect(policy.check(`192.0.${9999 % 250}.1`, 's9999@x', 'r@x', 10_000 + 5 * MIN).reason).toBe(
      'passed',
    );
  });

  it('counts IPv4 clients by /24 and IPv6 by /64', () => {
    expect(networkOf('192.0.2.77')).toBe('192.0.2.0/24');
    expect(networkOf('::ffff:192.0.2.77')).toBe('192.0.2.0/24');
    expect(networkOf('2001:db8:1:2:aaaa::1')).toBe('20010db800010002::/64');
    expect(networkOf('not-an-ip')).toBe('not-an-ip');
  });
});

describe('the greylist file', () => {
  it('keeps the state across a restart, written atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailyard-greylist-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'greylist.json');
    const policy = await loadGreylist(path);
    policy.check('192.0.2.1', 'a@x', 'b@y', 0);
    await saveGreylist(path, policy);
    expect(await readdir(dir)).toEqual(['greylist.json']);
    const restarted = await loadGreylist(path);
    expect(restarted.check('192.0.2.1', 'a@x', 'b@y', 5 * MIN).reason).toBe('passed');
  });

  it('refuses a file that is not one, and treats only ENOENT as absent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailyard-greylist-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'bad.json'), '[1,2]');
    await expect(loadGreylist(join(dir, 'bad.json'))).rejects.toThrow(GreylistStoreError);
    expect(await readFile(join(dir, 'bad.json'), 'utf8')).toBe('[1,2]');
    await mkdir(join(dir, 'directory'));
    await expect(loadGreylist(join(dir, 'directory'))).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
