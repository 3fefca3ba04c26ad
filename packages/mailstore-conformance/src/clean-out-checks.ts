import { expect, it } from 'vitest';
import {
  MAX_CLEAN_OUT_PER_FOLDER,
  NO_CLEAN_OUT,
  cleanOut,
  mildestPolicy,
} from '@mailyard/mailstore-interface';
import { ALICE, type Fixture, message } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;

function calendarItem(component: string): Uint8Array {
  return Buffer.from(
    'Subject: item\r\nContent-Type: text/calendar; charset=utf-8\r\n\r\n' +
      `BEGIN:VCALENDAR\r\nBEGIN:${component.split('\n')[0]}\r\n${component.split('\n').slice(1).join('\r\n')}\r\nEND:VCALENDAR\r\n`,
  );
}

/** Kerio's automated clean-out (7.5) over the store. */
export function cleanOutChecks(fixture: () => Fixture): void {
  const alice = () => fixture().store.access(ALICE);
  const run = (policy: Partial<typeof NO_CLEAN_OUT>) =>
    cleanOut(fixture().store, ALICE, { ...NO_CLEAN_OUT, ...policy }, fixture().clock);

  it('removes items older than the limit from Deleted Items, Junk E-mail and Sent Items', async () => {
    for (const folder of ['Deleted Items', 'Junk E-mail', 'Sent Items'])
      await alice().append(folder, [{ content: message(1) }]);
    fixture().clock.advance(31 * DAY);
    for (const folder of ['Deleted Items', 'Junk E-mail', 'Sent Items'])
      await alice().append(folder, [{ content: message(2) }]);
    const report = await run({ deletedItemsDays: 30, junkDays: 30, sentItemsDays: 30 });
    expect([...report.removed.values()]).toEqual([1, 1, 1]);
    for (const folder of ['Deleted Items', 'Junk E-mail', 'Sent Items'])
      expect((await alice().status(folder)).messages).toBe(1);
  });

  it('leaves folders alone whose rule is off', async () => {
    await alice().append('Deleted Items', [{ content: message(1) }]);
    fixture().clock.advance(1000 * DAY);
    await run({ junkDays: 1 });
    expect((await alice().status('Deleted Items')).messages).toBe(1);
  });

  it('removes at most 1000 items per folder per run, oldest first', async () => {
    await alice().append(
      'Junk E-mail',
      Array.from({ length: MAX_CLEAN_OUT_PER_FOLDER + 5 }, (_, i) => ({ content: message(i) })),
    );
    fixture().clock.advance(2 * DAY);
    expect((await run({ junkDays: 1 })).removed.get('Junk E-mail')).toBe(MAX_CLEAN_OUT_PER_FOLDER);
    expect((await alice().status('Junk E-mail')).messages).toBe(5);
    await run({ junkDays: 1 });
    expect((await alice().status('Junk E-mail')).messages).toBe(0);
  });

  it('counts age from when an item was moved into the folder', async () => {
    await alice().append('INBOX', [{ content: message(1) }]);
    fixture().clock.advance(40 * DAY);
    await (await alice().open('INBOX')).move([1], 'Deleted Items');
    fixture().clock.advance(5 * DAY);
    await run({ deletedItemsDays: 30 });
    expect((await alice().status('Deleted Items')).messages).toBe(1);
  });

  it('applies the all-folders rule in years, sparing contacts and notes', async () => {
    for (const folder of ['INBOX', 'Contacts', 'Notes'])
      await alice().append(folder, [{ content: message(1) }]);
    fixture().clock.advance(2 * 366 * DAY);
    await run({ allFoldersYears: 2 });
    expect((await alice().status('INBOX')).messages).toBe(0);
    expect((await alice().status('Contacts')).messages).toBe(1);
    expect((await alice().status('Notes')).messages).toBe(1);
  });

  it('spares unfinished tasks and removes completed ones', async () => {
    await alice().append('Tasks', [
      { content: calendarItem('VTODO\nSUMMARY:open\nEND:VTODO') },
      { content: calendarItem('VTODO\nSUMMARY:done\nSTATUS:COMPLETED\nEND:VTODO') },
    ]);
    fixture().clock.advance(3 * 366 * DAY);
    await run({ allFoldersYears: 1 });
    const records = await (await alice().open('Tasks')).fetch([1, 2]);
    expect(records.map((r) => r.uid)).toEqual([1]);
  });

  it('spares events that have not ended or never end', async () => {
    await alice().append('Calendar', [
      {
        content: calendarItem(
          'VEVENT\nDTSTART:20250101T100000Z\nDTEND:20250101T110000Z\nEND:VEVENT',
        ),
      },
      { content: calendarItem('VEVENT\nDTSTART:20250101T100000Z\nEND:VEVENT') },
      {
        content: calendarItem(
          'VEVENT\nDTSTART:20250101T100000Z\nDTEND:20250101T110000Z\nRRULE:FREQ=WEEKLY\nEND:VEVENT',
        ),
      },
      {
        content: calendarItem(
          'VEVENT\nDTSTART:20250101T100000Z\nDTEND:20990101T110000Z\nEND:VEVENT',
        ),
      },
    ]);
    fixture().clock.advance(3 * 366 * DAY);
    await run({ allFoldersYears: 1 });
    expect((await (await alice().open('Calendar')).messages()).map((m) => m.uid)).toEqual([
      2, 3, 4,
    ]);
  });

  it('deletes empty subfolders of Deleted Items and Junk E-mail, but not other empty folders', async () => {
    await alice().create('Deleted Items/Old stuff');
    await alice().create('Junk E-mail/Spam/Deeper');
    await alice().create('Projects/Empty');
    const report = await run({ deletedItemsDays: 30 });
    expect([...report.deletedFolders].sort()).toEqual([
      'Deleted Items/Old stuff',
      'Junk E-mail/Spam',
      'Junk E-mail/Spam/Deeper',
    ]);
    expect((await alice().list()).map((m) => m.name)).toContain('Projects/Empty');
  });

  it('keeps cleaned-out items for recovery when retention is on', async () => {
    fixture().policy.retention.set(ALICE, 30);
    await alice().append('Junk E-mail', [{ content: message(1) }]);
    fixture().clock.advance(10 * DAY);
    await run({ junkDays: 7 });
    expect(await alice().recoverDeleted(30)).toBe(1);
  });

  it('picks the mildest of several policies for global public folders', () => {
    const policy = mildestPolicy([
      { ...NO_CLEAN_OUT, allFoldersYears: 3, junkDays: 30, deletedItemsDays: 10 },
      { ...NO_CLEAN_OUT, allFoldersYears: 5, junkDays: 0, deletedItemsDays: 20 },
    ]);
    expect(policy).toEqual({
      allFoldersYears: 5,
      junkDays: 0,
      deletedItemsDays: 20,
      sentItemsDays: 0,
    });
  });
}
