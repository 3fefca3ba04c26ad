import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const fire = ruleFirer(
  [
    'header SORTED_RECIPS eval:sorted_recipients()',
    "header SUSPICIOUS_RECIPS eval:similar_recipients('0.65','undef')",
    "header SOMEWHAT_SIMILAR eval:similar_recipients('0.2','0.65')",
  ].join('\n'),
);
const fired = (headers: string[]) => fire(`${headers.join('\r\n')}\r\n\r\nbody\r\n`);

describe('the recipient-list checks', () => {
  it('a harvested list: addresses alike at hosts alike', () => {
    // Every pair shares its first two letters (jo) and hosts that start alike but differ.
    const to = 'john@mail1.example, jo.b@mail2.example, joan@mail3.example';
    expect(fired([`To: ${to}`, 'Cc: josh@mail4.example, jody@mail5.example'])).toEqual([
      'SUSPICIOUS_RECIPS',
    ]);
  });

  it('not with fewer than 5 addresses, To and Cc together', () => {
    expect(fired(['To: john@mail1.example, jo.b@mail2.example', 'Cc: joan@mail3.example'])).toEqual(
      [],
    );
  });

  it('the same host is no similarity, and neighbours that repeat count once', () => {
    const office = ['ann', 'bob', 'carl', 'dave', 'ed'].map((u) => `${u}@office.example`);
    expect(fired([`To: ${office.join(', ')}`])).toEqual([]);
    const repeated = ['jo1@a1.example', 'JO1@a1.example', 'jo2@a2.example', 'jo3@a3.example'];
    expect(fired([`To: ${repeated.join(', ')}, jo4@a4.example`])).toEqual([]);
  });

  it('a share between the bounds, and 7 or more recipients in sorted order', () => {
    // Three of five share their first letters: 3 pairs of 10, no host alike but different.
    const some = [
      'jo@x.example',
      'joe@x.example',
      'john@x.example',
      'al@x.example',
      'bo@x.example',
    ];
    expect(fired([`To: ${some.join(', ')}`])).toEqual(['SOMEWHAT_SIMILAR']);
    // Hosts that start alike (mx) and differ, in every pair: the share is 1.
    const sorted = ['al', 'bo', 'ca', 'di', 'ed', 'fa', 'gu'].map((u, i) => `${u}@mx${i}.example`);
    expect(fired([`To: ${sorted.join(', ')}`])).toEqual(['SORTED_RECIPS', 'SUSPICIOUS_RECIPS']);
    expect(fired([`To: ${[...sorted].reverse().join(', ')}`])).toEqual(['SUSPICIOUS_RECIPS']);
  });

  it('reads Bcc when To and Cc hold fewer than 5', () => {
    expect(
      fired([
        'To: john@mail1.example',
        'Bcc: jo.b@mail2.example, joan@mail3.example, josh@mail4.example, jody@mail5.example',
      ]),
    ).toEqual(['SUSPICIOUS_RECIPS']);
  });
});

describeWithPeer(debianSpamAssassin, 'the recipient-list checks against spamassassin', () => {
  // ToCc's addresses as SpamAssassin's parser reads them: `<>` and a bare word give none (an
  // empty address ended the list here before), a group gives its members.
  const cc = 'Cc: <jo1@mx1.example>, <jo2@mx2.example>, <jo3@mx3.example>, <jo4@mx4.example>';
  const cases = [
    ['To: Undisclosed Recipients <>', cc],
    ['To: XX', cc],
    ['To: list: jo0@mx0.example, jo9@mx9.example;', cc],
    ['To: undisclosed-recipients:;', cc, 'Bcc: jo5@mx5.example'],
    [
      'To: ""',
      'Cc: al@a1.example, bo@a2.example, ca@a3.example, di@a4.example, ed@a5.example, fa@a6.example, gu@a7.example',
    ],
  ];
  it('fire as spamassassin -L -t fires', () => {
    const mails = cases.map(
      (headers) => `From: a@b.example\r\nSubject: s\r\n${headers.join('\r\n')}\r\n\r\nbody\r\n`,
    );
    const theirs = spamAssassinFiredEach(mails, '', /^(?:SUSPICIOUS|SORTED)_RECIPS$/);
    expect(theirs.some((names) => names.length > 0)).toBe(true);
    for (const [index, headers] of cases.entries())
      expect([headers[0], fired(headers).filter((n) => n !== 'SOMEWHAT_SIMILAR')]).toEqual([
        headers[0],
        theirs[index],
      ]);
  }, 60_000);
});
