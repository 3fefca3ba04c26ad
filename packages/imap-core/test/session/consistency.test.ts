import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { type MailStore, MemoryMailStore } from '@mailyard/mailstore-interface';
import { afterAll, describe, expect, it } from 'vitest';
import { ALICE, TestClient, directory, message } from './harness.js';

/**
 * Several sessions on one INBOX, commands sent to several of them at once in an order drawn
 * from a fixed seed. Each client keeps a model of its mailbox built only from what it was told
 * (EXISTS, EXPUNGE, FETCH, FLAGS) and checks every response against it: sequence numbers in
 * range, UIDs that never change under a sequence number or come back, EXPUNGE numbering, MODSEQ
 * that never goes down, keywords announced before FETCH shows them. Now and then everyone goes
 * quiet, catches up with NOOP, and each model must equal what the store holds.
 */

const SYSTEM_FLAGS = new Set(['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft']);
const KEYWORDS = ['$Label1', '$Label2', 'Work', 'Later'];

function generator(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** One client's idea of its mailbox, from the responses it read. */
class Model {
  /** UID by sequence number - 1; 0 where the client does not know the UID yet. */
  uids: number[] = [];
  readonly flags = new Map<number, readonly string[]>();
  readonly modSeqs = new Map<number, number>();
  readonly gone = new Set<number>();
  /** Keywords the client was told about with FLAGS. */
  keywords = new Set<string>();
  highestUid = 0;
  readonly problems: string[] = [];
  /** What the client was told, to show that the run exercised it. */
  readonly seen = { expunges: 0, fetches: 0 };

  constructor(readonly name: string) {}

  /** Applies the untagged lines of a response, checking each. */
  read(response: string, command: string): void {
    for (const line of response.split('\r\n')) {
      const problem = this.apply(line);
      if (problem) this.problems.push(`${this.name}: ${problem} (in "${line}" after ${command})`);
    }
  }

  private apply(line: string): string | null {
    let match: RegExpExecArray | null;
    if ((match = /^\* FLAGS \(([^)]*)\)/.exec(line))) {
      this.keywords = new Set(match[1]!.split(' ').filter((f) => f && !f.startsWith('\\')));
      return null;
    }
    if ((match = /^\* (\d+) EXISTS$/.exec(line))) {
      const count = Number(match[1]);
      if (count < this.uids.length) return `EXISTS ${count} below ${this.uids.length}`;
      while (this.uids.length < count) this.uids.push(0);
      return null;
    }
    if ((match = /^\* (\d+) EXPUNGE$/.exec(line))) {
      const seq = Number(match[1]);
      if (seq < 1 || seq > this.uids.length) return `EXPUNGE ${seq} of ${this.uids.length}`;
      const [uid] = this.uids.splice(seq - 1, 1);
      if (uid) this.gone.add(uid);
      this.seen.expunges++;
      return null;
    }
    if ((match = /^\* (\d+) FETCH \((.*)\)$/.exec(line))) {
      const seq = Number(match[1]);
      if (seq < 1 || seq > this.uids.length) return `FETCH ${seq} of ${this.uids.length}`;
      const data = match[2]!;
      this.seen.fetches++;
      const uid = Number(/UID (\d+)/.exec(data)?.[1] ?? 0);
      const known = this.uids[seq - 1]!;
      if (uid) {
        if (known && known !== uid) return `sequence ${seq} was UID ${known}, now ${uid}`;
        if (this.gone.has(uid)) return `UID ${uid} came back after its EXPUNGE`;
        if (!known && uid <= this.highestUid && !this.uids.includes(uid))
          return `new UID ${uid} not above ${this.highestUid}`;
        this.uids[seq - 1] = uid;
        this.highestUid = Math.max(this.highestUid, uid);
      }
      const which = uid || known;
      const flags = /FLAGS \(([^)]*)\)/.exec(data);
      if (flags && which) {
        const list = flags[1]!.split(' ').filter((f) => f && f !== '\\Recent');
        const unannounced = list.filter((f) => !SYSTEM_FLAGS.has(f) && !this.keywords.has(f));
        if (unannounced.length > 0) return `keywords ${unannounced.join(' ')} never announced`;
        this.flags.set(which, list);
      }
      const modSeq = /MODSEQ \((\d+)\)/.exec(data);
      if (modSeq && which) {
        const value = Number(modSeq[1]);
        if (value < (this.modSeqs.get(which) ?? 0)) return `MODSEQ of UID ${which} went down`;
        this.modSeqs.set(which, value);
      }
      return null;
    }
    return null;
  }
}

interface Player {
  readonly client: TestClient;
  readonly model: Model;
}

async function send(player: Player, command: string): Promise<string> {
  const response = await player.client.command(command);
  player.model.read(response, command);
  // Every command succeeds, but for a FETCH of a message another session expunged meanwhile.
  const tagged = response.trimEnd().split('\r\n').pop()!;
  if (!/^\S+ OK/.test(tagged) && !/^\S+ NO \[EXPUNGEISSUED\]/.test(tagged)) {
    player.model.problems.push(
      `${player.model.name}: "${tagged}" after ${command.split('\r\n')[0]}`,
    );
  }
  return response;
}

async function play(
  store: MailStore,
  seed: number,
  rounds: number,
): Promise<{ problems: string[]; expunges: number; fetches: number; highestUid: number }> {
  const random = generator(seed);
  for (let i = 0; i < 20; i++) await store.deliver(ALICE, { content: message(`start ${i}`) });
  const shared = await directory();
  const players: Player[] = [];
  for (let i = 0; i < 5; i++) {
    const client = await TestClient.loggedIn({ store, directory: shared });
    const player = { client, model: new Model(`client ${i}`) };
    await send(player, 'e ENABLE CONDSTORE');
    await send(player, 's SELECT INBOX');
    await send(player, 'f FETCH 1:* (UID FLAGS MODSEQ)');
    players.push(player);
  }
  let appended = 0;
  const step = (player: Player): string => {
    const count = player.model.uids.length;
    const seq = count === 0 ? 0 : 1 + random(count);
    const flag = random(3) === 0 ? '\\Seen' : KEYWORDS[random(KEYWORDS.length)]!;
    switch (random(9)) {
      case 0:
      case 1:
        return seq ? `t STORE ${seq} ${random(2) ? '+' : '-'}FLAGS (${flag})` : 'n NOOP';
      case 2:
        return seq ? `d STORE ${seq} +FLAGS.SILENT (\\Deleted)` : 'n NOOP';
      case 3:
        return 'x EXPUNGE';
      case 4: {
        const content = message(`appended ${appended++}`);
        return `a APPEND INBOX {${content.length}+}\r\n${content.toString('latin1')}`;
      }
      case 5:
        return count ? `f FETCH 1:* (UID FLAGS MODSEQ)` : 'n NOOP';
      case 6:
        return seq ? `u UID FETCH ${player.model.uids[seq - 1] || 1}:* (FLAGS MODSEQ)` : 'n NOOP';
      case 7:
        return random(2) ? 'q SEARCH ALL' : seq ? `b FETCH ${seq} (UID BODY.PEEK[])` : 'n NOOP';
      default:
        return 'n NOOP';
    }
  };
  for (let round = 0; round < rounds; round++) {
    // Some of the clients at once, each with one command.
    const acting = players.filter(() => random(2) === 0);
    await Promise.all(acting.map((player) => send(player, step(player))));
    if (round % 10 === 9) {
      // Quiet: everyone catches up, then each model must be the store's state.
      for (const player of players) await send(player, 'n NOOP');
      for (const player of players) await send(player, 'f FETCH 1:* (UID FLAGS MODSEQ)');
      const truth = await store.access(ALICE).open('INBOX', { readOnly: true });
      const states = await truth.messages();
      truth.close();
      for (const { model } of players) {
        expect(model.uids, `${model.name} after round ${round}`).toEqual(
          states.map((state) => state.uid),
        );
        for (const state of states) {
          expect(
            [...model.flags.get(state.uid)!].sort(),
            `${model.name}: flags of UID ${state.uid} after round ${round}`,
          ).toEqual([...state.flags].sort());
          expect(model.modSeqs.get(state.uid)).toBe(state.modSeq);
        }
      }
    }
  }
  for (const { client } of players) client.session.disconnected();
  const models = players.map((player) => player.model);
  return {
    problems: models.flatMap((model) => model.problems),
    expunges: Math.min(...models.map((model) => model.seen.expunges)),
    fetches: Math.min(...models.map((model) => model.seen.fetches)),
    highestUid: Math.max(...models.map((model) => model.highestUid)),
  };
}

/** No problem found, and every client saw messages come, change and go. */
function expectConsistent(outcome: Awaited<ReturnType<typeof play>>): void {
  expect(outcome.problems).toEqual([]);
  expect(outcome.expunges).toBeGreaterThan(5);
  expect(outcome.fetches).toBeGreaterThan(100);
  expect(outcome.highestUid).toBeGreaterThan(30);
}

describe('many sessions on one mailbox, checked against what each was told', () => {
  const directories: string[] = [];
  afterAll(() => {
    for (const path of directories) rmSync(path, { recursive: true, force: true });
  });

  it.each([1, 2, 3])('over the memory store, seed %i', async (seed) => {
    expectConsistent(await play(new MemoryMailStore(), seed, 300));
  });

  it.each([4, 5])(
    'over the on-disk store, seed %i',
    async (seed) => {
      const path = mkdtempSync(join(tmpdir(), 'mailyard-consistency-'));
      directories.push(path);
      const store = new FsMailStore({ directory: path });
      try {
        expectConsistent(await play(store, seed, 150));
      } finally {
        await store.close();
      }
    },
    60_000,
  );
});
