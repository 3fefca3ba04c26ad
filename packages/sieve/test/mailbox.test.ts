import { describe, expect, it } from 'vitest';
import { compileErrors } from './helpers.js';
import { runWithHost } from './host-run.js';

const runWith = (script: string, mailboxes: readonly string[]) =>
  runWithHost(script, {
    host: { mailboxExists: (name) => name === 'INBOX' || mailboxes.includes(name) },
  });

describe('mailbox (RFC 5490)', () => {
  it('runs the example of RFC 5490 section 3.1: file only where the mailbox exists', () => {
    const script = [
      'require ["fileinto", "mailbox"];',
      'if mailboxexists "Partners" {',
      '   fileinto "Partners";',
      '} else {',
      '   reject "This message was not accepted by the Mailstore";',
      '}',
      '',
    ].join('\r\n');
    expect(compileErrors(script)[0]).toMatch(/reject/);
    const ok = script.replace('["fileinto", "mailbox"]', '["fileinto", "mailbox", "reject"]');
    expect(runWith(ok, ['Partners']).actions).toMatchObject([
      { type: 'fileinto', mailbox: 'Partners', create: false },
    ]);
    expect(runWith(ok, []).actions).toMatchObject([{ type: 'reject' }]);
  });

  it('mailboxexists is true only when every mailbox exists; INBOX always does', () => {
    const test = (names: string, existing: string[]) =>
      runWith(`require "mailbox";\r\nif mailboxexists ${names} { discard; }\r\n`, existing)
        .actions[0]!.type === 'discard';
    expect(test('["A", "B"]', ['A', 'B'])).toBe(true);
    expect(test('["A", "B"]', ['A'])).toBe(false);
    expect(test('"inbox"', [])).toBe(true);
  });

  it('fileinto :create asks the host to create the mailbox (RFC 5490 section 3.2)', () => {
    const run = runWith('require ["fileinto", "mailbox"];\r\nfileinto :create "New/Box";\r\n', []);
    expect(run.actions).toMatchObject([{ type: 'fileinto', mailbox: 'New/Box', create: true }]);
    expect(compileErrors('require "fileinto";\r\nfileinto :create "x";\r\n')[0]).toMatch(
      /'mailbox' extension/,
    );
  });
});
