import { describe, expect, it } from 'vitest';
import type { NotifyAction } from '../src/index.js';
import { DEFAULT_MESSAGE, compileErrors, run } from './helpers.js';

describe('fcc (RFC 8580)', () => {
  it("runs the RFC's notify example: the action says where to store a copy", () => {
    const result = run(`require ["enotify", "fcc"];
notify :fcc "INBOX.Sent" :message "You got mail!" "mailto:ken@example.com?subject=Mail";`);
    const notify = result.actions[0] as NotifyAction;
    expect(notify).toMatchObject({ type: 'notify', fcc: { mailbox: 'INBOX.Sent' } });
    expect(new TextDecoder().decode(notify.mail.content)).toContain('\r\nSubject: Mail\r\n');
  });

  it('needs require "fcc", and a mailbox name', () => {
    expect(
      compileErrors('require "enotify";\nnotify :fcc "Sent" "mailto:ken@example.com";')[0],
    ).toBe("2:8: the :fcc tag of the notify command needs the 'fcc' extension: add it to require");
    const bad = run(
      'require ["enotify", "fcc", "variables"];\nset "m" "";\nnotify :fcc "${m}" "mailto:ken@example.com";',
      DEFAULT_MESSAGE,
    );
    expect(bad.error?.message).toBe(':fcc: the mailbox name is empty');
  });
});
