import { expect, it } from 'vitest';
import { isMailStoreError } from '@mailyard/mailstore-interface';
import { ALICE, BOB, type Fixture, message, readAll } from './harness.js';

/** Messages: append, UIDs, reading, fetching, copy and move, recent. */
export function messageChecks(fixture: () => Fixture): void {
  const alice = () => fixture().store.access(ALICE);
  const fail = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (e: unknown) => (isMailStoreError(e) ? e.code : `threw ${String(e)}`),
    );

  it('assigns ascending UIDs from 1 and advances UIDNEXT', async () => {
    const results = await alice().append('INBOX', [
      { content: message(1) },
      { content: message(2) },
    ]);
    expect(results.map((r) => r.uid)).toEqual([1, 2]);
    expect((await alice().status('INBOX')).uidNext).toBe(3);
  });

  it('reports the mailbox UIDVALIDITY and id with each append', async () => {
    const [result] = await alice().append('INBOX', [{ content: message(1) }]);
    const status = await alice().status('INBOX');
    const info = (await alice().list()).find((m) => m.name === 'INBOX')!;
    expect(result).toEqual({ uid: 1, uidValidity: status.uidValidity, mailboxId: info.id });
  });

  it('never reuses a UID, even after expunging the last message', async () => {
    await alice().append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    const box = await alice().open('INBOX');
    await box.updateFlags([2], { operation: 'add', flags: ['\\Deleted'] });
    await box.expunge();
    const [next] = await alice().append('INBOX', [{ content: message(3) }]);
    expect(next!.uid).toBe(3);
  });

  it('keeps a UID asked for (a restore) when not below UIDNEXT, and gives the next one otherwise', async () => {
    await alice().append('INBOX', [{ content: message(1) }]);
    const results = await alice().append('INBOX', [
      { content: message(2), uid: 10 },
      { content: message(3), uid: 5 },
      { content: message(4), uid: 40 },
    ]);
    expect(results.map((r) => r.uid)).toEqual([10, 11, 40]);
    expect((await alice().status('INBOX')).uidNext).toBe(41);
    const [below] = await alice().append('INBOX', [{ content: message(5), uid: 2 }]);
    expect(below!.uid).toBe(41);
    const box = await alice().open('INBOX', { readOnly: true });
    expect((await box.messages()).map((m) => m.uid)).toEqual([1, 10, 11, 40, 41]);
  });

  it('creates a mailbox with the UIDVALIDITY asked for (a restore), and refuses one out of range', async () => {
    await alice().create('Restored', { uidValidity: 123456789 });
    expect((await alice().status('Restored')).uidValidity).toBe(123456789);
    expect(await fail(alice().create('Zero', { uidValidity: 0 }))).toBe('invalid-argument');
    expect(await fail(alice().create('Huge', { uidValidity: 2 ** 32 }))).toBe('invalid-argument');
  });

  it('gives a non-zero UIDVALIDITY to every mailbox', async () => {
    for (const { name } of await alice().list())
      expect((await alice().status(name)).uidValidity).toBeGreaterThan(0);
  });

  it('stores the bytes exactly and reads them back', async () => {
    const content = Buffer.concat([
      Buffer.from('Subject: bytes\r\n\r\n'),
      Buffer.from([0, 1, 2, 0xff, 0x80, 0x0d, 0x0a]),
    ]);
    await alice().append('INBOX', [{ content }]);
    const box = await alice().open('INBOX');
    expect((await readAll(box.read(1))).equals(content)).toBe(true);
  });

  it('reads byte ranges, clamped to the message', async () => {
    const content = message(7);
    await alice().append('INBOX', [{ content }]);
    const box = await alice().open('INBOX');
    expect((await readAll(box.read(1, { start: 6, end: 12 }))).toString()).toBe(
      Buffer.from(content).toString('latin1', 6, 12),
    );
    expect((await readAll(box.read(1, { start: 5, end: 10_000 }))).length).toBe(content.length - 5);
    expect((await readAll(box.read(1, { start: 10_000, end: 20_000 }))).length).toBe(0);
  });

  it('reads ranges of several messages at once, as read() gives them', async () => {
    const contents = [message(1), message(2), message(3)];
    await alice().append(
      'INBOX',
      contents.map((content) => ({ content })),
    );
    const box = await alice().open('INBOX');
    if (!box.readMany) return;
    const other = await alice().open('INBOX');
    await other.updateFlags([2], { operation: 'add', flags: ['\\Deleted'] });
    await other.expunge();
    const read = await box.readMany([
      { uid: 3, start: 0, end: 100_000 },
      { uid: 1, start: 5, end: 12 },
      { uid: 2, start: 0, end: 10 },
      { uid: 99, start: 0, end: 10 },
      { uid: 1, start: 50, end: 50 },
    ]);
    expect(Buffer.from(read[0]!).equals(Buffer.from(contents[2]!))).toBe(true);
    expect(Buffer.from(read[1]!).toString('latin1')).toBe(
      Buffer.from(contents[0]!).toString('latin1', 5, 12),
    );
    expect(read.slice(2, 4)).toEqual([null, null]);
    expect(read[4]!.length).toBe(0);
  });

  it('refuses to read a UID that does not exist, or was expunged', async () => {
    await alice().append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    const box = await alice().open('INBOX');
    expect(await fail(readAll(box.read(99)))).toBe('not-found');
    const other = await alice().open('INBOX');
    await other.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] });
    await other.expunge();
    expect(await fail(readAll(box.read(1)))).toBe('expunged');
    expect((await readAll(box.read(2))).toString()).toContain('Subject: message 2');
  });

  it('keeps a stored message safe from the caller reusing its buffer', async () => {
    const content = Buffer.from(message(1));
    await alice().append('INBOX', [{ content }]);
    content.fill(0x41);
    const box = await alice().open('INBOX');
    expect((await readAll(box.read(1))).toString()).toContain('Subject: message 1');
  });

  it('fetches records with size, dates, email id and the mime summary', async () => {
    const internalDate = Date.UTC(2020, 1, 2, 3, 4, 5);
    await alice().append('INBOX', [{ content: message(5), internalDate, flags: ['\\Seen'] }]);
    const box = await alice().open('INBOX');
    const [record] = await box.fetch([1]);
    expect(record!.internalDate).toBe(internalDate);
    expect(record!.saveDate).toBe(fixture().clock.now());
    expect(record!.size).toBe(message(5).length);
    expect(record!.emailId).toMatch(/^\S+$/);
    expect(record!.summary.subject).toBe('message 5');
    expect(record!.summary.envelope.messageId).toBe('<m5@example.net>');
    expect(record!.flags).toEqual(['\\Seen']);
  });

  it('defaults INTERNALDATE to the time of the append', async () => {
    await alice().append('INBOX', [{ content: message(1) }]);
    const [record] = await (await alice().open('INBOX')).fetch([1]);
    expect(record!.internalDate).toBe(fixture().clock.now());
  });

  it('fetches in UID order and skips UIDs that do not exist', async () => {
    await alice().append(
      'INBOX',
      [1, 2, 3].map((n) => ({ content: message(n) })),
    );
    const records = await (await alice().open('INBOX')).fetch([3, 99, 1, 3]);
    expect(records.map((r) => r.uid)).toEqual([1, 3]);
  });

  it('lists every message with flags and mod-sequences in UID order', async () => {
    await alice().append('INBOX', [
      { content: message(1), flags: ['\\Flagged'] },
      { content: message(2) },
    ]);
    const states = await (await alice().open('INBOX')).messages();
    expect(states.map((s) => s.uid)).toEqual([1, 2]);
    expect(states[0]!.flags).toEqual(['\\Flagged']);
    expect(states[1]!.modSeq).toBeGreaterThan(states[0]!.modSeq);
  });

  it('counts messages, unseen, deleted and size in STATUS', async () => {
    await alice().append('INBOX', [
      { content: message(1), flags: ['\\Seen'] },
      { content: message(2), flags: ['\\Deleted'] },
      { content: message(3) },
    ]);
    const status = await alice().status('INBOX');
    expect(status.messages).toBe(3);
    expect(status.unseen).toBe(2);
    expect(status.deleted).toBe(1);
    expect(status.size).toBe([1, 2, 3].reduce((sum, n) => sum + message(n).length, 0));
  });

  it('appends a batch all or nothing: a failing batch leaves no message', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 2 });
    expect(
      await fail(
        alice().append(
          'INBOX',
          [1, 2, 3].map((n) => ({ content: message(n) })),
        ),
      ),
    ).toBe('over-quota');
    expect((await alice().status('INBOX')).messages).toBe(0);
  });

  it('refuses to append to a mailbox that does not exist', async () => {
    expect(await fail(alice().append('Nowhere', [{ content: message(1) }]))).toBe('not-found');
  });

  it('refuses malformed flags', async () => {
    expect(
      await fail(alice().append('INBOX', [{ content: message(1), flags: ['\\Recent'] }])),
    ).toBe('invalid-argument');
    expect(
      await fail(alice().append('INBOX', [{ content: message(1), flags: ['two words'] }])),
    ).toBe('invalid-argument');
  });

  it('stores even an empty or binary message, and a summary for it', async () => {
    await alice().append('INBOX', [
      { content: new Uint8Array(0) },
      { content: Buffer.from([0, 0xff, 0x0a]) },
    ]);
    const records = await (await alice().open('INBOX')).fetch([1, 2]);
    expect(records.map((r) => r.size)).toEqual([0, 3]);
  });

  it('delivers into INBOX or a named own folder, creating the user on first delivery', async () => {
    await fixture().store.deliver(BOB, { content: message(1) });
    await fixture().store.deliver(BOB, { content: message(2), mailbox: 'Junk E-mail' });
    const bob = fixture().store.access(BOB);
    expect((await bob.status('INBOX')).messages).toBe(1);
    expect((await bob.status('Junk E-mail')).messages).toBe(1);
  });

  it('refuses delivery into another user’s folders or a missing folder', async () => {
    expect(
      await fail(fixture().store.deliver(BOB, { content: message(1), mailbox: `~${ALICE}/INBOX` })),
    ).toBe('not-allowed');
    expect(
      await fail(fixture().store.deliver(BOB, { content: message(1), mailbox: 'Missing' })),
    ).toBe('not-found');
  });

  it('copies messages, reporting the UID mapping (UIDPLUS)', async () => {
    await alice().append(
      'INBOX',
      [1, 2, 3].map((n) => ({ content: message(n) })),
    );
    await alice().create('Copies');
    await alice().append('Copies', [{ content: message(9) }]);
    const result = await (await alice().open('INBOX')).copy([3, 1], 'Copies');
    expect(result.sourceUids).toEqual([1, 3]);
    expect(result.destinationUids).toEqual([2, 3]);
    expect(result.uidValidity).toBe((await alice().status('Copies')).uidValidity);
    expect((await alice().status('INBOX')).messages).toBe(3);
  });

  it('keeps flags, INTERNALDATE and the email id on copy, with a new save date', async () => {
    const internalDate = Date.UTC(2019, 5, 1);
    await alice().append('INBOX', [
      { content: message(1), flags: ['\\Flagged', 'Work'], internalDate, internalDateZone: 120 },
    ]);
    await alice().create('Copies');
    const inbox = await alice().open('INBOX');
    fixture().clock.advance(60_000);
    await inbox.copy([1], 'Copies');
    const [original] = await inbox.fetch([1]);
    const [copy] = await (await alice().open('Copies')).fetch([1]);
    expect(copy!.flags).toEqual(['\\Flagged', 'Work']);
    expect(copy!.internalDate).toBe(internalDate);
    expect(copy!.internalDateZone).toBe(120);
    expect(copy!.emailId).toBe(original!.emailId);
    expect(copy!.saveDate).toBe(original!.saveDate + 60_000);
  });

  it('copies into the same mailbox', async () => {
    await alice().append('INBOX', [{ content: message(1) }]);
    const result = await (await alice().open('INBOX')).copy([1], 'INBOX');
    expect(result.destinationUids).toEqual([2]);
  });

  it('moves messages: they leave the source and arrive in the destination', async () => {
    await alice().append(
      'INBOX',
      [1, 2].map((n) => ({ content: message(n) })),
    );
    await alice().create('Moved');
    const inbox = await alice().open('INBOX');
    const result = await inbox.move([2], 'Moved');
    expect(result.destinationUids).toEqual([1]);
    expect((await inbox.messages()).map((m) => m.uid)).toEqual([1]);
    expect((await alice().status('Moved')).messages).toBe(1);
    expect(await inbox.vanishedSince(0)).toEqual([2]);
  });

  it('copies nothing for UIDs that do not exist, and says so', async () => {
    await alice().create('Empty target');
    const result = await (await alice().open('INBOX')).copy([42], 'Empty target');
    expect(result.sourceUids).toEqual([]);
    expect(result.destinationUids).toEqual([]);
  });

  it('refuses to copy into a mailbox that does not exist', async () => {
    await alice().append('INBOX', [{ content: message(1) }]);
    expect(await fail((await alice().open('INBOX')).copy([1], 'Missing'))).toBe('not-found');
  });

  it('gives \\Recent to exactly one session', async () => {
    await alice().append(
      'INBOX',
      [1, 2].map((n) => ({ content: message(n) })),
    );
    expect((await alice().status('INBOX')).recent).toBe(2);
    const first = await alice().open('INBOX');
    const second = await alice().open('INBOX');
    expect(first.claimRecent()).toEqual([1, 2]);
    expect(second.claimRecent()).toEqual([]);
    const [third] = await alice().append('INBOX', [{ content: message(3) }]);
    expect(second.claimRecent([third!.uid])).toEqual([3]);
    expect(first.claimRecent([third!.uid])).toEqual([]);
    expect((await alice().status('INBOX')).recent).toBe(0);
  });

  it('refuses work on a mailbox deleted while open', async () => {
    await alice().create('Fleeting');
    const box = await alice().open('Fleeting');
    await alice().delete('Fleeting');
    expect(await fail(box.messages())).toBe('not-found');
  });

  it('says UIDVALIDITY changed when the mailbox was re-created while open', async () => {
    await alice().create('Phoenix');
    const box = await alice().open('Phoenix');
    await alice().delete('Phoenix');
    await alice().create('Phoenix');
    expect(await fail(box.messages())).toBe('uidvalidity-changed');
  });

  it('follows an open mailbox through a rename', async () => {
    await alice().create('Before');
    await alice().append('Before', [{ content: message(1) }]);
    const box = await alice().open('Before');
    await alice().rename('Before', 'After');
    expect((await box.messages()).map((m) => m.uid)).toEqual([1]);
  });

  it('refuses changes through a read-only open', async () => {
    await alice().append('INBOX', [{ content: message(1) }]);
    const box = await alice().open('INBOX', { readOnly: true });
    expect(box.readOnly).toBe(true);
    expect(await fail(box.updateFlags([1], { operation: 'add', flags: ['\\Seen'] }))).toBe(
      'not-allowed',
    );
    expect(await fail(box.expunge())).toBe('not-allowed');
    expect(await fail(box.move([1], 'Drafts'))).toBe('not-allowed');
  });
}
