import { PostfixSmtpd, describeWithPostfix } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SmtpServer, createSmtpServer } from '../../src/node/smtp-server.js';
import type { SessionLimits } from '../../src/session/session-limits.js';
import { type ReplySummary, type ScriptStep, playScript } from './scripted-smtp-client.js';

/**
 * The same scripted sessions against our server and a real Postfix smtpd, comparing reply codes
 * and enhanced codes (never texts). Where the two differ on purpose, the scenario pins what each
 * side answers and why; docs/smtp.md ("Differences from Postfix") explains each difference.
 */
interface Scenario {
  readonly name: string;
  readonly steps: readonly ScriptStep[];
  /** The Postfix listener to compare with (and `limits` pairs with our server of small limits). */
  readonly peer?: Peer;
  /** A deliberate difference: what each side answers. */
  readonly differs?: { readonly postfix: ReplySummary[]; readonly ours: ReplySummary[] };
}

type Peer = 'default' | 'strict' | 'reject-bare-lf' | 'limits';

const EHLO = 'EHLO client.example';
const MAIL = 'MAIL FROM:<alice@client.example>';
const RCPT = 'RCPT TO:<bob@example.com>';
const transaction = [EHLO, MAIL, RCPT];
const data = (text: string): ScriptStep => ({ send: text, replies: 1 });
const label63 = 'b'.repeat(63);

const scenarios: Scenario[] = [
  // Command case
  {
    name: 'verbs and keywords in lower case',
    steps: [
      'ehlo client.example',
      'mail from:<a@client.example>',
      'rcpt to:<bob@example.com>',
      'data',
      data('x\r\n.\r\n'),
      'quit',
    ],
  },
  {
    name: 'verbs in mixed case',
    steps: [
      'EhLo client.example',
      'MaIl FrOm:<a@client.example>',
      'RcPt To:<bob@example.com>',
      'DaTa',
      data('x\r\n.\r\n'),
      'QuIt',
    ],
  },

  // Missing and extra arguments
  { name: 'HELO and EHLO without a name', steps: ['HELO', 'EHLO', 'EHLO '] },
  {
    name: 'EHLO with two words',
    steps: ['EHLO client example'],
    differs: { postfix: ['250'], ours: ['501'] },
  },
  {
    name: 'HELO with a control character',
    steps: ['HELO client\x01.example'],
    differs: { postfix: ['250'], ours: ['501'] },
  },
  {
    name: 'arguments to DATA, RSET and STARTTLS, which take none; NOOP, which takes any',
    steps: [...transaction, 'DATA now', 'RSET now', 'STARTTLS now', 'NOOP now'],
  },
  {
    name: 'QUIT with an argument',
    steps: [EHLO, 'QUIT now'],
    differs: { postfix: ['250', '221 2.0.0'], ours: ['250', '501 5.5.4'] },
  },
  {
    name: 'VRFY with and without an argument',
    steps: [EHLO, 'VRFY', 'VRFY bob', 'VRFY <bob@example.com>'],
  },
  {
    name: 'EXPN',
    steps: [EHLO, 'EXPN staff'],
    differs: { postfix: ['250', '500 5.5.2'], ours: ['250', '502 5.5.1'] },
  },
  {
    name: 'HELP',
    steps: [EHLO, 'HELP', 'HELP MAIL'],
    differs: {
      postfix: ['250', '500 5.5.2', '500 5.5.2'],
      ours: ['250', '214 2.0.0', '214 2.0.0'],
    },
  },
  { name: 'an unknown command and an empty line', steps: [EHLO, 'XYZZY', ''] },
  {
    name: 'ETRN, with no ETRN hook',
    steps: [EHLO, 'ETRN example.com'],
    differs: { postfix: ['250', '459'], ours: ['250', '502 5.5.1'] },
  },
  {
    name: 'AUTH where none is offered',
    steps: [EHLO, 'AUTH PLAIN'],
    differs: { postfix: ['250', '503 5.5.1'], ours: ['250', '502 5.5.1'] },
  },
  { name: 'STARTTLS where it is not offered', steps: [EHLO, 'STARTTLS'] },

  // MAIL and RCPT syntax
  {
    name: 'spaces after the colon',
    steps: [EHLO, 'MAIL FROM: <a@client.example>', 'RCPT TO:  <bob@example.com>'],
  },
  {
    name: 'paths without angle brackets, against Postfix in its RFC mode',
    peer: 'strict',
    steps: [EHLO, 'MAIL FROM:a@client.example', MAIL, 'RCPT TO:bob@example.com'],
  },
  {
    name: 'paths without angle brackets, against Postfix by default',
    steps: [EHLO, 'MAIL FROM:a@client.example', 'RCPT TO:bob@example.com'],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5'],
      ours: ['250', '501 5.1.7', '501 5.1.3'],
    },
  },
  { name: 'nothing after the colon', steps: [EHLO, 'MAIL FROM:', MAIL, 'RCPT TO:'] },
  {
    name: 'MAIL and RCPT without FROM: or TO:',
    steps: [
      EHLO,
      'MAIL',
      'MAIL FROM',
      'MAIL TO:<a@client.example>',
      MAIL,
      'RCPT',
      'RCPT TO <bob@example.com>',
    ],
  },
  { name: 'the null path in RCPT', steps: [...transaction, 'RCPT TO:<>'] },
  { name: 'the null sender', steps: [EHLO, 'MAIL FROM:<>', RCPT] },
  {
    name: 'source routes',
    steps: [
      EHLO,
      'MAIL FROM:<@relay.example:a@client.example>',
      'RCPT TO:<@r1.example,@r2.example:bob@example.com>',
    ],
  },
  {
    name: 'quoted local parts',
    steps: [
      EHLO,
      MAIL,
      'RCPT TO:<"bob smith"@example.com>',
      'RCPT TO:<"b\\"ob"@example.com>',
      'RCPT TO:<""@example.com>',
    ],
  },
  {
    name: 'an @ inside a quoted local part',
    steps: [EHLO, MAIL, 'RCPT TO:<"bob@elsewhere.example"@example.com>'],
    differs: {
      postfix: ['250', '250 2.1.0', '554 5.7.1'],
      ours: ['250', '250 2.1.0', '250 2.1.5'],
    },
  },
  {
    name: 'the percent hack and bang paths',
    steps: [
      EHLO,
      MAIL,
      'RCPT TO:<bob%elsewhere.example@example.com>',
      'RCPT TO:<elsewhere.example!bob@example.com>',
    ],
    differs: {
      postfix: ['250', '250 2.1.0', '554 5.7.1', '554 5.7.1'],
      ours: ['250', '250 2.1.0', '250 2.1.5', '250 2.1.5'],
    },
  },
  {
    name: 'address literals',
    steps: [
      EHLO,
      MAIL,
      'RCPT TO:<bob@[192.0.2.1]>',
      'RCPT TO:<bob@[192.000.002.001]>',
      'RCPT TO:<bob@[IPv6:2001:db8::1]>',
      'RCPT TO:<bob@[IPv6:1:2:3:4:5:6:7::]>',
      'RCPT TO:<bob@[tag:value]>',
      'RCPT TO:<bob@192.0.2.1>',
    ],
  },
  {
    name: 'a trailing dot in the domain',
    steps: [EHLO, MAIL, 'RCPT TO:<bob@example.com.>'],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5'],
      ours: ['250', '250 2.1.0', '501 5.1.3'],
    },
  },
  {
    name: 'two @',
    steps: [EHLO, MAIL, 'RCPT TO:<bob@elsewhere.example@example.com>'],
    differs: {
      postfix: ['250', '250 2.1.0', '554 5.7.1'],
      ours: ['250', '250 2.1.0', '501 5.1.3'],
    },
  },
  {
    name: 'a local part alone, and a domain alone',
    steps: [EHLO, MAIL, 'RCPT TO:<bob>', 'RCPT TO:<@example.com>'],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5', '250 2.1.5'],
      ours: ['250', '250 2.1.0', '501 5.1.3', '501 5.1.3'],
    },
  },
  {
    name: 'empty atoms in the local part',
    steps: [EHLO, MAIL, 'RCPT TO:<bob..smith@example.com>', 'RCPT TO:<.bob@example.com>'],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5', '250 2.1.5'],
      ours: ['250', '250 2.1.0', '501 5.1.3', '501 5.1.3'],
    },
  },
  {
    name: 'an underscore in the domain',
    steps: [EHLO, MAIL, 'RCPT TO:<bob@exa_mple.com>'],
    differs: {
      postfix: ['250', '250 2.1.0', '554 5.7.1'],
      ours: ['250', '250 2.1.0', '501 5.1.3'],
    },
  },
  {
    name: 'broken domains and brackets',
    steps: [
      EHLO,
      MAIL,
      'RCPT TO:<bob@-example.com>',
      'RCPT TO:<bob@>',
      'RCPT TO:<bob@example.com',
      'RCPT TO:<bob@example.com>x',
    ],
  },
  {
    name: 'Postmaster in its forms',
    steps: [
      EHLO,
      MAIL,
      'RCPT TO:<Postmaster>',
      'RCPT TO:<POSTMASTER>',
      'RCPT TO:<postmaster@example.com>',
      'RCPT TO:<bob@Example.COM>',
    ],
  },
  {
    name: 'a relay attempt',
    steps: [EHLO, MAIL, 'RCPT TO:<bob@elsewhere.example>', 'DATA'],
  },
  {
    name: 'non-ASCII addresses without SMTPUTF8',
    steps: [
      EHLO,
      'MAIL FROM:<jöran@client.example>',
      'MAIL FROM:<a@bücher.example>',
      MAIL,
      'RCPT TO:<jöran@example.com>',
      'RCPT TO:<bob@bücher.example>',
    ],
    differs: {
      postfix: ['250', '250 2.1.0', '503 5.5.1', '503 5.5.1', '250 2.1.5', '501 5.1.3'],
      ours: ['250', '550 5.6.7', '550 5.6.7', '250 2.1.0', '553 5.6.7', '553 5.6.7'],
    },
  },
  {
    name: 'non-ASCII addresses with SMTPUTF8',
    steps: [
      EHLO,
      'MAIL FROM:<jöran@bücher.example> SMTPUTF8',
      'RCPT TO:<jöran@example.com>',
      'RCPT TO:<😀@example.com>',
      'RCPT TO:<bob@bücher.example>',
      'RCPT TO:<bob@xn--bcher-kva.example>',
    ],
  },
  {
    name: 'bytes that are not UTF-8',
    steps: [
      EHLO,
      { send: Buffer.from('NOOP caf\xe9\r\n', 'latin1'), replies: 1 },
      {
        send: Buffer.from('MAIL FROM:<j\xf6ran@client.example> SMTPUTF8\r\n', 'latin1'),
        replies: 1,
      },
      { send: Buffer.from('HELO j\xf6ran.example\r\n', 'latin1'), replies: 1 },
    ],
  },
  {
    name: 'local parts and paths over the RFC 5321 minimums',
    steps: [
      EHLO,
      `MAIL FROM:<${'a'.repeat(65)}@client.example>`,
      `RCPT TO:<${'b'.repeat(200)}@example.com>`,
      `RCPT TO:<bob@${[label63, label63, label63].join('.')}.${'c'.repeat(61)}>`,
    ],
  },
  {
    name: 'domains longer than DNS allows',
    steps: [
      EHLO,
      MAIL,
      `RCPT TO:<bob@${'b'.repeat(64)}.example>`,
      `RCPT TO:<bob@${Array(5).fill(label63).join('.')}>`,
    ],
  },

  // Parameters
  {
    name: 'unknown parameters',
    steps: [
      EHLO,
      'MAIL FROM:<a@client.example> XYZ',
      'MAIL FROM:<a@client.example> XYZ=1',
      MAIL,
      'RCPT TO:<bob@example.com> FOO=bar',
      'RCPT TO:<bob@example.com> SIZE=10',
    ],
  },
  {
    name: 'parameters that are not keywords',
    steps: [EHLO, MAIL, 'RCPT TO:<bob@example.com> <x>', 'RCPT TO:<bob@example.com> =x'],
    differs: {
      postfix: ['250', '250 2.1.0', '555 5.5.4', '555 5.5.4'],
      ours: ['250', '250 2.1.0', '501 5.5.4', '501 5.5.4'],
    },
  },
  {
    name: 'a tab before the parameters',
    steps: [EHLO, 'MAIL FROM:<a@client.example>\tSIZE=10'],
    differs: { postfix: ['250', '250 2.1.0'], ours: ['250', '501 5.1.7'] },
  },
  {
    name: 'a parameter given twice',
    steps: [
      EHLO,
      'MAIL FROM:<a@client.example> SIZE=10 SIZE=10',
      'MAIL FROM:<a@client.example> BODY=8BITMIME BODY=7BIT',
    ],
    differs: {
      postfix: ['250', '250 2.1.0', '503 5.5.1'],
      ours: ['250', '501 5.5.4', '501 5.5.4'],
    },
  },
  {
    name: 'DSN parameters given twice',
    steps: [
      EHLO,
      'MAIL FROM:<a@client.example> RET=FULL RET=HDRS',
      MAIL,
      'RCPT TO:<bob@example.com> NOTIFY=SUCCESS NOTIFY=DELAY',
      'RCPT TO:<bob@example.com> ORCPT=rfc822;a ORCPT=rfc822;b',
    ],
  },
  {
    name: 'SIZE edge values',
    steps: [
      EHLO,
      'MAIL FROM:<a@client.example> SIZE=',
      'MAIL FROM:<a@client.example> SIZE=big',
      'MAIL FROM:<a@client.example> SIZE=10240001',
      `MAIL FROM:<a@client.example> SIZE=${'9'.repeat(20)}`,
      'MAIL FROM:<a@client.example> SIZE=0',
      'RSET',
      'MAIL FROM:<a@client.example> SIZE=10240000',
    ],
  },
  {
    name: 'SIZE without a value, and with 21 digits',
    steps: [
      EHLO,
      'MAIL FROM:<a@client.example> SIZE',
      `MAIL FROM:<a@client.example> SIZE=${'9'.repeat(21)}`,
    ],
    differs: {
      postfix: ['250', '555 5.5.4', '552 5.3.4'],
      ours: ['250', '501 5.5.4', '501 5.5.4'],
    },
  },
  {
    name: 'BODY values',
    steps: [
      EHLO,
      'MAIL FROM:<a@client.example> BODY=7BIT',
      'RSET',
      'MAIL FROM:<a@client.example> body=8bitmime',
      'RSET',
      'MAIL FROM:<a@client.example> BODY=9BIT',
    ],
  },
  {
    name: 'BODY with an empty value',
    steps: [EHLO, 'MAIL FROM:<a@client.example> BODY='],
    differs: { postfix: ['250', '555 5.5.4'], ours: ['250', '501 5.5.4'] },
  },
  {
    name: 'BODY=BINARYMIME (we offer BINARYMIME, Postfix does not)',
    steps: [EHLO, 'MAIL FROM:<a@client.example> BODY=BINARYMIME'],
    differs: { postfix: ['250', '555 5.5.4'], ours: ['250', '250 2.1.0'] },
  },
  {
    name: 'SMTPUTF8 with a value',
    steps: [EHLO, 'MAIL FROM:<a@client.example> SMTPUTF8=yes'],
    differs: { postfix: ['250', '555 5.5.4'], ours: ['250', '501 5.5.4'] },
  },
  {
    name: 'RET and ENVID',
    steps: [
      EHLO,
      'MAIL FROM:<a@client.example> RET=bogus',
      'MAIL FROM:<a@client.example> ENVID=+ZZ',
      'MAIL FROM:<a@client.example> ENVID=',
      'MAIL FROM:<a@client.example> ENVID=é',
      'MAIL FROM:<a@client.example> ENVID=a+0D+0Ab',
      'MAIL FROM:<a@client.example> RET=hdrs ENVID=QQ+2B1',
    ],
  },
  {
    name: 'NOTIFY and ORCPT',
    steps: [
      EHLO,
      MAIL,
      'RCPT TO:<bob@example.com> NOTIFY=NEVER',
      'RCPT TO:<bob@example.com> notify=success,delay',
      'RCPT TO:<bob@example.com> NOTIFY=SUCCESS,SUCCESS',
      'RCPT TO:<bob@example.com> NOTIFY=NEVER,SUCCESS',
      'RCPT TO:<bob@example.com> NOTIFY=BAD',
      'RCPT TO:<bob@example.com> NOTIFY=',
      'RCPT TO:<bob@example.com> ORCPT=rfc822;bob@example.com',
      'RCPT TO:<bob@example.com> ORCPT=rfc822;',
      'RCPT TO:<bob@example.com> ORCPT=bogus',
      'RCPT TO:<bob@example.com> ORCPT=;bob@example.com',
      'RCPT TO:<bob@example.com> ORCPT=rfc822;bob+ZZ@example.com',
    ],
  },
  {
    name: 'an ORCPT that stands for a line break',
    steps: [EHLO, MAIL, 'RCPT TO:<bob@example.com> ORCPT=rfc822;x+0D+0AX-Injected:+20yes'],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5'],
      ours: ['250', '250 2.1.0', '501 5.5.4'],
    },
  },
  {
    name: 'AUTH= from a client that did not authenticate',
    steps: [EHLO, 'MAIL FROM:<a@client.example> AUTH=<>', RCPT],
  },
  {
    name: 'REQUIRETLS in the clear',
    steps: [EHLO, 'MAIL FROM:<a@client.example> REQUIRETLS'],
    differs: { postfix: ['250', '555 5.5.4'], ours: ['250', '530 5.7.10'] },
  },
  {
    name: 'ESMTP parameters after HELO',
    steps: ['HELO client.example', 'MAIL FROM:<a@client.example> SIZE=100'],
    differs: { postfix: ['250', '250'], ours: ['250', '555'] },
  },

  // Commands out of order
  { name: 'RCPT before MAIL', steps: [EHLO, RCPT] },
  {
    name: 'DATA without MAIL, and without recipients',
    steps: [EHLO, 'DATA', MAIL, 'DATA', 'RCPT TO:<bob@elsewhere.example>', 'DATA'],
  },
  { name: 'MAIL twice', steps: [...transaction, MAIL] },
  {
    name: 'MAIL before EHLO',
    steps: [MAIL, RCPT],
    differs: { postfix: ['250', '250'], ours: ['503', '503'] },
  },
  { name: 'EHLO in a transaction starts over', steps: [EHLO, MAIL, EHLO, RCPT, MAIL] },
  { name: 'HELO in a transaction starts over', steps: [EHLO, MAIL, 'HELO client.example', RCPT] },
  { name: 'RSET, NOOP and VRFY before EHLO', steps: ['RSET', 'NOOP', 'VRFY bob'] },
  { name: 'RSET ends the transaction', steps: [...transaction, 'RSET', RCPT, 'DATA'] },
  {
    name: 'a second message needs a new MAIL',
    steps: [...transaction, 'DATA', data('x\r\n.\r\n'), 'DATA', RCPT, MAIL, RCPT],
  },

  // BDAT
  {
    name: 'BDAT chunks, LAST, and BDAT after the message',
    steps: [
      ...transaction,
      { send: 'BDAT 3\r\nabc', replies: 1 },
      'BDAT 0 LAST',
      { send: 'BDAT 1 LAST\r\nx', replies: 1 },
    ],
  },
  {
    name: 'DATA after BDAT',
    steps: [...transaction, { send: 'BDAT 3\r\nabc', replies: 1 }, 'DATA'],
  },
  {
    name: 'BDAT without recipients',
    steps: [EHLO, MAIL, { send: 'BDAT 3\r\nabc', replies: 1 }, 'NOOP'],
  },
  {
    name: 'MAIL and BDAT after a BDAT that failed',
    steps: [
      EHLO,
      { send: 'BDAT 3\r\nabc', replies: 1 },
      MAIL,
      { send: 'BDAT 3\r\nabc', replies: 1 },
    ],
    differs: {
      postfix: ['250', '503 5.5.1', '503 5.5.1', '551 5.0.0'],
      ours: ['250', '503 5.5.1', '250 2.1.0', '554 5.5.1'],
    },
  },
  {
    name: 'BDAT with a lower-case last',
    steps: [...transaction, { send: 'BDAT 3 last\r\nabc', replies: 1 }],
  },
  {
    name: 'BDAT sizes with leading zeros',
    steps: [
      ...transaction,
      { send: 'BDAT 0000000000000000000003 LAST\r\nabc', replies: 1 },
      'NOOP',
    ],
  },
  {
    name: 'BDAT without a size it can read',
    steps: [...transaction, { send: 'BDAT x\r\nMAIL FROM:<evil@client.example>\r\n', replies: 2 }],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5', '521 5.5.4', 'closed'],
      ours: ['250', '250 2.1.0', '250 2.1.5', '501 5.5.4', '421 4.5.0'],
    },
  },
  {
    name: 'BDAT over the message size, and a chunk pipelined behind it',
    peer: 'limits',
    steps: [
      ...transaction,
      { send: `BDAT 2000\r\n${'y'.repeat(2000)}BDAT 3 LAST\r\nabc`, replies: 2 },
      'NOOP',
    ],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5', '552 5.3.4', '551 5.0.0', '250 2.0.0'],
      ours: ['250', '250 2.1.0', '250 2.1.5', '552 5.3.4', '503 5.5.1', '250 2.0.0'],
    },
  },

  // Hostile input
  {
    name: 'a command line over 512 octets',
    steps: [EHLO, `NOOP ${'x'.repeat(600)}`, 'NOOP'],
    differs: {
      postfix: ['250', '250 2.0.0', '250 2.0.0'],
      ours: ['250', '500 5.5.6', '250 2.0.0'],
    },
  },
  {
    name: 'NUL bytes in commands',
    steps: [EHLO, 'NOOP \0', 'MAIL FROM:<a\0@client.example>'],
    differs: {
      postfix: ['250', '250 2.0.0', '501 5.1.7'],
      ours: ['250', '501 5.5.2', '501 5.5.2'],
    },
  },
  {
    name: 'commands ended by a bare LF',
    steps: [EHLO, { send: 'NOOP\n', replies: 1 }, { send: `${MAIL}\n`, replies: 1 }],
  },
  {
    name: 'commands ended by a bare LF, against Postfix refusing them',
    peer: 'reject-bare-lf',
    steps: [EHLO, { send: 'NOOP\n', replies: 1 }, 'NOOP'],
    differs: { postfix: ['250', '550 5.5.2', 'closed'], ours: ['250', '250 2.0.0', '250 2.0.0'] },
  },
  {
    name: 'a bare LF in the message, against Postfix refusing them',
    peer: 'reject-bare-lf',
    steps: [...transaction, 'DATA', data('a\nb\r\n.\r\n'), 'NOOP'],
  },
  {
    name: 'a bare LF in the message, against Postfix by default',
    steps: [...transaction, 'DATA', data('a\nb\r\n.\r\n'), 'NOOP'],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5', '354', '250 2.0.0', '250 2.0.0'],
      ours: ['250', '250 2.1.0', '250 2.1.5', '354', '550 5.5.2', '250 2.0.0'],
    },
  },
  {
    name: 'a bare CR in the message',
    peer: 'reject-bare-lf',
    steps: [...transaction, 'DATA', data('a\rb\r\n.\r\n'), 'NOOP'],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5', '354', '250 2.0.0', '250 2.0.0'],
      ours: ['250', '250 2.1.0', '250 2.1.5', '354', '550 5.5.2', '250 2.0.0'],
    },
  },
  {
    name: 'smuggling: <LF>.<LF> and <CR><LF>.<LF> never end the data',
    peer: 'reject-bare-lf',
    steps: [
      ...transaction,
      'DATA',
      data('x\n.\nMAIL FROM:<evil@client.example>\r\nRCPT TO:<bob@example.com>\r\n.\r\n'),
      MAIL,
      RCPT,
      'DATA',
      data('x\r\n.\nMAIL FROM:<evil@client.example>\r\n.\r\n'),
      'NOOP',
    ],
  },
  {
    name: 'lines over 1000 octets in the message',
    steps: [...transaction, 'DATA', data(`${'y'.repeat(1500)}\r\n.\r\n`)],
  },
  {
    name: 'a line over 64 KiB in the message',
    steps: [...transaction, 'DATA', data(`${'y'.repeat(70_000)}\r\n.\r\n`)],
    differs: {
      postfix: ['250', '250 2.1.0', '250 2.1.5', '354', '250 2.0.0'],
      ours: ['250', '250 2.1.0', '250 2.1.5', '354', '554 5.6.0'],
    },
  },

  // Pipelining
  {
    name: 'a pipelined transaction with a refused recipient',
    steps: [
      EHLO,
      { pipeline: [MAIL, RCPT, 'RCPT TO:<x@elsewhere.example>', 'DATA'] },
      { send: 'x\r\n.\r\nRSET\r\nNOOP\r\n', replies: 3 },
    ],
  },
  {
    name: 'QUIT inside a pipelined group',
    steps: [EHLO, { pipeline: [MAIL, RCPT, 'QUIT', 'NOOP'] }],
  },
  {
    name: 'message text pipelined behind a DATA that was refused',
    steps: [
      EHLO,
      {
        pipeline: [
          MAIL,
          'RCPT TO:<x@elsewhere.example>',
          'DATA',
          'Subject: hi',
          'RCPT TO:<bob@example.com>',
          '.',
        ],
      },
    ],
    differs: {
      postfix: ['250', '250 2.1.0', '554 5.7.1', '554 5.5.1', '221 2.7.0', 'closed'],
      ours: ['250', '250 2.1.0', '554 5.7.1', '554 5.5.1', '421 4.7.0', 'closed'],
    },
  },
  {
    name: 'an HTTP request',
    steps: [{ pipeline: ['GET / HTTP/1.1', 'Host: mx.example.com', ''] }],
    differs: { postfix: ['221', 'closed'], ours: ['421', 'closed'] },
  },

  // Limits
  {
    name: 'the recipient limit',
    peer: 'limits',
    steps: [
      EHLO,
      MAIL,
      RCPT,
      'RCPT TO:<carol@example.com>',
      'RCPT TO:<dave@example.com>',
      'DATA',
      data('x\r\n.\r\n'),
    ],
  },
  {
    name: 'the message size limit, declared and actual',
    peer: 'limits',
    // RSET, because Postfix keeps the SIZE of a refused MAIL for the next one.
    steps: [
      EHLO,
      'MAIL FROM:<a@client.example> SIZE=1001',
      'RSET',
      MAIL,
      RCPT,
      'DATA',
      data(`${'y'.repeat(900)}\r\n${'y'.repeat(900)}\r\n.\r\n`),
      'NOOP',
    ],
  },
];

/** The limits of Postfix's `limits` listener, and of our server paired with it. */
const SMALL_LIMITS: Partial<SessionLimits> = { recipients: 2, messageSize: 1000 };

describeWithPostfix('our SMTP server beside Postfix smtpd, reply for reply', () => {
  let postfix: PostfixSmtpd;
  const ours = new Map<'default' | 'limits', { server: SmtpServer; port: number }>();

  beforeAll(async () => {
    postfix = await PostfixSmtpd.start({
      // Postfix 3.9's default: lines may end in a bare LF, but only <CR><LF>.<CR><LF> ends DATA.
      settings: { smtpd_forbid_bare_newline: 'normalize' },
      listeners: {
        strict: { strict_rfc821_envelopes: 'yes' },
        'reject-bare-lf': { smtpd_forbid_bare_newline: 'reject' },
        limits: {
          smtpd_recipient_limit: String(SMALL_LIMITS.recipients),
          message_size_limit: String(SMALL_LIMITS.messageSize),
        },
      },
    });
    // Postfix's figures where they are limits of ours too; its error limits are off in the
    // sandbox, and so are ours, so that a script's deliberate errors do not end it early.
    const base: Partial<SessionLimits> = {
      messageSize: 10_240_000,
      recipients: 1000,
      failedCommands: 1000,
      commandsBeforeMail: 1000,
    };
    for (const [name, limits] of [
      ['default', base],
      ['limits', { ...base, ...SMALL_LIMITS }],
    ] as const) {
      const server = createSmtpServer({
        hostname: 'mx.example.com',
        listeners: [{ name: 'smtp', port: 0 }],
        limits,
        hooks: {
          // What Postfix's mydestination and reject_unauth_destination decide, as a hook.
          onRcptTo: async ({ address }) =>
            /@example\.com$/i.test(address) || address === 'postmaster'
              ? undefined
              : { code: 554, enhanced: '5.7.1', lines: [`<${address}>: Relay access denied`] },
          onMessage: async (_envelope, message) => {
            for await (const _ of message);
          },
        },
      });
      const [bound] = await server.listen();
      ours.set(name, { server, port: bound!.port });
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...ours.values()].map(({ server }) => server.close(100)));
    await postfix?.stop();
  }, 30_000);

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const peer = scenario.peer ?? 'default';
      const [theirs, mine] = await Promise.all([
        playScript(postfix.port(peer), scenario.steps),
        playScript(ours.get(peer === 'limits' ? 'limits' : 'default')!.port, scenario.steps),
      ]);
      if (scenario.differs) {
        expect({ postfix: theirs, ours: mine }).toEqual(scenario.differs);
      } else {
        expect(mine).toEqual(theirs);
      }
    });
  }
});
