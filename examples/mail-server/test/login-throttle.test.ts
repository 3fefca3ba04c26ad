import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TaggedAnswer, imapsCommands } from './harness/imaps-commands.js';
import { eventually } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
const password = 'the-owners-password';
const ACCOUNT = 'alice@example.test';
// Small delays so that the test is quick, large enough that each step is far apart.
const FREE = 3;
const DELAY = 300;
const MAX_DELAY = 1200;
const MAX_WAIT = 3000;
let server: ServerProcess;

beforeAll(async () => {
  await prepareDataDirectory(data, {
    config: (defaults) => ({
      ...defaults,
      hostname: 'mx.example.test',
      authentication: {
        ...defaults.authentication,
        throttleFreeAttempts: FREE,
        throttleDelayMs: DELAY,
        throttleMaxDelayMs: MAX_DELAY,
        throttleMaxWaitMs: MAX_WAIT,
      },
    }),
    domains: ['example.test'],
    users: [{ address: ACCOUNT, password }],
  });
  server = await startServer(data);
});
afterAll(async () => {
  await server?.stop();
});

/** When the k-th guess (0-based) may be checked at the earliest, after the first arrived. */
function earliestCheck(k: number): number {
  let at = 0;
  for (let n = 1; n <= k; n++) at += n < FREE ? 0 : Math.min(MAX_DELAY, DELAY * 2 ** (n - FREE));
  return at;
}

const login = (localAddress: string, secret: string) =>
  imapsCommands({
    port: server.ports.imaps!,
    localAddress,
    commands: [`LOGIN ${ACCOUNT} ${secret}`],
  }).then(([answer]) => answer!);

describe('the issue: 80 guesses at one account from 20 addresses', () => {
  it('are checked one delay apart or refused, while the owner logs in from home at once', async () => {
    // The owner's usual address: a login from it makes it known to the account.
    expect((await login('127.0.0.1', password)).text).toMatch(/^t0 OK /m);

    const attackers = Array.from({ length: 20 }, (_, i) => `127.0.0.${i + 2}`);
    const start = performance.now();
    const answers: TaggedAnswer[] = [];
    let owner: TaggedAnswer | null = null;
    let pendingWhenOwnerIn = 0;
    // Four rounds; in each, every address guesses once, all together.
    for (let round = 0; round < 4; round++) {
      let pending = attackers.length;
      const guesses = attackers.map((ip) =>
        login(ip, `guess-${round}-${ip}`).then((answer) => {
          pending--;
          answers.push(answer);
          return answer;
        }),
      );
      if (round === 0) {
        // Once the line is full (a guess was refused), the owner logs in from home; a server
        // that refuses nothing gets the owner after the round.
        const firstRefusal = new Promise<void>((resolve) => {
          for (const guess of guesses) {
            void guess.then((a) => a.text.includes('UNAVAILABLE') && resolve());
          }
          void Promise.all(guesses).then(() => resolve());
        });
        await firstRefusal;
        owner = await login('127.0.0.1', password);
        pendingWhenOwnerIn = pending;
      }
      await Promise.all(guesses);
    }

    expect(answers).toHaveLength(80);
    const checked = answers
      .filter((a) => /^t0 NO \[AUTHENTICATIONFAILED\]/m.test(a.text))
      .map((a) => a.at - start)
      .sort((a, b) => a - b);
    const refused = answers.filter((a) =>
      /^t0 NO \[UNAVAILABLE\] Too many failed logins for this account; try again later\r\n$/m.test(
        a.text,
      ),
    );
    // Every guess was either checked or refused unchecked. Checked: the free ones, then about
    // one per MAX_DELAY while the attack lasted, and those the line could still take at its end.
    const elapsed = performance.now() - start;
    expect(checked.length + refused.length).toBe(80);
    expect(checked.length).toBeLessThanOrEqual(
      FREE + 3 + Math.ceil((elapsed + MAX_WAIT) / MAX_DELAY),
    );
    expect(refused.length).toBeGreaterThan(0);
    // No address reached the per-IP lockout: only the account saw the attack.
    expect(answers.some((a) => a.text.includes('from your address'))).toBe(false);
    // The checked guesses came no sooner than the schedule lets them: 0, 0, 0, 0.3 s, 0.9 s,
    // 2.1 s, 3.3 s, ... after the first arrived.
    checked.forEach((at, k) => expect(at).toBeGreaterThanOrEqual(earliestCheck(k)));

    // The owner got in while guesses were still waiting their turn.
    expect(owner!.text).toMatch(/^t0 OK /m);
    expect(pendingWhenOwnerIn).toBeGreaterThan(0);

    // The Security log has every refusal as a failed login (written as it was answered).
    const throttled =
      /^\[[^\]]+\] Failed IMAP login from 127\.0\.0\.\d+, authentication method LOGIN, account throttled$/gm;
    await eventually(async () => {
      const security = readFileSync(join(data, 'logs', 'security.log'), 'utf8');
      return security.match(throttled)?.length === refused.length ? true : undefined;
    }, 'the Security log lines of the refusals');
  }, 60_000);
});
