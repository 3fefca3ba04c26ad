// Greylisting over the database the servers share: GreylistPolicy's rules, with the state
// read and written per check, so that what one server saw holds on the other.
import { PostgresServerState } from '@mailyard/mailstore-postgres';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SharedGreylist } from '../src/shared-greylist.js';

describeWithPostgres('SharedGreylist', () => {
  const server = new PostgresServer();
  const opened: PostgresServerState[] = [];

  beforeAll(async () => {
    await server.start();
  }, 60_000);
  afterAll(async () => {
    for (const state of opened) await state.close();
    await server.close();
  });

  it('defers a new triplet on one server and passes its retry on the other after the delay', async () => {
    const states = await Promise.all(
      [0, 1].map(() => PostgresServerState.open({ url: server.url(), schema: 'grey' })),
    );
    opened.push(...states);
    const options = {
      delayMs: 300_000,
      autoWhitelistAfter: 2,
      exempt: (ip: string) => ip === '198.51.100.1',
    };
    const [a, b] = states.map((state) => new SharedGreylist(state.greylist, options)) as [
      SharedGreylist,
      SharedGreylist,
    ];
    const t = Date.parse('2026-12-06T00:00:00Z');
    expect(await a.check('192.0.2.10', 's@x.test', 'r@y.test', t)).toMatchObject({
      action: 'defer',
      reason: 'new',
    });
    // Too early on the other server, with the time left (the first attempt's, not its own).
    const early = await b.check('192.0.2.11', 'S@x.test', 'r@y.test', t + 100_000);
    expect(early).toMatchObject({ action: 'defer', reason: 'too-early' });
    expect(early.reply?.text).toBe('Greylisted, please try again in 200 seconds');
    expect(await b.check('192.0.2.12', 's@x.test', 'r@y.test', t + 300_000)).toMatchObject({
      action: 'pass',
      reason: 'passed',
    });
    expect(await a.check('192.0.2.10', 's@x.test', 'r@y.test', t + 400_000)).toMatchObject({
      reason: 'known',
    });
    // A second pass of the network, through the other server, whitelists it (2 passes).
    await a.check('192.0.2.10', 'other@x.test', 'r@y.test', t + 500_000);
    await b.check('192.0.2.10', 'other@x.test', 'r@y.test', t + 800_000);
    expect(await a.check('192.0.2.99', 'new@x.test', 'r@y.test', t + 900_000)).toMatchObject({
      action: 'pass',
      reason: 'whitelisted-client',
    });
    expect(await b.check('198.51.100.1', 'n@x.test', 'r@y.test', t)).toMatchObject({
      reason: 'exempt',
    });
  });
});
