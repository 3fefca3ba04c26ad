import { expect, it } from 'vitest';
import { isMailStoreError } from '@mailyard/mailstore-interface';
import { ALICE, type Fixture, message } from './harness.js';

/** Flags, mod-sequences (CONDSTORE), expunge and VANISHED (QRESYNC). */
export function flagChecks(fixture: () => Fixture): void {
  const alice = () => fixture().store.access(ALICE);
  const inboxWith = async (count: number, flags: string[] = []) => {
    await alice().append(
      'INBOX',
      Array.from({ length: count }, (_, i) => ({ content: message(i + 1), flags })),
    );
    return alice().open('INBOX');
  };
  const flagsOf = async (uid: number) =>
    (await (await alice().open('INBOX')).messages()).find((m) => m.uid === uid)?.flags;

  it('adds, removes and replaces flags', async () => {
    const box = await inboxWith(1);
    await box.updateFlags([1], { operation: 'add', flags: ['\\Seen', 'Work'] });
    expect(await flagsOf(1)).toEqual(['\\Seen', 'Work']);
    await box.updateFlags([1], { operation: 'remove', flags: ['work'] });
    expect(await flagsOf(1)).toEqual(['\\Seen']);
    await box.updateFlags([1], { operation: 'replace', flags: ['\\Flagged', '$Label1'] });
    expect(await flagsOf(1)).toEqual(['\\Flagged', '$Label1']);
  });

  it('normalises system flags and keeps keywords case-insensitively unique', async () => {
    const box = await inboxWith(1);
    await box.updateFlags([1], {
      operation: 'add',
      flags: ['\\SEEN', '\\answered', 'Todo', 'TODO'],
    });
    expect(await flagsOf(1)).toEqual(['\\Seen', '\\Answered', 'Todo']);
  });

  it('keeps system flags in a fixed order before keywords', async () => {
    const box = await inboxWith(1);
    await box.updateFlags([1], {
      operation: 'replace',
      flags: ['Zed', '\\Draft', '\\Seen', 'Alpha', '\\Deleted'],
    });
    expect(await flagsOf(1)).toEqual(['\\Seen', '\\Deleted', '\\Draft', 'Zed', 'Alpha']);
  });

  it('reports the changed messages with their new flags and mod-sequences', async () => {
    const box = await inboxWith(2);
    const result = await box.updateFlags([1, 2], { operation: 'add', flags: ['\\Seen'] });
    expect(result.updated.map((m) => [m.uid, m.flags])).toEqual([
      [1, ['\\Seen']],
      [2, ['\\Seen']],
    ]);
    expect(result.modified).toEqual([]);
  });

  it('gives every change a higher mod-sequence than any before', async () => {
    const box = await inboxWith(2);
    const seen: number[] = [(await box.status()).highestModSeq];
    for (const flag of ['\\Seen', '\\Flagged', 'A', 'B']) {
      const result = await box.updateFlags([1], { operation: 'add', flags: [flag] });
      seen.push(result.updated[0]!.modSeq);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await box.status()).highestModSeq).toBe(seen.at(-1));
  });

  it('raises HIGHESTMODSEQ on append and expunge too', async () => {
    const box = await inboxWith(1);
    const before = (await box.status()).highestModSeq;
    await alice().append('INBOX', [{ content: message(2) }]);
    const afterAppend = (await box.status()).highestModSeq;
    await box.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] });
    await box.expunge();
    expect(afterAppend).toBeGreaterThan(before);
    expect((await box.status()).highestModSeq).toBeGreaterThan(afterAppend);
  });

  it('leaves a message untouched when an update would not change its flags', async () => {
    const box = await inboxWith(1, ['\\Seen']);
    const before = (await box.messages())[0]!.modSeq;
    const result = await box.updateFlags([1], { operation: 'add', flags: ['\\Seen'] });
    expect(result.updated).toEqual([]);
    expect((await box.messages())[0]!.modSeq).toBe(before);
  });

  it('applies UNCHANGEDSINCE: changed messages are refused and reported', async () => {
    const box = await inboxWith(2);
    const base = (await box.status()).highestModSeq;
    await box.updateFlags([2], { operation: 'add', flags: ['\\Flagged'] });
    const result = await box.updateFlags([1, 2], {
      operation: 'add',
      flags: ['\\Seen'],
      unchangedSince: base,
    });
    expect(result.updated.map((m) => m.uid)).toEqual([1]);
    expect(result.modified).toEqual([2]);
    expect(await flagsOf(2)).toEqual(['\\Flagged']);
  });

  it('accepts UNCHANGEDSINCE equal to the message’s mod-sequence', async () => {
    const box = await inboxWith(1);
    const modSeq = (await box.messages())[0]!.modSeq;
    const result = await box.updateFlags([1], {
      operation: 'add',
      flags: ['\\Seen'],
      unchangedSince: modSeq,
    });
    expect(result.modified).toEqual([]);
    expect(result.updated).toHaveLength(1);
  });

  it('refuses every message with UNCHANGEDSINCE 0 (RFC 7162 3.1.3)', async () => {
    const box = await inboxWith(2);
    const result = await box.updateFlags([1, 2], {
      operation: 'add',
      flags: ['\\Seen'],
      unchangedSince: 0,
    });
    expect(result.modified).toEqual([1, 2]);
  });

  it('ignores UIDs that do not exist in a flag update', async () => {
    const box = await inboxWith(1);
    const result = await box.updateFlags([1, 7], { operation: 'add', flags: ['\\Seen'] });
    expect(result.updated.map((m) => m.uid)).toEqual([1]);
  });

  it('refuses malformed flags in an update', async () => {
    const box = await inboxWith(1);
    const error = await box
      .updateFlags([1], { operation: 'add', flags: ['\\Bogus'] })
      .catch((e: unknown) => e);
    expect(isMailStoreError(error, 'invalid-argument')).toBe(true);
  });

  it('expunges only \\Deleted messages', async () => {
    const box = await inboxWith(3);
    await box.updateFlags([1, 3], { operation: 'add', flags: ['\\Deleted'] });
    expect(await box.expunge()).toEqual([1, 3]);
    expect((await box.messages()).map((m) => m.uid)).toEqual([2]);
  });

  it('expunges only the given \\Deleted messages with UID EXPUNGE', async () => {
    const box = await inboxWith(3, ['\\Deleted']);
    expect(await box.expunge([2, 3])).toEqual([2, 3]);
    expect((await box.messages()).map((m) => m.uid)).toEqual([1]);
  });

  it('expunges nothing when nothing is \\Deleted', async () => {
    const box = await inboxWith(2);
    const before = (await box.status()).highestModSeq;
    expect(await box.expunge()).toEqual([]);
    expect((await box.status()).highestModSeq).toBe(before);
  });

  it('lists UIDs expunged since a mod-sequence (VANISHED)', async () => {
    const box = await inboxWith(4, ['\\Deleted']);
    await box.expunge([1]);
    const middle = (await box.status()).highestModSeq;
    await box.expunge([3, 4]);
    expect(await box.vanishedSince(0)).toEqual([1, 3, 4]);
    expect(await box.vanishedSince(middle)).toEqual([3, 4]);
    expect(await box.vanishedSince((await box.status()).highestModSeq)).toEqual([]);
  });

  it('frees the quota usage of expunged messages', async () => {
    const box = await inboxWith(2, ['\\Deleted']);
    const before = await alice().quota();
    await box.expunge();
    const after = await alice().quota();
    expect(after.usage.messages).toBe(before.usage.messages - 2);
    expect(after.usage.storage).toBe(before.usage.storage - message(1).length - message(2).length);
  });
}
