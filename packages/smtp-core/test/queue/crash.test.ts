/**
 * Exactly once through SIGKILL: a child process queues messages and delivers them locally into
 * the on-disk store, and is killed, many times, at random moments, right between the store's
 * write and the queue's note of it, and right between queueing a message and acknowledging it.
 * After each kill the queue opens again in the next child; at the end it is drained here. Every
 * acknowledged message must be in each of its mailboxes exactly once, and no message anywhere
 * more than once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { parseHeaders } from '@mailyard/mime';
import { runUntilKilled } from '@mailyard/test-kit';
import { afterAll, expect, it } from 'vitest';
import { localDeliveryAgent } from '../../src/delivery/local-delivery-agent.js';
import { DeliveryQueue } from '../../src/queue/delivery-queue.js';
import { crashDirectory, mailboxesOf } from './crash/crash-world.js';

const ROUNDS = Number(process.env.MAILYARD_CRASH_ROUNDS ?? 16);
const root = mkdtempSync(join(tmpdir(), 'mailyard-queue-crash-'));
const queueDirectory = join(root, 'queue');
const storeDirectory = join(root, 'store');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the worker; kills it after `ms` unless its failpoint kills it first. Returns its lines. */
function runAndKill(start: number, ms: number, failpoint: string): Promise<string[]> {
  const worker = join(import.meta.dirname, 'crash', 'worker.ts');
  return runUntilKilled(worker, [queueDirectory, storeDirectory, String(start), failpoint], ms);
}

/**
 * Each round in turn: a kill at a random moment; one right after the store took its n-th
 * message (before the queue's journal noted it); one right after the queue took its n-th
 * message durably (before the client heard it was).
 */
function failpointOf(round: number): string {
  if (round % 3 === 1) return `store:${1 + (round % 5)}`;
  if (round % 3 === 2) return `queued:${1 + (Math.floor(round / 3) % 3)}`;
  return 'none:0';
}

async function mailboxContents(store: FsMailStore, user: string): Promise<Map<number, number>> {
  const box = await store.access(user).open('INBOX', { readOnly: true });
  const counts = new Map<number, number>();
  try {
    for (const { uid } of await box.messages()) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of box.read(uid, { start: 0, end: 4096 })) chunks.push(chunk);
      const subject = parseHeaders(Buffer.concat(chunks)).get('subject') ?? '';
      const seq = Number(/^crash (\d+)$/.exec(subject)?.[1] ?? Number.NaN);
      expect(Number.isNaN(seq), `unexpected message "${subject}" in ${user}`).toBe(false);
      counts.set(seq, (counts.get(seq) ?? 0) + 1);
    }
  } finally {
    box.close();
  }
  return counts;
}

it(
  `delivers every acknowledged message exactly once through ${ROUNDS} SIGKILLs`,
  { timeout: 120_000 + ROUNDS * 10_000 },
  async () => {
    const acknowledged = new Map<number, string[]>();
    const intended = new Set<number>();
    let seq = 0;
    const failpointKills = { store: 0, queued: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const failpoint = failpointOf(round);
      const lines = await runAndKill(
        seq,
        failpoint !== 'none:0' ? 20_000 : 100 + Math.floor(Math.random() * 500),
        failpoint,
      );
      // Every round's lines count, whatever killed it: a round that died before its first
      // acknowledgement may still have queued the message it said `I` of, and the next round
      // must not queue that number again (a second queue entry would be a second copy).
      for (const line of lines) {
        const [kind, a, , recipients] = line.split(' ');
        if (kind === 'K') {
          failpointKills[a as keyof typeof failpointKills]++;
        } else if (kind === 'I') {
          seq = Number(a) + 1;
          intended.add(Number(a));
        } else if (kind === 'A') {
          acknowledged.set(Number(a), recipients!.split(','));
          intended.delete(Number(a));
        }
      }
    }

    // Drain what is left, here, with the same store and directory.
    const store = new FsMailStore({ directory: storeDirectory });
    const directory = await crashDirectory();
    const queue = await DeliveryQueue.open({
      directory: queueDirectory,
      hostname: 'mail.crash.test',
      agent: localDeliveryAgent({ store, directory, hostname: 'mail.crash.test' }),
    });
    await queue.idle();
    expect(queue.list()).toEqual([]);
    await queue.stop(0);

    const contents = new Map<string, Map<number, number>>();
    for (const user of ['u0@crash.test', 'u1@crash.test', 'u2@crash.test'])
      contents.set(user, await mailboxContents(store, user));
    for (const [number, recipients] of acknowledged) {
      for (const user of mailboxesOf(recipients)) {
        expect(contents.get(user)!.get(number) ?? 0, `message ${number} in ${user}`).toBe(1);
      }
    }
    for (const [user, counts] of contents) {
      for (const [number, count] of counts) {
        expect(count, `copies of message ${number} in ${user}`).toBe(1);
        // A message in a mailbox was acknowledged, or was being queued when the kill came.
        expect(
          acknowledged.has(number) || intended.has(number),
          `message ${number} in ${user}`,
        ).toBe(true);
      }
    }
    await store.close();
    console.log(
      `queue crash test: ${ROUNDS} kills (${failpointKills.store} between store and journal, ` +
        `${failpointKills.queued} between queueing and acknowledging), ` +
        `${acknowledged.size} messages acknowledged`,
    );
    expect(acknowledged.size).toBeGreaterThan(ROUNDS);
    expect(failpointKills.store).toBeGreaterThan(0);
    expect(failpointKills.queued).toBeGreaterThan(0);
  },
);
