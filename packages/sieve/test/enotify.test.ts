import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENOTIFY_OPTIONS,
  enotifyExtension,
  standardRegistry,
  type NotifyAction,
  type SieveAction,
  type SieveRunResult,
} from '../src/index.js';
import { compileErrors, runWith, summary } from './helpers.js';

const MESSAGE = [
  'From: "Big Boss" <boss@example.org>',
  'To: sievemailinglist@example.org',
  'Subject: =?utf-8?q?Quarterly_r=C3=A9sults?=',
  'Date: Tue, 1 Apr 1997 09:06:31 -0800',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary=b',
  '',
  '--b',
  'Content-Type: text/html',
  '',
  '<p>HTML</p>',
  '--b',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'The numbers are in: we did =C3=A9normously well this quarter, better than',
  'ever before.',
  '--b--',
  '',
].join('\r\n');

const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

const notifyRun = (script: string, message = MESSAGE, registry = standardRegistry) =>
  runWith(script, {
    message,
    envelope: { from: 'boss@example.org', to: 'alm@example.com' },
    host: { now: () => NOW },
    registry,
  });

function notifications(result: SieveRunResult): NotifyAction[] {
  return result.actions.filter((a: SieveAction): a is NotifyAction => a.type === 'notify');
}

function mailText(action: NotifyAction): string {
  return new TextDecoder().decode(action.mail.content);
}

describe('enotify (RFC 5435) with mailto (RFC 5436)', () => {
  it("runs RFC 5435's first example: importance 1, then stop", () => {
    const result = notifyRun(`require ["enotify", "fileinto", "variables"];
if header :contains "from" "boss@example.org" {
  notify :importance "1" :message "This is probably very important" "mailto:alm@example.com";
  stop;
}`);
    expect(summary(result.actions)).toEqual(['notify', 'implicit-keep']);
    const [notify] = notifications(result);
    expect(notify).toMatchObject({
      method: 'mailto:alm@example.com',
      importance: 1,
      text: 'This is probably very important',
      mail: { from: '', to: ['alm@example.com'] },
    });
    const text = mailText(notify!);
    expect(text).toBe(
      [
        'From: alm@example.com',
        'To: alm@example.com',
        'Subject: This is probably very important',
        'Date: Fri, 02 Jan 2026 03:04:05 +0000',
        `Message-ID: <sieve-notify.${NOW.getTime().toString(36)}.1@example.com>`,
        'Auto-Submitted: auto-notified; owner-email="alm@example.com"',
        'Importance: high',
        'X-Priority: 1 (Highest)',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'This is probably very important',
        '',
      ].join('\r\n'),
    );
  });

  it("runs RFC 5435's examples with variables in the message, and keeps with fileinto", () => {
    const result = notifyRun(`require ["enotify", "fileinto", "variables", "envelope"];
if header :contains "to" "sievemailinglist@example.org" {
  if header :matches "Subject" "*" { set "subject" "\${1}"; }
  if address :matches :all "from" "*" { set "from_addr" "\${1}"; }
  if envelope :all :matches "from" "*" { set "env_from" " [really: \${1}]"; }
  notify :importance "3" :message "[SIEVE] \${from_addr}\${env_from}: \${subject}" "mailto:alm@example.com";
  fileinto "INBOX.sieve";
}`);
    expect(summary(result.actions)).toEqual(['notify', 'fileinto:INBOX.sieve']);
    const [notify] = notifications(result);
    expect(notify!.text).toBe(
      '[SIEVE] boss@example.org [really: boss@example.org]: Quarterly résults'.replace(
        'résultats',
        'résults',
      ),
    );
    const text = mailText(notify!);
    expect(text).toContain('Importance: low\r\nX-Priority: 5 (Lowest)\r\n');
    // The non-ASCII subject is RFC 2047-encoded.
    expect(text).toMatch(/^Subject: =\?UTF-8\?B\?[^\r\n]+\?=\r\n/m);
  });

  it("expands Kerio's macros (rules.md 1.7) in :message", () => {
    const result = notifyRun(`require "enotify";
notify :message "$from$ ($from-name$): $subject$ - $text[19]$ | $text$ | $unknown$" "mailto:phone@sms.example.net";`);
    const [notify] = notifications(result);
    expect(notify!.text).toBe(
      'boss@example.org (Big Boss): Quarterly résults - The numbers are in: | ' +
        'The numbers are in: we did énormously well this quarter, better than ever before. | $unknown$',
    );
  });

  it('$text$ is the first 128 characters; $text[N]$ is capped at maxMacroText', () => {
    const long = `From: a@b.example\r\nSubject: s\r\n\r\n${'x'.repeat(10_000)}\r\n`;
    const result = notifyRun(
      'require "enotify";\nnotify :message "$text$" "mailto:p@example.net";',
      long,
    );
    expect(notifications(result)[0]!.text).toBe('x'.repeat(128));
    const capped = notifyRun(
      'require "enotify";\nnotify :message "$text[999999]$" "mailto:p@example.net";',
      long,
      standardRegistry.with(enotifyExtension({ maxMacroText: 50 })),
    );
    expect(notifications(capped)[0]!.text).toBe('x'.repeat(50));
  });

  it('reads the mailto URI: recipients, cc, bcc, subject and body; unsafe fields are ignored', () => {
    const result = notifyRun(`require "enotify";
notify :from "Sieve <sieve@example.com>" :message "m" "mailto:a@example.net,b@example.net?cc=c@example.net&bcc=d@example.net&subject=Hi%20there&body=Line%201&from=evil@example.net&auto-submitted=no";`);
    const [notify] = notifications(result);
    expect(notify!.mail.to).toEqual([
      'a@example.net',
      'b@example.net',
      'c@example.net',
      'd@example.net',
    ]);
    const text = mailText(notify!);
    expect(text).toContain(
      'From: Sieve <sieve@example.com>\r\nTo: a@example.net, b@example.net\r\nCc: c@example.net\r\nSubject: Hi there\r\n',
    );
    expect(text).toContain('\r\n\r\nLine 1\r\n');
    expect(text).not.toContain('evil');
    expect(text).not.toContain('d@example.net');
    expect(text.match(/Auto-Submitted/g)).toHaveLength(1);
  });

  it('sends nothing about a message that was itself sent automatically', () => {
    const auto = `Auto-Submitted: auto-replied\r\n${MESSAGE}`;
    const script = 'require "enotify";\nnotify "mailto:alm@example.com";';
    expect(summary(notifyRun(script, auto).actions)).toEqual(['implicit-keep']);
    const no = `Auto-Submitted: no\r\n${MESSAGE}`;
    expect(summary(notifyRun(script, no).actions)).toEqual(['notify', 'implicit-keep']);
  });

  it('sends one notification per URI (duplicates merged)', () => {
    const result = notifyRun(
      'require "enotify";\nnotify "mailto:alm@example.com";\nnotify :message "again" "mailto:alm@example.com";',
    );
    expect(summary(result.actions)).toEqual(['notify', 'implicit-keep']);
  });

  it('valid_notify_method and notify_method_capability', () => {
    const result = notifyRun(`require ["enotify", "fileinto"];
if valid_notify_method ["mailto:a@example.com", "mailto:b@example.com?subject=x"] { fileinto "valid"; }
if valid_notify_method ["mailto:a@example.com", "xmpp:tim@example.com"] { fileinto "xmpp"; }
if valid_notify_method "mailto:not-an-address" { fileinto "bad"; }
if notify_method_capability "mailto:a@example.com" "Online" "maybe" { fileinto "maybe"; }
if notify_method_capability :contains "mailto:a@example.com" "online" ["yes", "no"] { fileinto "yes"; }
if notify_method_capability "xmpp:tim@example.com" "online" "maybe" { fileinto "xmpp-maybe"; }`);
    expect(summary(result.actions)).toEqual(['fileinto:valid', 'fileinto:maybe']);
  });

  it(':encodeurl (RFC 5435 section 6) keeps a value from adding URI fields', () => {
    const result = notifyRun(`require ["enotify", "variables"];
set :encodeurl "body_param" "Safe body&evil=evilbody";
notify "mailto:tim@example.com?body=\${body_param}";`);
    const text = mailText(notifications(result)[0]!);
    expect(text).toContain('\r\n\r\nSafe body&evil=evilbody\r\n');
    const encoded = notifyRun(`require ["enotify", "variables", "fileinto"];
set :encodeurl "a" "ü !'()*~-._x";
fileinto "\${a}";`);
    expect(summary(encoded.actions)).toEqual(['fileinto:%C3%BC%20%21%27%28%29%2A~-._x']);
  });

  it('checks the method, :importance and :from at compile time, and at run time', () => {
    expect(compileErrors('require "enotify";\nnotify "xmpp:tim@example.com";')).toEqual([
      "2:8: notify: 'xmpp:tim@example.com' is not a mailto URI",
    ]);
    expect(compileErrors('require "enotify";\nnotify "mailto:?subject=x";')).toEqual([
      "2:8: notify: mailto URI 'mailto:?subject=x' names no recipient",
    ]);
    expect(
      compileErrors('require "enotify";\nnotify :importance "4" "mailto:a@example.com";'),
    ).toEqual(['2:20: notify: :importance must be "1", "2" or "3", not \'4\'']);
    expect(
      compileErrors('require "enotify";\nnotify :from "nobody" "mailto:a@example.com";'),
    ).toEqual(["2:14: notify: :from 'nobody' is not a valid address"]);
    const bad = notifyRun(
      'require ["enotify", "variables"];\nset "m" "mailto:%zz";\nnotify "${m}";',
    );
    expect(bad.status).toBe('error');
    expect(bad.error?.message).toBe("notify: invalid recipient in mailto URI 'mailto:%zz'");
  });

  it('limits notifications per run (maxNotifications, default 4) and recipients (maxRecipients, default 8)', () => {
    expect(DEFAULT_ENOTIFY_OPTIONS).toMatchObject({ maxNotifications: 4, maxRecipients: 8 });
    const many = (n: number) =>
      `require "enotify";\n${Array.from({ length: n }, (_, i) => `notify "mailto:u${i}@example.net";`).join('\n')}`;
    expect(notifyRun(many(4)).status).toBe('completed');
    const over = notifyRun(many(400));
    expect(over.status).toBe('error');
    expect(over.error).toMatchObject({
      line: 6,
      message: 'notify: the script sends more than 4 notifications',
    });
    expect(summary(over.actions)).toEqual(['implicit-keep']);
    const recipients = Array.from({ length: 800 }, (_, i) => `r${i}@example.net`).join(',');
    expect(compileErrors(`require "enotify";\nnotify "mailto:${recipients}";`)[0]).toMatch(
      /names 800 recipients; the limit is 8$/,
    );
  });
});
