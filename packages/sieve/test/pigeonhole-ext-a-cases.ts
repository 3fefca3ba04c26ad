// Differential cases for the extensions of batch A (copy, mailbox, subaddress, imap4flags, ...),
// run by test/pigeonhole.test.ts beside the core's own cases. vacation has its own differential
// (test/pigeonhole-vacation.test.ts): sieve-test must execute the result to show a reply.
// duplicate has none: sieve-test, without a user's duplicate database, fails every script that
// uses it ("final result: failed").
import type { DifferentialCase } from './pigeonhole-cases.js';

const crlf = (lines: readonly string[]) => lines.join('\r\n');

const MESSAGE = crlf([
  'From: Joe <joe+lists@example.com>',
  'To: Ken <ken+orders@example.org>',
  'Subject: An order',
  'Date: Fri, 4 Dec 2026 10:00:00 +0100',
  '',
  'Please send three anvils.',
  '',
]);

export const EXT_A_CASES: readonly DifferentialCase[] = [
  {
    name: 'copy: fileinto :copy keeps',
    script: 'require ["copy", "fileinto"];\nfileinto :copy "INBOX";\nfileinto :copy "Orders";\n',
    message: MESSAGE,
  },
  {
    name: 'copy: redirect :copy keeps',
    script: 'require "copy";\nredirect :copy "archive@example.net";\n',
    message: MESSAGE,
  },
  {
    name: 'imap4flags: hasflag after setflag/addflag/removeflag',
    script:
      'require ["imap4flags", "fileinto"];\nsetflag "\\\\Seen A";\naddflag "b a";\nremoveflag "\\\\seen";\n' +
      'if hasflag :is "B" { fileinto "HasB"; }\nif hasflag "\\\\Seen" { fileinto "Seen"; }\n',
    message: MESSAGE,
  },
  {
    name: 'imap4flags: hasflag on variables',
    script:
      'require ["imap4flags", "fileinto", "variables"];\nset "v" "x y";\naddflag "v" "z";\n' +
      'if hasflag :contains ["v", "w"] "z" { fileinto "Z"; }\nif hasflag :is "v" "x y" { fileinto "XY"; }\n',
    message: MESSAGE,
  },
  {
    name: 'mailbox: mailboxexists INBOX, and a missing one',
    script:
      'require ["mailbox", "fileinto"];\nif mailboxexists "INBOX" { fileinto "Yes"; }\n' +
      'if mailboxexists ["INBOX", "Nowhere"] { fileinto "No"; }\n',
    message: MESSAGE,
  },
  {
    name: 'mailbox: fileinto :create',
    script: 'require ["mailbox", "fileinto"];\nfileinto :create "Created";\n',
    message: MESSAGE,
  },
  {
    name: 'subaddress: :user and :detail of headers and the envelope',
    script:
      'require ["subaddress", "envelope", "fileinto"];\n' +
      'if address :detail "from" "lists" { fileinto "Lists"; }\n' +
      'if address :user "to" "ken" { fileinto "Ken"; }\n' +
      'if envelope :detail "to" "orders" { fileinto "Orders"; }\n' +
      'if envelope :detail "from" "*" { fileinto "NoDetail"; }\n',
    message: MESSAGE,
    to: 'ken+orders@example.org',
    from: 'joe@example.com',
  },
  {
    name: 'ihave: known and unknown capabilities',
    script:
      'require ["ihave", "fileinto"];\nif ihave "fileinto" { fileinto "Yes"; }\n' +
      'if ihave ["fileinto", "vnd.frobnicate"] { fileinto "No"; }\n',
    message: MESSAGE,
  },
  {
    name: 'ihave: error ends the run',
    script: 'require "ihave";\nif not ihave "vnd.frobnicate" { error "no frobnicate here"; }\n',
    message: MESSAGE,
  },
  {
    name: 'body: :text, :raw, :content',
    script:
      'require ["body", "fileinto"];\n' +
      'if body :text :contains "anvils" { fileinto "Text"; }\n' +
      'if body :raw :contains "three" { fileinto "Raw"; }\n' +
      'if body :content "text/plain" :contains "anvils" { fileinto "Plain"; }\n' +
      'if body :content "image" :contains "" { fileinto "Image"; }\n',
    message: MESSAGE,
  },
  {
    name: 'date: parts of the Date header, in its zone and in UTC',
    script:
      'require ["date", "relational", "fileinto"];\n' +
      'if date :originalzone "date" "date" "2026-12-04" { fileinto "Day"; }\n' +
      'if date :zone "+0000" "date" "hour" "09" { fileinto "UtcHour"; }\n' +
      'if date :value "ge" :originalzone "date" "hour" "09" { fileinto "Morning"; }\n' +
      'if date :zone "+0000" "date" "weekday" "5" { fileinto "Friday"; }\n' +
      'if date :originalzone "date" "std11" "Fri, 04 Dec 2026 10:00:00 +0100" { fileinto "Std11"; }\n' +
      'if date :originalzone "date" "julian" "61378" { fileinto "Julian"; }\n',
    message: MESSAGE,
  },
  {
    name: 'index: header :index and :last',
    script:
      'require ["index", "fileinto"];\n' +
      'if header :index 2 :contains "received" "two" { fileinto "Two"; }\n' +
      'if header :index 1 :last :contains "received" "two" { fileinto "Last"; }\n' +
      'if header :index 3 :contains "received" "" { fileinto "Three"; }\n',
    message: `Received: from one by x\r\nReceived: from two by y\r\n${MESSAGE}`,
  },
  {
    name: 'ihave: a guarded block uses what it names, and an unknown one is skipped',
    script:
      'require "ihave";\nif ihave "fileinto" { fileinto "Guarded"; }\n' +
      'if ihave "x-frobnicate" { frobnicate :loudly "now"; }\n',
    message: MESSAGE,
  },
];
