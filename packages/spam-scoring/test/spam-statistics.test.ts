import { describe, expect, it } from 'vitest';
import {
  SpamEngine,
  SpamStatistics,
  spamLogLine,
  spamRejectLogLine,
  userMarkLogLine,
} from '../src/index.js';
import { FACTS, message, scoring } from './helpers.js';

const MAIL = message('Subject: hi\r\n\r\nhi\r\n');

describe("Kerio's statistics and log lines", () => {
  it('counts checked, tagged and rejected messages, not whitelisted ones, and user marks', async () => {
    const stats = new SpamStatistics();
    const rate = (score: number, clientIp = FACTS.clientIp) =>
      new SpamEngine({ tests: [scoring('T', score)] }).rate({ ...FACTS, clientIp }, MAIL);
    for (const rated of [await rate(1), await rate(6), await rate(9.6), await rate(9, '127.0.0.1')])
      stats.record(rated);
    stats.recordUserMark('spam');
    stats.recordUserMark('ham');
    stats.recordUserMark('ham');
    expect(stats.snapshot()).toEqual({
      messagesChecked: 3,
      spamTagged: 1,
      spamRejected: 1,
      markedSpamByUsers: 1,
      markedHamByUsers: 2,
    });
    stats.reset();
    expect(stats.snapshot().messagesChecked).toBe(0);
  });

  it('starts from counters kept across a restart, and counts on from them', () => {
    const kept = {
      messagesChecked: 10,
      spamTagged: 4,
      spamRejected: 2,
      markedSpamByUsers: 1,
      markedHamByUsers: 0,
    };
    const stats = new SpamStatistics(kept);
    stats.recordUserMark('ham');
    expect(stats.snapshot()).toEqual({ ...kept, markedHamByUsers: 1 });
    stats.reset();
    expect(stats.snapshot().spamTagged).toBe(0);
  });

  it('writes the Spam and Security log lines as Kerio does, each on one line', async () => {
    const rated = await new SpamEngine({ tests: [scoring('T', 8)] }).rate(FACTS, MAIL);
    expect(
      spamLogLine(rated, {
        to: 'jwayne@company.com',
        size: 342,
        from: 'wsmith@company.com',
        subject: 'Hi\r\nForged: line',
      }),
    ).toBe(
      'Message marked as spam with score: 8.00, To: jwayne@company.com, Message size: 342, From: wsmith@company.com, Subject: Hi Forged: line',
    );
    expect(
      userMarkLogLine({
        user: 'jwayne@company.com',
        as: 'ham',
        folder: '~jwayne@company.com/Junk E-mail',
        size: 500,
        from: '"Winston Smith" <wsmith@company.com>',
        subject: '*SPAM*',
      }),
    ).toBe(
      'User jwayne@company.com marked a message as not spam, Folder: ~jwayne@company.com/Junk E-mail, Size: 500, From: "Winston Smith" <wsmith@company.com>, Subject: *SPAM*',
    );
    const blocked = await new SpamEngine({ tests: [scoring('T', 9.74)] }).rate(FACTS, MAIL);
    expect(spamRejectLogLine(blocked, { from: 'a@example.net', to: ['b@example.com'] }, 5)).toBe(
      'Message from <a@example.net> to <b@example.com> rejected by spam filter: score 9.74, threshold 5.00',
    );
  });
});
