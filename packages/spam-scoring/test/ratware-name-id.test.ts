// check_ratware_name_id (__RATWARE_NAME_ID, under RATWARE_NAME_ID), with spamassassin as the
// oracle: each message's expected answer is what SpamAssassin 4.0.1 gave, and the peer test
// asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = 'header NAME_ID eval:check_ratware_name_id()\nscore NAME_ID 1';
const fire = ruleFirer(RULES);
const CAPS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZAB';
const mail = (from: string, messageId: string) =>
  Buffer.from(
    `From: ${from}\r\nTo: b@example.com\r\nSubject: offer\r\nDate: Thu, 1 Aug 2002 10:00:00 +0000\r\n${messageId}\r\n\r\nbody\r\n`,
    'latin1',
  );

/** Messages and whether SpamAssassin 4.0.1 fired the test on them. */
const CASES: [string, Uint8Array, boolean][] = [
  [
    'the fingerprint',
    mail('"Best Deals" <deals@example.net>', `Message-ID: <${CAPS}.deals@example.net>`),
    true,
  ],
  [
    'no space between the name and the address',
    mail('"Best Deals"<deals@example.net>', `Message-ID: <${CAPS}.deals@example.net>`),
    true,
  ],
  [
    'in X-Message-ID (the MESSAGEID pseudo-header)',
    mail('"Best Deals" <deals@example.net>', `X-Message-ID: <${CAPS}.deals@example.net>`),
    true,
  ],
  [
    'a lower-case letter among the 28',
    mail('"Best Deals" <deals@example.net>', `Message-ID: <${CAPS.slice(1)}c.deals@example.net>`),
    false,
  ],
  [
    '29 capitals',
    mail('"Best Deals" <deals@example.net>', `Message-ID: <Z${CAPS}.deals@example.net>`),
    false,
  ],
  [
    'a display name without quotes',
    mail('Best Deals <deals@example.net>', `Message-ID: <${CAPS}.deals@example.net>`),
    false,
  ],
  [
    'empty quotes',
    mail('"" <deals@example.net>', `Message-ID: <${CAPS}.deals@example.net>`),
    false,
  ],
  [
    'another address in From',
    mail('"Best Deals" <sales@example.net>', `Message-ID: <${CAPS}.deals@example.net>`),
    false,
  ],
  [
    'the address in other case',
    mail('"Best Deals" <Deals@example.net>', `Message-ID: <${CAPS}.deals@example.net>`),
    false,
  ],
  [
    'an empty first candidate, the second one matches',
    mail('"Best Deals" <deals@example.net>', `Message-ID: <${CAPS}.> <${CAPS}.deals@example.net>`),
    true,
  ],
  [
    'a candidate with no > runs to the next one',
    mail('"Best" <x <B@example.net>', `Message-ID: <${CAPS}.x <B@example.net>`),
    true,
  ],
  [
    'an octet A0 is not a space to Perl',
    mail('"Best Deals"\xa0<deals@example.net>', `Message-ID: <${CAPS}.deals@example.net>`),
    false,
  ],
];

describe('check_ratware_name_id', () => {
  for (const [name, bytes, expected] of CASES)
    it(`${expected ? 'fires' : 'does not fire'}: ${name}`, () => {
      expect(fire(bytes)).toEqual(expected ? ['NAME_ID'] : []);
    });

  it('reads a hostile Message-ID once: 20,000 candidates without a closing >', () => {
    const many = `<${CAPS}.x `.repeat(20_000);
    const quotes = '"a" '.repeat(20_000);
    expect(fire(mail(`${quotes}<x>`, `Message-ID: ${many}`))).toEqual([]);
    expect(fire(mail(`${quotes}<x>`, `Message-ID: ${many}<${CAPS}.x>`))).toEqual([]);
  });
});

describeWithPeer(debianSpamAssassin, 'check_ratware_name_id against spamassassin', () => {
  it('fires on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, bytes]) => bytes),
      RULES,
      /^NAME_ID$/,
    );
    for (const [index, [name, bytes]] of CASES.entries())
      expect([name, fire(bytes)]).toEqual([name, theirs[index]]);
  }, 180_000);
});
