import { describe, expect, it } from 'vitest';
import { parseHeaders } from '@mailyard/mime';
import {
  type SieveEnvelope,
  type SieveHost,
  type VacationAction,
  compileSieve,
  runScript,
} from '../src/index.js';
import { type Rule, rulesToSieve } from '../src/index.js';
import { bytes, compileErrors } from './helpers.js';

const MESSAGE = [
  'From: Sender Name <sender@example.com>',
  'To: recipient@example.org',
  'Subject: Lunch on Friday?',
  'Message-ID: <original@example.com>',
  'References: <older@example.com>',
  'Date: Tue, 1 Apr 1997 09:06:31 -0800',
  '',
  'Are you free?',
  '',
].join('\r\n');

const ENVELOPE: SieveEnvelope = { from: 'sender@example.com', to: 'recipient@example.org' };
const NOW = new Date('2026-12-05T12:00:00Z');

function vacationRun(
  script: string,
  options: {
    message?: string;
    envelope?: SieveEnvelope;
    host?: SieveHost;
    limits?: Parameters<typeof runScript>[2] extends infer O
      ? O extends { limits?: infer L }
        ? L
        : never
      : never;
  } = {},
) {
  const compiled = compileSieve(script);
  if (!compiled.script) throw new Error(compiled.errors.map((e) => e.message).join('; '));
  return runScript(
    compiled.script,
    { message: bytes(options.message ?? MESSAGE), envelope: options.envelope ?? ENVELOPE },
    {
      host: { now: () => NOW, ...options.host },
      ...(options.limits ? { limits: options.limits } : {}),
    },
  );
}

function vacationOf(script: string, options: Parameters<typeof vacationRun>[1] = {}) {
  const run = vacationRun(script, options);
  expect(run.status, run.error?.message).toBe('completed');
  const found = run.actions.filter((action) => action.type === 'vacation');
  expect(found).toHaveLength(1);
  return found[0] as VacationAction;
}

function replyText(action: VacationAction): string {
  expect(action.suppressed).toBeNull();
  return new TextDecoder().decode(action.reply!.content);
}

function replyHeaders(action: VacationAction) {
  return parseHeaders(action.reply!.content);
}

describe('vacation (RFC 5230)', () => {
  it('answers the envelope sender from <>, marked auto-replied, threaded, Auto: subject', () => {
    const action = vacationOf('require "vacation";\r\nvacation "I am away.";\r\n');
    expect(action.reply).toMatchObject({ from: '', to: 'sender@example.com' });
    const headers = replyHeaders(action);
    expect(headers.getAll('auto-submitted')).toEqual(['auto-replied (vacation)']);
    expect(headers.getAll('in-reply-to')).toEqual(['<original@example.com>']);
    expect(headers.getAll('references')).toEqual(['<older@example.com> <original@example.com>']);
    expect(headers.getAll('subject')).toEqual(['Auto: Lunch on Friday?']);
    expect(headers.getAll('to')).toEqual(['Sender Name <sender@example.com>']);
    expect(headers.getAll('from')).toEqual(['recipient@example.org']);
    expect(headers.getAll('date')).toEqual(['Sat, 05 Dec 2026 12:00:00 +0000']);
    expect(replyText(action)).toMatch(/\r\n\r\nI am away\.\r\n$/);
    expect(action.tracking).toEqual({
      sender: 'sender@example.com',
      handle: action.handle,
      periodSeconds: 604_800,
    });
    // vacation leaves the implicit keep in force (RFC 5230 4.7).
    expect(vacationRun('require "vacation";\r\nvacation "x";\r\n').implicitKeep).toBe(true);
  });

  it('runs the examples of RFC 5230 section 4', () => {
    const cyrus =
      'require "vacation";\r\nif header :contains "subject" "cyrus" {\r\n' +
      '    vacation "I\'m out -- send mail to cyrus-bugs";\r\n} else {\r\n' +
      '    vacation "I\'m out -- call me at +1 304 555 0123";\r\n}\r\n';
    expect(vacationOf(cyrus).reason).toBe("I'm out -- call me at +1 304 555 0123");

    const subject =
      'require ["vacation", "variables"];\r\nif header :matches "subject" "*" {\r\n' +
      '    vacation :subject "Automatic response to: ${1}"\r\n             "I\'m away";\r\n}\r\n';
    expect(replyHeaders(vacationOf(subject)).getAll('subject')).toEqual([
      'Automatic response to: Lunch on Friday?',
    ]);

    const days =
      'require "vacation";\r\nvacation :days 23 :addresses ["tjs@example.edu",\r\n' +
      '                                    "ts4z@landru.example.edu"]\r\n' +
      '   "I\'m away until October 19.  If it\'s an emergency, call 911, I guess." ;\r\n';
    const toTjs = MESSAGE.replace('To: recipient@example.org', 'To: ts4z@landru.example.edu');
    const tjs = vacationOf(days, { message: toTjs });
    expect(tjs.periodSeconds).toBe(23 * 86_400);
    expect(replyHeaders(tjs).getAll('from')).toEqual(['ts4z@landru.example.edu']);

    const boss =
      'require "vacation";\r\nif header :contains "from" "boss@example.edu" {\r\n' +
      '    redirect "pleeb@isp.example.org";\r\n} else {\r\n' +
      '    vacation "Sorry, I\'m away, I\'ll read your message later.";\r\n}\r\n';
    expect(vacationOf(boss).suppressed).toBeNull();

    const handle =
      'require "vacation";\r\nif header :contains "subject" "lunch" {\r\n' +
      '    vacation :handle "ran-away" "I\'m out and can\'t meet for lunch";\r\n} else {\r\n' +
      '    vacation :handle "ran-away" "I\'m out";\r\n}\r\n';
    const lunch = vacationOf(handle);
    expect(lunch).toMatchObject({ handle: 'ran-away', reason: "I'm out and can't meet for lunch" });
  });

  it('sends a :mime reason as the MIME entity it is (RFC 5230 4.4 example)', () => {
    const script = [
      'require "vacation";',
      'vacation :mime text:',
      'Content-Type: multipart/alternative; boundary=foo',
      '',
      '--foo',
      '',
      "I'm at the beach relaxing.  Mmmm, surf...",
      '',
      '--foo',
      'Content-Type: text/html; charset=us-ascii',
      '',
      '<HTML><BODY><P>I\'m at the <A HREF="beach.gif">beach</A> relaxing.</BODY></HTML>',
      '',
      '--foo--',
      '.',
      ';',
      '',
    ].join('\r\n');
    const action = vacationOf(script);
    expect(action.mime).toBe(true);
    const text = replyText(action);
    expect(text).toContain(
      'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=foo\r\n\r\n--foo\r\n',
    );
    expect(text).not.toContain('text/plain');
  });

  it('encodes a non-ASCII subject and body', () => {
    const action = vacationOf(
      'require "vacation";\r\nvacation :subject "Abwesend: Grüße" "Bin weg, Grüße";\r\n',
    );
    const text = replyText(action);
    expect(text).toContain('Subject: Abwesend: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n');
    expect(text).toContain('References: <older@example.com> <original@example.com>\r\n');
    expect(text).toContain('Content-Transfer-Encoding: base64');
    expect(text).toContain(Buffer.from('Bin weg, Grüße').toString('base64'));
  });

  it('uses a :from given, and "Automated reply" when the message has no subject', () => {
    const noSubject = MESSAGE.replace('Subject: Lunch on Friday?\r\n', '');
    const action = vacationOf(
      'require "vacation";\r\nvacation :from "Me Myself <me@example.org>" "away";\r\n',
      { message: noSubject },
    );
    const headers = replyHeaders(action);
    expect(headers.getAll('from')).toEqual(['Me Myself <me@example.org>']);
    expect(headers.getAll('subject')).toEqual(['Automated reply']);
  });

  it('refuses an invalid :from or :addresses at compile time', () => {
    expect(
      compileErrors('require "vacation";\r\nvacation :from "not an address" "x";\r\n'),
    ).toEqual(["2:16: the :from value 'not an address' is not a valid address"]);
    expect(compileErrors('require "vacation";\r\nvacation :addresses ["@@"] "x";\r\n')).toEqual([
      "2:22: the :addresses value '@@' is not an address",
    ]);
    expect(compileErrors('vacation "x";\r\n')[0]).toContain('vacation');
    expect(compileErrors('require "vacation";\r\nvacation :days 1 :seconds 5 "x";\r\n')[0]).toMatch(
      /seconds/,
    );
  });

  const suppressedCases: [string, Partial<{ message: string; envelope: SieveEnvelope }>, RegExp][] =
    [
      ['the null sender', { envelope: { ...ENVELOPE, from: '' } }, /null/],
      [
        'Auto-Submitted: auto-generated',
        { message: `Auto-Submitted: auto-generated\r\n${MESSAGE}` },
        /Auto-Submitted/,
      ],
      ['List-Id', { message: `List-Id: <list.example.com>\r\n${MESSAGE}` }, /list/],
      ['List-Unsubscribe', { message: `List-Unsubscribe: <mailto:u@x>\r\n${MESSAGE}` }, /list/],
      ['Precedence: bulk', { message: `Precedence: bulk\r\n${MESSAGE}` }, /Precedence/],
      ['Precedence: junk', { message: `Precedence: junk\r\n${MESSAGE}` }, /Precedence/],
      ['MAILER-DAEMON', { envelope: { ...ENVELOPE, from: 'MAILER-DAEMON@example.com' } }, /system/],
      ['owner-*', { envelope: { ...ENVELOPE, from: 'owner-list@example.com' } }, /system/],
      ['*-request', { envelope: { ...ENVELOPE, from: 'list-request@example.com' } }, /system/],
      [
        '*-bounce (Kerio lists)',
        { envelope: { ...ENVELOPE, from: 'discussion-bounce@company.com' } },
        /system/,
      ],
      ['the user', { envelope: { ...ENVELOPE, from: 'recipient@example.org' } }, /from the user/],
      [
        'mail not addressed to the user',
        { message: MESSAGE.replace('To: recipient@example.org', 'To: someone@example.net') },
        /no address of the user/,
      ],
    ];
  it.each(suppressedCases)('does not answer %s (RFC 5230 4.5, 4.6)', (_name, input, reason) => {
    const action = vacationOf('require "vacation";\r\nvacation "away";\r\n', input);
    expect(action.reply).toBeNull();
    expect(action.tracking).toBeNull();
    expect(action.suppressed).toMatch(reason);
  });

  it('answers Auto-Submitted: no, and mail to the user in Cc, Bcc or Resent-To', () => {
    const script = 'require "vacation";\r\nvacation "away";\r\n';
    expect(
      vacationOf(script, { message: `Auto-Submitted: no\r\n${MESSAGE}` }).suppressed,
    ).toBeNull();
    for (const header of ['Cc', 'Bcc', 'Resent-To', 'Resent-Cc', 'Resent-Bcc']) {
      const message = MESSAGE.replace(
        'To: recipient@example.org',
        `To: x@example.net\r\n${header}: Recipient <RECIPIENT@example.org>`,
      );
      expect(vacationOf(script, { message }).suppressed, header).toBeNull();
    }
    // The host's own list of the user's addresses (aliases) counts as well (RFC 5230 4.5, 1).
    const toAlias = MESSAGE.replace('To: recipient@example.org', 'To: alias@example.org');
    expect(vacationOf(script, { message: toAlias }).suppressed).not.toBeNull();
    const aliased = vacationOf(script, {
      message: toAlias,
      host: { userAddresses: () => ['alias@example.org'] },
    });
    expect(replyHeaders(aliased).getAll('from')).toEqual(['alias@example.org']);
  });

  it('asks the host whether it replied to this sender with this handle within the period', () => {
    const asked: [string, string, number][] = [];
    const replied = new Set<string>();
    const host: SieveHost = {
      vacationReplied(sender, handle, seconds) {
        asked.push([sender, handle, seconds]);
        return replied.has(`${sender}\0${handle}`);
      },
    };
    const script = 'require "vacation";\r\nvacation :days 3 :handle "h1" "away";\r\n';
    const envelope = { ...ENVELOPE, from: 'Sender@Example.com' };
    const first = vacationOf(script, { host, envelope });
    expect(first.tracking).toEqual({
      sender: 'sender@example.com',
      handle: 'h1',
      periodSeconds: 259_200,
    });
    replied.add(`${first.tracking!.sender}\0${first.tracking!.handle}`);
    const second = vacationOf(script, { host, envelope });
    expect(second.reply).toBeNull();
    expect(second.suppressed).toMatch(/within 259200 seconds/);
    expect(asked).toEqual([
      ['sender@example.com', 'h1', 259_200],
      ['sender@example.com', 'h1', 259_200],
    ]);
    // Another text is another default handle: the window starts again (rules.md 2.3).
    const a = vacationOf('require "vacation";\r\nvacation "one text";\r\n');
    const b = vacationOf('require "vacation";\r\nvacation "another text";\r\n');
    expect(a.handle).not.toBe(b.handle);
    expect(vacationOf('require "vacation";\r\nvacation "one text";\r\n').handle).toBe(a.handle);
  });

  it('makes a second vacation a runtime error (RFC 5230 4.7), and reject conflicts with it', () => {
    const twice = vacationRun('require "vacation";\r\nvacation "a";\r\nvacation "b";\r\n');
    expect(twice.status).toBe('error');
    expect(twice.error).toMatchObject({
      line: 3,
      message: expect.stringMatching(/more than once/),
    });
    const rejected = vacationRun(
      'require ["vacation", "reject"];\r\nvacation "a";\r\nreject "no";\r\n',
    );
    expect(rejected.status).toBe('error');
    expect(rejected.error?.message).toMatch(/conflicts with the vacation action/);
  });

  it('holds :days to the minimum and maximum period limits', () => {
    const days = (n: number, limits?: Record<string, number>) =>
      vacationOf(`require "vacation";\r\nvacation :days ${n} "away";\r\n`, limits ? { limits } : {})
        .periodSeconds;
    expect(days(0)).toBe(86_400);
    expect(days(400)).toBe(400 * 86_400);
    expect(days(400, { vacationMaxPeriod: 30 * 86_400 })).toBe(30 * 86_400);
    expect(days(1, { vacationMinPeriod: 2 * 86_400 })).toBe(2 * 86_400);
    expect(
      vacationOf('require "vacation";\r\nvacation "away";\r\n', {
        limits: { vacationDefaultPeriod: 3600 },
      }).periodSeconds,
    ).toBe(86_400);
    expect(
      vacationOf('require "vacation";\r\nvacation "away";\r\n', {
        limits: { vacationDefaultPeriod: 3600, vacationMinPeriod: 60 },
      }).periodSeconds,
    ).toBe(3600);
  });
});

describe('vacation-seconds (RFC 6131)', () => {
  it('runs the example of RFC 6131 section 2 (with a minimum period that allows it)', () => {
    const script =
      'require "vacation-seconds";\r\n' +
      'vacation :addresses ["tjs@example.edu", "ts4z@landru.example.edu"]\r\n' +
      '   :seconds 1800\r\n   "I am in a meeting, and do not have access to email.";\r\n';
    const message = MESSAGE.replace('To: recipient@example.org', 'To: tjs@example.edu');
    expect(vacationOf(script, { message, limits: { vacationMinPeriod: 60 } }).periodSeconds).toBe(
      1800,
    );
    // The default minimum of one day raises it.
    expect(vacationOf(script, { message }).periodSeconds).toBe(86_400);
  });

  it('answers every message with :seconds 0 when the minimum allows 0 (no tracking asked)', () => {
    let asked = 0;
    const action = vacationOf('require "vacation-seconds";\r\nvacation :seconds 0 "x";\r\n', {
      limits: { vacationMinPeriod: 0 },
      host: { vacationReplied: () => (asked++, true) },
    });
    expect(action.suppressed).toBeNull();
    expect(asked).toBe(0);
  });

  it('needs vacation-seconds for :seconds', () => {
    expect(compileErrors('require "vacation";\r\nvacation :seconds 60 "x";\r\n')[0]).toBe(
      "2:10: the :seconds tag of the vacation command needs the 'vacation-seconds' extension: add it to require",
    );
  });
});

describe("Kerio's out of office through our interpreter (rules.md items 25-28)", () => {
  const outOfOffice: Rule = {
    kind: 'out-of-office',
    enabled: true,
    text: 'I am away.',
    addresses: ['recipient@example.org', 'alias@example.org'],
  };
  const ruleReply: Rule = {
    kind: 'user',
    name: 'auto',
    enabled: true,
    operator: 'and',
    conditions: [{ kind: 'all-messages' }],
    actions: { autoreply: 'Rule reply.' },
  };
  const replies = (rules: Rule[], options: Parameters<typeof vacationRun>[1] = {}) => {
    const run = vacationRun(rulesToSieve({ rules }), options);
    expect(run.status, run.error?.message).toBe('completed');
    return run.actions.flatMap((action) =>
      action.type === 'vacation' && action.reply ? [action.reason] : [],
    );
  };

  it('item 25: one reply, and none to the same sender within 7 days', () => {
    const replied = new Set<string>();
    const host: SieveHost = {
      vacationReplied: (sender, handle) => replied.has(`${sender}\0${handle}`),
    };
    const run = vacationRun(rulesToSieve({ rules: [outOfOffice] }), { host });
    const action = run.actions.find((entry) => entry.type === 'vacation') as VacationAction;
    expect(action.reason).toBe('I am away.');
    expect(action.periodSeconds).toBe(7 * 86_400);
    replied.add(`${action.tracking!.sender}\0${action.tracking!.handle}`);
    expect(replies([outOfOffice], { host })).toEqual([]);
  });

  it('item 26: no reply to lists, bulk, auto-generated, <> or a -bounce sender', () => {
    for (const head of ['List-Id: <l.x>', 'Precedence: bulk', 'Auto-Submitted: auto-generated'])
      expect(replies([outOfOffice], { message: `${head}\r\n${MESSAGE}` }), head).toEqual([]);
    expect(replies([outOfOffice], { envelope: { ...ENVELOPE, from: '' } })).toEqual([]);
    const bounce = { ...ENVELOPE, from: 'discussion-bounce@company.com' };
    expect(replies([outOfOffice], { envelope: bounce })).toEqual([]);
  });

  it('item 27: with a rule that also replies, exactly one reply, the out-of-office text', () => {
    expect(replies([outOfOffice, ruleReply])).toEqual(['I am away.']);
    expect(replies([{ ...outOfOffice, enabled: false }, ruleReply])).toEqual(['Rule reply.']);
  });

  it('item 28: mail to an alias is answered, mail not to the user is not', () => {
    const toAlias = MESSAGE.replace('To: recipient@example.org', 'To: alias@example.org');
    expect(replies([outOfOffice], { message: toAlias })).toEqual(['I am away.']);
    const toOther = MESSAGE.replace('To: recipient@example.org', 'To: other@example.org');
    expect(replies([outOfOffice], { message: toOther })).toEqual([]);
  });
});

describe('the reply', () => {
  it('has a Message-ID of its own for each user answering one message at the same moment', () => {
    const script = 'require "vacation";\r\nvacation "away";\r\n';
    const message = MESSAGE.replace(
      'To: recipient@example.org',
      'To: a@example.org, b@example.org',
    );
    const id = (to: string) =>
      replyHeaders(vacationOf(script, { message, envelope: { ...ENVELOPE, to } })).getAll(
        'message-id',
      );
    expect(id('a@example.org')).not.toEqual(id('b@example.org'));
    expect(id('a@example.org')[0]).toMatch(/^<vacation\.[0-9a-f]{32}@example\.org>$/);
  });
});
