import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { PostgresServerState } from '../src/index.js';

const NO_QUOTA = { maxScripts: 0, maxStorage: 0 };
const ALICE = 'alice@example.test';
const MINUTE = 60_000;

describeWithPostgres(
  "PostgresServerState: the servers' Sieve scripts, tracking and login failures",
  () => {
    const server = new PostgresServer();
    let schemas = 0;
    const opened: PostgresServerState[] = [];
    /** Two servers (two pools) over one fresh schema. */
    const twoNodes = async () => {
      const schema = `state_${++schemas}`;
      const [a, b] = await Promise.all([
        PostgresServerState.open({ url: server.url(), schema }),
        PostgresServerState.open({ url: server.url(), schema }),
      ]);
      opened.push(a, b);
      return [a, b] as const;
    };

    beforeAll(async () => {
      await server.start();
    }, 60_000);
    afterEach(async () => {
      for (const state of opened.splice(0)) await state.close();
    });
    afterAll(async () => {
      await server.close();
    });

    it('Sieve scripts: one uploaded and made active on one server is the active one on the other', async () => {
      const [a, b] = await twoNodes();
      expect(await b.sieveScripts.getActive(ALICE)).toBeNull();
      expect(
        await a.sieveScripts.put(ALICE, 'vacation', 'require "vacation"; keep;', NO_QUOTA),
      ).toBe('stored');
      expect(await a.sieveScripts.put(ALICE, 'Ünïcode/%.x', 'discard;', NO_QUOTA)).toBe('stored');
      expect(await a.sieveScripts.setActive(ALICE, 'vacation')).toBe('done');
      expect(await b.sieveScripts.getActive(ALICE)).toEqual({
        name: 'vacation',
        content: 'require "vacation"; keep;',
      });
      expect(await b.sieveScripts.list(ALICE)).toEqual({
        scripts: [
          { name: 'vacation', size: 25 },
          { name: 'Ünïcode/%.x', size: 8 },
        ],
        active: 'vacation',
      });
      // The switch on b is what a shows at once.
      expect(await b.sieveScripts.setActive(ALICE, 'Ünïcode/%.x')).toBe('done');
      expect((await a.sieveScripts.getActive(ALICE))?.name).toBe('Ünïcode/%.x');
      expect(await a.sieveScripts.setActive(ALICE, 'missing')).toBe('nonexistent');
      expect((await a.sieveScripts.getActive(ALICE))?.name).toBe('Ünïcode/%.x');
      expect(await b.sieveScripts.getActive('bob@example.test')).toBeNull();
    });

    it('Sieve scripts: renames keep the active mark, the active one cannot be deleted, names stay unique', async () => {
      const [a, b] = await twoNodes();
      await a.sieveScripts.put(ALICE, 'a', 'keep;', NO_QUOTA);
      await a.sieveScripts.put(ALICE, 'a', 'discard;', NO_QUOTA);
      expect(await b.sieveScripts.get(ALICE, 'a')).toBe('discard;');
      await a.sieveScripts.setActive(ALICE, 'a');
      expect(await b.sieveScripts.delete(ALICE, 'a')).toBe('active');
      expect(await b.sieveScripts.rename(ALICE, 'a', 'z')).toBe('renamed');
      expect(await a.sieveScripts.rename(ALICE, 'a', 'y')).toBe('nonexistent');
      await a.sieveScripts.put(ALICE, 'y', 'stop;', NO_QUOTA);
      expect(await a.sieveScripts.rename(ALICE, 'y', 'z')).toBe('exists');
      expect(await a.sieveScripts.getActive(ALICE)).toEqual({ name: 'z', content: 'discard;' });
      expect(await b.sieveScripts.setActive(ALICE, null)).toBe('done');
      expect(await a.sieveScripts.getActive(ALICE)).toBeNull();
      expect(await a.sieveScripts.delete(ALICE, 'z')).toBe('deleted');
      expect(await a.sieveScripts.delete(ALICE, 'z')).toBe('nonexistent');
      expect(await b.sieveScripts.list(ALICE)).toEqual({
        scripts: [{ name: 'y', size: 5 }],
        active: null,
      });
    });

    it('Sieve scripts: two servers writing at once cannot pass the quota together', async () => {
      const [a, b] = await twoNodes();
      const quota = { maxScripts: 3, maxStorage: 0 };
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).sieveScripts.put(ALICE, `s${i}`, 'keep;', quota),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === 'stored')).toHaveLength(3);
      expect(outcomes.filter((outcome) => outcome === 'too-many-scripts')).toHaveLength(7);
      expect((await a.sieveScripts.list(ALICE)).scripts).toHaveLength(3);
      expect(
        await a.sieveScripts.put(ALICE, 'big', 'x'.repeat(11), { maxScripts: 0, maxStorage: 25 }),
      ).toBe('over-storage');
    });

    it('Sieve tracking: of two servers replying to one sender at once, one gets the claim', async () => {
      const [a, b] = await twoNodes();
      const now = Date.UTC(2026, 11, 6);
      const vacation = {
        key: 'vacation\0bob@example.org\0h',
        at: now,
        until: now + 7 * 1440 * MINUTE,
        exclusive: true,
      };
      const claims = await Promise.all([
        a.sieveTracking.record(ALICE, [vacation], now),
        b.sieveTracking.record(ALICE, [vacation], now),
      ]);
      expect(claims.flat().sort()).toEqual([false, true]);
      expect(await b.sieveTracking.entries(ALICE, now + MINUTE)).toEqual([
        { key: vacation.key, at: now, until: vacation.until },
      ]);
      // Within the period: refused; once it has passed: claimed again.
      const later = now + 3 * 1440 * MINUTE;
      expect(
        await a.sieveTracking.record(
          ALICE,
          [{ ...vacation, at: later, until: later + 7 * 1440 * MINUTE }],
          later,
        ),
      ).toEqual([false]);
      const after = now + 8 * 1440 * MINUTE;
      expect(
        await b.sieveTracking.record(
          ALICE,
          [{ ...vacation, at: after, until: after + 1440 * MINUTE }],
          after,
        ),
      ).toEqual([true]);
      // A duplicate id is renewed whoever saw it.
      const duplicate = { key: 'duplicate\0x', at: after, until: after + MINUTE, exclusive: false };
      expect(await a.sieveTracking.record(ALICE, [duplicate], after)).toEqual([true]);
      expect(await b.sieveTracking.record(ALICE, [duplicate], after)).toEqual([true]);
      // Expired records go when the user's records are next written.
      expect(await b.sieveTracking.entries(ALICE, after + 2 * MINUTE)).toHaveLength(1);
    });

    it('Sieve tracking: keeps at most maxSieveTrackingEntries per user, the newest', async () => {
      const schema = `state_${++schemas}`;
      const state = await PostgresServerState.open({
        url: server.url(),
        schema,
        maxSieveTrackingEntries: 3,
      });
      opened.push(state);
      const now = Date.UTC(2026, 11, 6);
      for (let i = 0; i < 6; i++) {
        await state.sieveTracking.record(
          ALICE,
          [{ key: `duplicate\0${i}`, at: now + i, until: now + MINUTE, exclusive: false }],
          now + i,
        );
      }
      const keys = (await state.sieveTracking.entries(ALICE, now + 10))
        .map((entry) => entry.key)
        .sort();
      expect(keys).toEqual(['duplicate\x003', 'duplicate\x004', 'duplicate\x005']);
    });

    it('login failures: N in all across the servers lock, each failure counted once under a race', async () => {
      const [a, b] = await twoNodes();
      const limits = { maxFailures: 5, windowMs: 20 * MINUTE };
      const now = Date.UTC(2026, 11, 6);
      // 4 failures at once on two servers: none lost, no lock yet.
      const verdicts = await Promise.all(
        [a, b, a, b].map((node) =>
          node.loginFailures.recordFailure('address', '203.0.113.5', limits, now),
        ),
      );
      expect(verdicts.map((v) => v.failures).sort()).toEqual([1, 2, 3, 4]);
      expect(await a.loginFailures.lockedUntil('address', '203.0.113.5', now)).toBeNull();
      // The fifth, on either server, locks it for both; exactly one failure says it locked.
      const fifth = await b.loginFailures.recordFailure('address', '203.0.113.5', limits, now + 1);
      expect(fifth).toEqual({
        failures: 5,
        lockedUntil: now + 1 + limits.windowMs,
        justLocked: true,
      });
      expect(await a.loginFailures.lockedUntil('address', '203.0.113.5', now + 2)).toBe(
        now + 1 + limits.windowMs,
      );
      const whileLocked = await a.loginFailures.recordFailure(
        'address',
        '203.0.113.5',
        limits,
        now + 3,
      );
      expect(whileLocked).toMatchObject({
        justLocked: false,
        lockedUntil: now + 1 + limits.windowMs,
      });
      // A success does not lift a lock; the lock ends by itself.
      await a.loginFailures.recordSuccess('address', '203.0.113.5', now + 4);
      expect(await b.loginFailures.lockedUntil('address', '203.0.113.5', now + 4)).not.toBeNull();
      expect(
        await b.loginFailures.lockedUntil('address', '203.0.113.5', now + 2 + limits.windowMs),
      ).toBeNull();
      // Accounts are counted apart from addresses.
      expect(await a.loginFailures.lockedUntil('account', '203.0.113.5', now + 2)).toBeNull();
    });

    it('login failures: old failures age out, a success clears the count, unlockAll lifts every lock', async () => {
      const [a, b] = await twoNodes();
      const limits = { maxFailures: 3, windowMs: MINUTE };
      const t = Date.UTC(2026, 11, 6);
      await a.loginFailures.recordFailure('account', ALICE, limits, t);
      await b.loginFailures.recordFailure('account', ALICE, limits, t + 1);
      // Both have aged out: this one is the first again.
      expect(
        (await a.loginFailures.recordFailure('account', ALICE, limits, t + 2 + MINUTE)).failures,
      ).toBe(1);
      await b.loginFailures.recordSuccess('account', ALICE, t + 3 + MINUTE);
      expect(
        (await a.loginFailures.recordFailure('account', ALICE, limits, t + 4 + MINUTE)).failures,
      ).toBe(1);
      await a.loginFailures.recordFailure('account', ALICE, limits, t + 5 + MINUTE);
      expect(
        (await b.loginFailures.recordFailure('account', ALICE, limits, t + 6 + MINUTE)).justLocked,
      ).toBe(true);
      await b.loginFailures.unlockAll();
      expect(await a.loginFailures.lockedUntil('account', ALICE, t + 7 + MINUTE)).toBeNull();
    });

    it('fails (throws) when the database is gone, rather than answering "nothing recorded"', async () => {
      const schema = `state_${++schemas}`;
      const state = await PostgresServerState.open({
        url: server.url(),
        schema,
        reconnectDelayMs: 0,
        connectTimeoutSeconds: 2,
      });
      opened.push(state);
      await server.stop();
      try {
        await expect(state.loginFailures.lockedUntil('address', '192.0.2.1', 0)).rejects.toThrow();
        await expect(state.sieveScripts.getActive(ALICE)).rejects.toThrow();
        await expect(state.sieveTracking.entries(ALICE, 0)).rejects.toThrow();
      } finally {
        await server.start();
      }
      expect(await state.loginFailures.lockedUntil('address', '192.0.2.1', 0)).toBeNull();
    }, 60_000);

    it('greylisting: two servers reading and writing one triplet and network decide one after the other', async () => {
      const [a, b] = await twoNodes();
      const keys = { triplet: '192.0.2.0/24\0s@x\0r@y', client: '192.0.2.0/24' };
      const now = Date.UTC(2026, 11, 6);
      // A policy that counts: each decision adds one pass to the network and says what it saw.
      const count = (node: PostgresServerState) =>
        node.greylist.decide(keys, now, 35 * 1440 * MINUTE, (rows) => ({
          result: rows.client?.passes ?? 0,
          rows: {
            triplet: { first: rows.triplet?.first ?? now, last: now, passed: true },
            client: { passes: (rows.client?.passes ?? 0) + 1, last: now },
          },
        }));
      const seen = await Promise.all(Array.from({ length: 10 }, (_, i) => count(i % 2 ? a : b)));
      // One after the other: every count seen once, none lost.
      expect([...seen].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const read = (node: PostgresServerState, at: number) =>
        node.greylist.decide(keys, at, MINUTE, (rows) => ({
          result: rows,
          rows: { triplet: null, client: null },
        }));
      expect(await read(a, now)).toEqual({
        triplet: { first: now, last: now, passed: true },
        client: { passes: 10, last: now },
      });
      // Rows unused for maxAgeMs go with a later check.
      await read(b, now + 2 * MINUTE);
      expect(await read(a, now + 2 * MINUTE)).toEqual({ triplet: null, client: null });
    });

    it('login throttle: attempts at once on two servers each get their own place in one line', async () => {
      const [a, b] = await twoNodes();
      const rules = {
        delayAfter: (attempts: number) => (attempts < 2 ? 0 : 1_000),
        maxWaitMs: 3_500,
        forgetAfterMs: 60 * MINUTE,
      };
      const now = Date.UTC(2026, 11, 6);
      const verdicts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? a : b).loginThrottle.reserve(ALICE, rules, now),
        ),
      );
      // Two free, then one a second apart, up to 3.5 s of waiting: 0, 0, 1, 2, 3 s; the rest refused.
      const waits = verdicts.flatMap((v) => (v.admitted ? [v.waitMs] : [])).sort((x, y) => x - y);
      expect(waits).toEqual([0, 0, 1_000, 2_000, 3_000]);
      expect(verdicts.filter((v) => !v.admitted)).toHaveLength(3);
      // Forgotten after forgetAfterMs; reset starts it again at once.
      expect(await a.loginThrottle.reserve(ALICE, rules, now + 61 * MINUTE)).toEqual({
        admitted: true,
        waitMs: 0,
      });
      await b.loginThrottle.reserve(ALICE, rules, now + 61 * MINUTE);
      await b.loginThrottle.reserve(ALICE, rules, now + 61 * MINUTE);
      await a.loginThrottle.reset(ALICE);
      expect(await b.loginThrottle.reserve(ALICE, rules, now + 61 * MINUTE)).toEqual({
        admitted: true,
        waitMs: 0,
      });
      // Known addresses: through one server, for the other; they expire.
      await a.loginThrottle.recordKnown(ALICE, '192.0.2.1', now, MINUTE);
      expect(await b.loginThrottle.isKnown(ALICE, '192.0.2.1', now + 1, MINUTE)).toBe(true);
      expect(await b.loginThrottle.isKnown(ALICE, '192.0.2.2', now + 1, MINUTE)).toBe(false);
      expect(await b.loginThrottle.isKnown(ALICE, '192.0.2.1', now + MINUTE, MINUTE)).toBe(false);
    });
  },
);
