import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { ALICE, TestClient } from './harness.js';

interface Spec {
  readonly id: string;
  readonly subject: string;
  readonly date: string;
  readonly from?: string;
  readonly references?: string;
  readonly inReplyTo?: string;
  readonly size?: number;
}

function build(spec: Spec): Buffer {
  const lines = [
    `From: ${spec.from ?? 'someone@example.com'}`,
    'To: alice@example.com',
    `Subject: ${spec.subject}`,
    `Date: ${spec.date}`,
    `Message-ID: <${spec.id}@x>`,
  ];
  if (spec.references) lines.push(`References: ${spec.references}`);
  if (spec.inReplyTo) lines.push(`In-Reply-To: ${spec.inReplyTo}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${'x'.repeat(spec.size ?? 10)}\r\n`);
}

async function selected(specs: readonly Spec[]) {
  const store = new MemoryMailStore();
  let arrival = Date.UTC(2024, 0, 1);
  for (const spec of specs) {
    await store.deliver(ALICE, { content: build(spec), internalDate: (arrival += 60_000) });
  }
  const client = await TestClient.loggedIn({ store });
  await client.command('s SELECT INBOX');
  return client;
}

describe('SORT (RFC 5256) and ESORT (RFC 5267)', () => {
  const specs: Spec[] = [
    {
      id: 'a',
      subject: 'Re: beta',
      date: 'Tue, 2 Jan 2024 10:00:00 +0000',
      from: 'zed@example.com',
      size: 300,
    },
    {
      id: 'b',
      subject: 'alpha',
      date: 'Mon, 1 Jan 2024 10:00:00 +0000',
      from: 'Amy <amy@example.com>',
      size: 10,
    },
    {
      id: 'c',
      subject: '[list] Gamma',
      date: 'Mon, 1 Jan 2024 09:00:00 -0500',
      from: 'bob@example.com',
      size: 100,
    },
    { id: 'd', subject: 'Fwd: Alpha', date: 'garbage', from: 'amy@example.com', size: 100 },
  ];

  it('sorts by each key, REVERSE and ties by sequence number', async () => {
    const client = await selected(specs);
    const sort = async (criteria: string) => {
      const reply = await client.command(`x SORT (${criteria}) UTF-8 ALL`);
      return /\* SORT ?([\d ]*)\r\n/.exec(reply)![1];
    };
    expect(await sort('SUBJECT')).toBe('2 4 1 3');
    expect(await sort('REVERSE SUBJECT')).toBe('3 1 2 4');
    expect(await sort('DATE')).toBe('4 2 3 1');
    expect(await sort('ARRIVAL')).toBe('1 2 3 4');
    expect(await sort('REVERSE ARRIVAL')).toBe('4 3 2 1');
    expect(await sort('FROM')).toBe('2 4 3 1');
    expect(await sort('SIZE')).toBe('2 4 3 1');
    expect(await sort('SIZE REVERSE DATE')).toBe('2 4 3 1');
    expect(await client.command('y UID SORT (SUBJECT) US-ASCII FROM amy')).toBe(
      '* SORT 2 4\r\ny OK Sort completed\r\n',
    );
    expect(await client.command('z SORT (SUBJECT) X-NONE ALL')).toMatch(/^z NO \[BADCHARSET/);
  });

  it('answers ESORT in sort order', async () => {
    const client = await selected(specs);
    expect(await client.command('A301 SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL')).toBe(
      '* ESEARCH (TAG "A301") MIN 4 MAX 1 ALL 4,2:3,1 COUNT 4\r\nA301 OK Sort completed\r\n',
    );
  });
});

describe('THREAD (RFC 5256)', () => {
  it('ORDEREDSUBJECT: threads by base subject, first message the parent', async () => {
    const client = await selected([
      { id: '1', subject: 'Meeting', date: 'Mon, 1 Jan 2024 10:00:00 +0000' },
      { id: '2', subject: 'Lunch', date: 'Mon, 1 Jan 2024 11:00:00 +0000' },
      { id: '3', subject: 'Re: Meeting', date: 'Mon, 1 Jan 2024 12:00:00 +0000' },
      { id: '4', subject: 'RE: meeting', date: 'Mon, 1 Jan 2024 13:00:00 +0000' },
      { id: '5', subject: 'Re: Lunch', date: 'Mon, 1 Jan 2024 14:00:00 +0000' },
      { id: '6', subject: 'Solo', date: 'Mon, 1 Jan 2024 15:00:00 +0000' },
    ]);
    expect(await client.command('a THREAD ORDEREDSUBJECT UTF-8 ALL')).toBe(
      '* THREAD (1 (3)(4))(2 5)(6)\r\na OK Thread completed\r\n',
    );
  });

  it('REFERENCES: parents from References and In-Reply-To, placeholders, subject merging', async () => {
    const client = await selected([
      { id: 'root', subject: 'Plan', date: 'Mon, 1 Jan 2024 10:00:00 +0000' },
      {
        id: 'r1',
        subject: 'Re: Plan',
        date: 'Mon, 1 Jan 2024 11:00:00 +0000',
        references: '<root@x>',
      },
      {
        id: 'r2',
        subject: 'Re: Plan',
        date: 'Mon, 1 Jan 2024 12:00:00 +0000',
        inReplyTo: '<root@x>',
      },
      {
        id: 'r11',
        subject: 'Re: Plan',
        date: 'Mon, 1 Jan 2024 13:00:00 +0000',
        references: '<root@x> <r1@x>',
      },
      // Its parent is missing: a placeholder holds the two replies to it.
      {
        id: 'o1',
        subject: 'Re: Orphans',
        date: 'Mon, 1 Jan 2024 09:00:00 +0000',
        references: '<gone@x>',
      },
      {
        id: 'o2',
        subject: 'Re: Orphans',
        date: 'Mon, 1 Jan 2024 09:30:00 +0000',
        references: '<gone@x>',
      },
      // No references, but the subject of an existing thread's root, as a reply: merged under it.
      { id: 'late', subject: 'Re: Plan', date: 'Mon, 1 Jan 2024 14:00:00 +0000' },
      { id: 'alone', subject: 'Other', date: 'Mon, 1 Jan 2024 15:00:00 +0000' },
    ]);
    expect(await client.command('a THREAD REFERENCES UTF-8 ALL')).toBe(
      '* THREAD ((5)(6))(1 (2 4)(3)(7))(8)\r\na OK Thread completed\r\n',
    );
    expect(await client.command('b UID THREAD REFERENCES UTF-8 NOT SUBJECT orphans')).toBe(
      '* THREAD (1 (2 4)(3)(7))(8)\r\nb OK Thread completed\r\n',
    );
    expect(await client.command('c THREAD REFERENCES UTF-8 KEYWORD nothing')).toBe(
      '* THREAD\r\nc OK Thread completed\r\n',
    );
  });

  it('REFERENCES survives loops and repeated Message-IDs', async () => {
    const client = await selected([
      { id: 'x', subject: 'Loop', date: 'Mon, 1 Jan 2024 10:00:00 +0000', references: '<y@x>' },
      { id: 'y', subject: 'Loop', date: 'Mon, 1 Jan 2024 11:00:00 +0000', references: '<x@x>' },
      { id: 'x', subject: 'Copy', date: 'Mon, 1 Jan 2024 12:00:00 +0000' },
    ]);
    const reply = await client.command('a THREAD REFERENCES UTF-8 ALL');
    expect(reply).toMatch(/^\* THREAD .*\r\na OK Thread completed\r\n$/);
    for (const n of ['1', '2', '3']) expect(reply).toMatch(new RegExp(`[( ]${n}[ )]`));
  });
});

describe('THREADID (RFC 8474)', () => {
  it('gives the messages of a conversation one id, and finds them by it', async () => {
    const client = await selected([
      { id: 'root', subject: 'Plan', date: 'Mon, 1 Jan 2024 10:00:00 +0000' },
      {
        id: 'r1',
        subject: 'Re: Plan',
        date: 'Mon, 1 Jan 2024 11:00:00 +0000',
        references: '<root@x>',
        inReplyTo: '<root@x>',
      },
      { id: 'other', subject: 'Lunch', date: 'Mon, 1 Jan 2024 12:00:00 +0000' },
      {
        id: 'r2',
        subject: 'Re: Plan',
        date: 'Mon, 1 Jan 2024 13:00:00 +0000',
        references: '<root@x> <r1@x>',
        inReplyTo: '<r1@x>',
      },
      // Only In-Reply-To, to the first message: still the same conversation.
      {
        id: 'r3',
        subject: 'Re: Plan',
        date: 'Mon, 1 Jan 2024 14:00:00 +0000',
        inReplyTo: '<root@x>',
      },
    ]);
    const fetched = await client.command('a FETCH 1:5 THREADID');
    const ids = [...fetched.matchAll(/THREADID \(([A-Za-z0-9_-]{1,255})\)/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(5);
    expect(new Set([ids[0], ids[1], ids[3], ids[4]]).size).toBe(1);
    expect(ids[2]).not.toBe(ids[0]);
    expect(await client.command(`b SEARCH THREADID ${ids[0]}`)).toBe(
      '* SEARCH 1 2 4 5\r\nb OK Search completed\r\n',
    );
    expect(await client.command(`c SEARCH NOT THREADID ${ids[0]}`)).toBe(
      '* SEARCH 3\r\nc OK Search completed\r\n',
    );
  });
});
