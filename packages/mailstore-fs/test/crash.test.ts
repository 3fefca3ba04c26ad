/**
 * Kill -9 at random moments: a child process appends and updates flags in a loop and is killed
 * with SIGKILL, many times over the same store. After every kill the store must open, hold every
 * acknowledged append byte for byte, keep UIDs unique and ascending, lose nothing else, and hold
 * each batch (MULTIAPPEND) whole or not at all.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUntilKilled } from '@mailyard/test-kit';
import { afterAll, expect, it } from 'vitest';
import { FsMailStore } from '../src/index.js';

const ROUNDS = Number(process.env.MAILYARD_CRASH_ROUNDS ?? 25);
const directory = mkdtempSync(join(tmpdir(), 'mailyard-crash-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs the worker until it has been busy for `ms`, then kills it; returns the lines it wrote. */
function runAndKill(start: number, ms: number): Promise<string[]> {
  const worker = join(import.meta.dirname, 'crash', 'worker.ts');
  return runUntilKilled(worker, [directory, String(start)], ms);
}

it(
  `keeps every acknowledged change through ${ROUNDS} SIGKILLs`,
  { timeout: 60_000 + ROUNDS * 5_000 },
  async () => {
    const acknowledged = new Map<number, string>(); // uid → sha256 of content
    const intended = new Set<string>(); // digests of appends that may or may not have landed
    const flags = new Map<number, { acked: string; pending: Set<string> }>();
    let seq = 0;
    let batchesChecked = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const lines = await runAndKill(seq, 50 + Math.floor(Math.random() * 400));
      const batches = new Map<string, string[]>(); // batch → digests of its messages, this round
      for (const line of lines) {
        const [kind, a, b = '', c = ''] = line.split(' ');
        if (kind === 'I') {
          seq = Number(a) + 1;
          intended.add(b);
          batches.set(c, [...(batches.get(c) ?? []), b]);
        } else if (kind === 'A') {
          acknowledged.set(Number(a), b);
          intended.delete(b);
        } else if (kind === 'T') {
          const state = flags.get(Number(a)) ?? { acked: '', pending: new Set() };
          state.pending.add(b);
          flags.set(Number(a), state);
        } else if (kind === 'F') {
          flags.set(Number(a), { acked: b, pending: new Set() });
        }
      }

      const store = new FsMailStore({ directory });
      const box = await store.access('crash@example.com').open('INBOX');
      const messages = await box.messages();
      const uids = messages.map((m) => m.uid);
      expect(uids).toEqual([...new Set(uids)].sort((x, y) => x - y));
      const stored = new Set<string>(); // digests of every message in the store
      for (const [uid, digest] of acknowledged) {
        const chunks: Uint8Array[] = [];
        for await (const chunk of box.read(uid)) chunks.push(chunk);
        expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex'), `UID ${uid}`).toBe(
          digest,
        );
        stored.add(digest);
      }
      for (const message of messages) {
        if (acknowledged.has(message.uid)) continue;
        // Stored but not acknowledged: only the append the kill interrupted may be like that.
        const chunks: Uint8Array[] = [];
        for await (const chunk of box.read(message.uid)) chunks.push(chunk);
        const digest = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
        expect(intended.has(digest), `unexpected UID ${message.uid}`).toBe(true);
        acknowledged.set(message.uid, digest);
        intended.delete(digest);
        stored.add(digest);
      }
      for (const [batch, digests] of batches) {
        const present = digests.filter((digest) => stored.has(digest)).length;
        expect([0, digests.length], `batch ${batch}: ${present} of ${digests.length}`).toContain(
          present,
        );
        if (digests.length > 1) batchesChecked++;
      }
      for (const message of messages) {
        const state = flags.get(message.uid);
        if (!state) continue;
        const now = message.flags.join(',');
        expect([state.acked, ...state.pending], `flags of UID ${message.uid}`).toContain(now);
        flags.set(message.uid, { acked: now, pending: new Set() });
      }
      intended.clear();
      await store.close();
    }
    console.log(
      `crash test: ${ROUNDS} kills, ${acknowledged.size} messages acknowledged, ` +
        `${batchesChecked} batches checked whole`,
    );
    expect(acknowledged.size).toBeGreaterThan(ROUNDS);
    expect(batchesChecked).toBeGreaterThan(0);
  },
);
