// Differential test of vacation against Pigeonhole: the same script and message through Debian's
// `sieve-test -e` (which executes the result and logs the reply it would send, or why it
// discards it) and through runScript. Compared: whether a reply is sent, its threading and
// marking headers, its recipient; without -e, the period after the limits; and runtime errors.
// A fresh directory per case, so Pigeonhole's own response tracking never carries over.
import { parseHeaders } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { expect, it } from 'vitest';
import { compileSieve, runScript } from '../src/index.js';
import type { DifferentialCase } from './pigeonhole-cases.js';
import { SIEVE_TEST, sieveTestDirectory } from './pigeonhole-run.js';

const COMPARED = ['to', 'subject', 'in-reply-to', 'references', 'auto-submitted', 'precedence'];

interface Outcome {
  readonly status: 'sent' | 'not sent' | 'error';
  readonly headers?: Record<string, string[]>;
  readonly seconds?: number;
}

const crlf = (lines: readonly string[]) => lines.join('\r\n');
const MESSAGE = crlf([
  'From: Sender Name <sender@example.com>',
  'To: recipient@example.org',
  'Subject: Lunch?',
  'Message-ID: <lunch@example.com>',
  '',
  'Are you free?',
  '',
]);
const VACATION = 'require "vacation";\nvacation :days 3 "I am away.";\n';

const CASES: readonly DifferentialCase[] = [
  { name: 'a personal message is answered', script: VACATION, message: MESSAGE },
  {
    name: 'a reply to a reply threads on References',
    script: VACATION,
    message: `References: <a@example.com> <b@example.com>\r\n${MESSAGE}`,
  },
  { name: 'List-Id', script: VACATION, message: `List-Id: <x.example.com>\r\n${MESSAGE}` },
  { name: 'List-Post', script: VACATION, message: `List-Post: <mailto:x@y>\r\n${MESSAGE}` },
  {
    name: 'Auto-Submitted: auto-generated',
    script: VACATION,
    message: `Auto-Submitted: auto-generated\r\n${MESSAGE}`,
  },
  { name: 'Auto-Submitted: no', script: VACATION, message: `Auto-Submitted: no\r\n${MESSAGE}` },
  { name: 'Precedence: bulk', script: VACATION, message: `Precedence: bulk\r\n${MESSAGE}` },
  { name: 'Precedence: list', script: VACATION, message: `Precedence: list\r\n${MESSAGE}` },
  { name: 'MAILER-DAEMON', script: VACATION, message: MESSAGE, from: 'MAILER-DAEMON@example.com' },
  { name: 'owner-*', script: VACATION, message: MESSAGE, from: 'owner-list@example.com' },
  { name: '*-request', script: VACATION, message: MESSAGE, from: 'list-request@example.com' },
  { name: 'the null sender', script: VACATION, message: MESSAGE, from: '' },
  {
    name: 'not addressed to the user',
    script: VACATION,
    message: MESSAGE.replace('To: recipient@example.org', 'To: other@example.org'),
  },
  {
    name: 'addressed to one of :addresses',
    script: 'require "vacation";\nvacation :addresses "alias@example.org" "away";\n',
    message: MESSAGE.replace('To: recipient@example.org', 'Cc: alias@example.org'),
  },
  {
    name: ':subject with variables',
    script:
      'require ["vacation", "variables"];\nif header :matches "subject" "*" { vacation :subject "Re: ${1}" "away"; }\n',
    message: MESSAGE,
  },
  {
    name: ':days 0 is raised to a day',
    script: 'require "vacation";\nvacation :days 0 "x";\n',
    message: MESSAGE,
  },
  { name: ':days 400', script: 'require "vacation";\nvacation :days 400 "x";\n', message: MESSAGE },
  { name: 'no :days is 7 days', script: 'require "vacation";\nvacation "x";\n', message: MESSAGE },
  {
    name: ':seconds 1800 is raised to a day',
    script: 'require "vacation-seconds";\nvacation :seconds 1800 "x";\n',
    message: MESSAGE,
  },
  {
    name: 'two vacations',
    script: 'require "vacation";\nvacation "a";\nvacation "b";\n',
    message: MESSAGE,
  },
];

function headerMap(bytes: Uint8Array): Record<string, string[]> {
  const headers = parseHeaders(bytes);
  // The To field's address is compared: Pigeonhole quotes every display name, we keep the original.
  const value = (name: string) =>
    headers
      .getAll(name)
      .map((text) => (name === 'to' ? text.replace(/^.*<([^>]*)>.*$/, '$1') : text));
  return Object.fromEntries(COMPARED.map((name) => [name, value(name)]));
}

function ours(c: DifferentialCase, from: string, to: string): Outcome {
  const compiled = compileSieve(c.script);
  if (!compiled.script) return { status: 'error' };
  const run = runScript(compiled.script, {
    message: Buffer.from(c.message),
    envelope: { from, to },
  });
  if (run.status === 'error') return { status: 'error' };
  const action = run.actions.find((entry) => entry.type === 'vacation');
  if (action?.type !== 'vacation') return { status: 'not sent' };
  return action.reply
    ? { status: 'sent', headers: headerMap(action.reply.content), seconds: action.periodSeconds }
    : { status: 'not sent', seconds: action.periodSeconds };
}

describeWithPeer(SIEVE_TEST, "differential: vacation against Pigeonhole's sieve-test", () => {
  async function theirs(c: DifferentialCase, from: string, to: string): Promise<Outcome> {
    // Pigeonhole ships vacation-seconds disabled.
    const sieveTest = sieveTestDirectory({
      ...c,
      from,
      to,
      plugin: ['sieve_extensions = +vacation-seconds'],
    });
    try {
      const listed = await sieveTest.run();
      if (/failed to compile|final result: failed/.test(listed.stderr)) return { status: 'error' };
      const period = /=> seconds : (\d+)/.exec(listed.stdout)?.[1];
      const seconds = period === undefined ? {} : { seconds: Number(period) };
      const executed = await sieveTest.run(['-e', '-t', '-']);
      if (/final result: failed/.test(executed.stderr)) return { status: 'error' };
      // The log says a reply goes out; the trace on stdout holds the reply itself.
      const reply = /^(X-Sieve: [\s\S]*?)\r?\n\r?\n/m.exec(executed.stdout);
      if (!/sending message from <>/.test(executed.stderr) || !reply)
        return { status: 'not sent', ...seconds };
      return {
        status: 'sent',
        headers: headerMap(Buffer.from(`${reply[1]}\r\n\r\n`)),
        ...seconds,
      };
    } finally {
      sieveTest.remove();
    }
  }

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const from = c.from ?? 'sender@example.com';
    const to = c.to ?? 'recipient@example.org';
    const expected = await theirs(c, from, to);
    const actual = ours(c, from, to);
    // sieve-test lists no period for a null sender: there is nothing to compare it with.
    if (expected.seconds === undefined) delete (actual as { seconds?: number }).seconds;
    expect(actual).toEqual(expected);
  });
});
