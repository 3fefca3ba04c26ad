import { describe, expect, it } from 'vitest';
import type { SieveHost } from '../src/index.js';
import { DEFAULT_MESSAGE, compileErrors, runWith, summary } from './helpers.js';

const MESSAGE = DEFAULT_MESSAGE.replace(
  'Sender <sender@example.com>',
  'Wile E. Coyote <coyote@desert.example.org>',
);

/** A user with Junk marked \Junk, and two mailboxes with object ids. */
const host: SieveHost = {
  mailboxExists: (name) => ['INBOX', 'Junk', 'INBOX.harassment'].includes(name),
  specialUseExists: (attribute, mailbox) =>
    attribute === '\\Junk' && (mailbox === undefined || mailbox === 'Junk'),
  mailboxIdExists: (id) => id === 'F6352ae03-b7f5-463c-896f-d8b48ee3' || id === 'M1',
};

const run = (script: string) =>
  runWith(script, {
    message: MESSAGE,
    envelope: { from: 'a@example.com', to: 'b@example.org' },
    host,
  });

describe('special-use (RFC 8579)', () => {
  it("runs the RFC's example: fileinto :specialuse carries the attribute for the host", () => {
    const result = run(
      'require ["fileinto", "special-use"];\nfileinto :specialuse "\\\\Junk" "Spam";',
    );
    expect(result.actions[0]).toMatchObject({
      type: 'fileinto',
      mailbox: 'Spam',
      specialUse: '\\Junk',
    });
  });

  it('specialuse_exists with and without a mailbox', () => {
    const result = run(`require ["special-use", "fileinto"];
if specialuse_exists "\\\\Junk" { fileinto "any-junk"; }
if specialuse_exists ["\\\\Junk", "\\\\Trash"] { fileinto "junk-and-trash"; }
if specialuse_exists "Junk" "\\\\Junk" { fileinto "junk-is-junk"; }
if specialuse_exists "INBOX" "\\\\Junk" { fileinto "inbox-is-junk"; }`);
    expect(summary(result.actions)).toEqual(['fileinto:any-junk', 'fileinto:junk-is-junk']);
  });

  it('checks attributes at compile time and at run time', () => {
    expect(compileErrors('require "special-use";\nif specialuse_exists "Junk" { stop; }')).toEqual([
      "2:22: invalid special-use attribute 'Junk': expected a backslash and a name, as \\Junk",
    ]);
    expect(
      compileErrors('require "special-use";\nif specialuse_exists ["a", "b"] "\\\\Junk" { stop; }'),
    ).toEqual(['2:22: specialuse_exists: the mailbox is one string, not a list']);
    const bad = run('require ["fileinto", "special-use"];\nfileinto :specialuse "Junk" "Spam";');
    expect(bad.status).toBe('error');
    expect(bad.error?.message).toBe(
      "fileinto: invalid special-use attribute 'Junk': expected a backslash and a name, as \\Junk",
    );
    expect(compileErrors('require "fileinto";\nfileinto :specialuse "\\\\Junk" "Spam";')[0]).toBe(
      "2:10: the :specialuse tag of the fileinto command needs the 'special-use' extension: add it to require",
    );
  });
});

describe('mailboxid (RFC 9042)', () => {
  it("runs the RFC's example: fileinto :mailboxid carries the id for the host", () => {
    const result = run(`require ["fileinto", "mailboxid"];
if header :contains ["from"] "coyote" {
  fileinto :mailboxid "F6352ae03-b7f5-463c-896f-d8b48ee3" "INBOX.harassment";
}`);
    expect(result.actions[0]).toMatchObject({
      type: 'fileinto',
      mailbox: 'INBOX.harassment',
      mailboxId: 'F6352ae03-b7f5-463c-896f-d8b48ee3',
    });
  });

  it('mailboxidexists needs every id', () => {
    const result = run(`require ["mailboxid", "fileinto"];
if mailboxidexists "F6352ae03-b7f5-463c-896f-d8b48ee3" { fileinto "one"; }
if mailboxidexists ["M1", "M2"] { fileinto "both"; }
if mailboxidexists "not valid!" { fileinto "invalid"; }`);
    expect(summary(result.actions)).toEqual(['fileinto:one']);
  });

  it('refuses an id that is not an RFC 8474 objectid', () => {
    const bad = run('require ["fileinto", "mailboxid"];\nfileinto :mailboxid "a b" "x";');
    expect(bad.error?.message).toBe(
      "fileinto: invalid mailbox id 'a b': 1 to 255 letters, digits, '_' or '-' (RFC 8474)",
    );
  });
});
