import { describe, expect, it } from 'vitest';
import { DEFAULT_INCLUDE_OPTIONS, includeExtension, standardRegistry } from '../src/index.js';
import { compileErrors, runWith, summary } from './helpers.js';

const MESSAGE = 'From: boss@example.com\r\nSubject: Make money fast $$\r\n\r\nx\r\n';

const run = (main: string, scripts: Record<string, string>, registry = standardRegistry) =>
  runWith(main, {
    message: MESSAGE,
    envelope: { from: 'boss@example.com', to: 'me@example.com' },
    host: { includedScript: (name, location) => scripts[`${location}:${name}`] },
    registry,
  });

describe('include (RFC 6609)', () => {
  it("runs the RFC's section 6 example: personal and global scripts in order", () => {
    const result = run(
      `require ["include"];
include :personal "always_allow";
include :global "spam_tests";
include :personal "spam_tests";
include :personal "mailing_lists";`,
      {
        'personal:always_allow':
          'require ["fileinto"];\nif address :is "from" "boss@example.com" { fileinto "boss"; }\nelsif address :is "from" "ceo@example.com" { keep; }',
        'global:spam_tests':
          'require "fileinto";\nif header :contains "subject" "$$" { fileinto "global-spam"; }',
        'personal:spam_tests':
          'require "fileinto";\nif header :contains "subject" "viagra" { fileinto "spam"; }',
        'personal:mailing_lists': 'require "fileinto";\nif exists "list-id" { fileinto "lists"; }',
      },
    );
    expect(summary(result.actions)).toEqual(['fileinto:boss', 'fileinto:global-spam']);
  });

  it("runs the RFC's section 3.5 example: the global. namespace without a declaration", () => {
    const vacationScript = `require ["variables", "include", "vacation"];
if string :is "\${global.i_am_on_vacation}" "1" { vacation "It's true, I am on vacation."; }`;
    const result = run(
      `require ["variables", "include"];
set "global.i_am_on_vacation" "1";
include "vacation_check";`,
      { 'personal:vacation_check': vacationScript },
    );
    expect(result.error).toBeNull();
    expect(summary(result.actions)).toContain('vacation');
    const away = run(
      'require ["variables", "include"];\nset "global.i_am_on_vacation" "0";\ninclude "vacation_check";',
      { 'personal:vacation_check': vacationScript },
    );
    expect(summary(away.actions)).not.toContain('vacation');
  });

  it('global.NAME is the variable a global declaration shares, and not a local of that name', () => {
    const result = run(
      `require ["variables", "include", "fileinto"];
global "test";
set "test" "declared";
set "local" "mine";
include "subject_tests";
fileinto "\${test}|\${global.test}|\${global.local}|\${global.TEST_MAILBOX}";`,
      {
        'personal:subject_tests': `require ["include", "variables"];
if header :contains "Subject" "\${global.test}" { set "global.test_mailbox" "spam-\${global.test}"; }
if header :contains "Subject" "Make" { set "GLOBAL.Test" "changed"; }`,
      },
    );
    // "declared" is not in the subject: no test_mailbox; the second rule changes the global.
    expect(summary(result.actions)).toEqual(['fileinto:changed|changed||']);
    const spam = run(
      `require ["variables", "include", "fileinto"];
set "global.test" "$$";
include "subject_tests";
fileinto "\${global.test_mailbox}";`,
      {
        'personal:subject_tests': `require ["include", "variables"];
global "test_mailbox";
if header :contains "Subject" "\${global.test}" { set "test_mailbox" "spam-\${global.test}"; }`,
      },
    );
    expect(summary(spam.actions)).toEqual(['fileinto:spam-$$']);
  });

  it('global. needs include; other namespaces stay read-only; global names have no dot', () => {
    expect(compileErrors('require "variables";\nset "global.x" "1";')).toEqual([
      "2:5: cannot assign to variable 'global.x': its namespace is read-only",
    ]);
    expect(compileErrors('require "variables";\nset "a" "${global.x}";')).toEqual([
      "2:9: unknown variable namespace 'global' in ${global.x}",
    ]);
    expect(compileErrors('require ["variables", "include"];\nset "global.a.b" "1";')).toEqual([
      "2:5: invalid variable name 'global.a.b'",
    ]);
    expect(
      compileErrors('require ["variables", "include", "environment"];\nset "env.x" "1";'),
    ).toEqual(["2:5: cannot assign to variable 'env.x': its namespace is read-only"]);
  });

  it('shares only global variables, both ways (section 3.3)', () => {
    const result = run(
      `require ["variables", "include", "fileinto"];
global ["test", "test_mailbox"];
set "local" "main";
set "test" "$$";
include "subject_tests";
fileinto "\${test_mailbox}";
set "test" "Make money";
include "subject_tests";
fileinto "\${test_mailbox}|\${local}";`,
      {
        'personal:subject_tests': `require ["include", "variables"];
global ["test", "test_mailbox"];
if header :contains "Subject" "\${test}" { set "test_mailbox" "spam-\${test}"; }
set "local" "included";
if string :is "\${unshared}" "" { set "test_mailbox" "\${test_mailbox}-\${local}"; }`,
      },
    );
    expect(summary(result.actions)).toEqual([
      'fileinto:spam-$$-included',
      'fileinto:spam-Make money-included|main',
    ]);
  });

  it(':once runs a script once; return ends only the included script', () => {
    const result = run(
      `require ["include", "fileinto"];
include :once "a";
include :once "a";
include "b";
fileinto "main-after";`,
      {
        'personal:a': 'require "fileinto";\nfileinto "a";\nfileinto "a2";',
        'personal:b': 'require ["include", "fileinto"];\nfileinto "b";\nreturn;\nfileinto "never";',
      },
    );
    expect(summary(result.actions)).toEqual([
      'fileinto:a',
      'fileinto:a2',
      'fileinto:b',
      'fileinto:main-after',
    ]);
  });

  it('stop in an included script ends the whole run', () => {
    const result = run('require ["include", "fileinto"];\ninclude "s";\nfileinto "never";', {
      'personal:s': 'require "fileinto";\nfileinto "s";\nstop;',
    });
    expect(summary(result.actions)).toEqual(['fileinto:s']);
  });

  it('a missing script is an error unless :optional; one that does not compile is an error', () => {
    expect(
      summary(run('require "include";\ninclude :optional "none";\ndiscard;', {}).actions),
    ).toEqual(['discard']);
    const missing = run('require "include";\ninclude :global "none";\ndiscard;', {});
    expect(missing.status).toBe('error');
    expect(missing.error).toMatchObject({
      line: 2,
      message: "include: global script 'none' does not exist",
    });
    const broken = run('require "include";\ninclude "broken";', {
      'personal:broken': 'frobnicate;',
    });
    expect(broken.error?.message).toBe(
      "include: personal script 'broken' does not compile: line 1: unknown command 'frobnicate'",
    );
  });

  it('refuses a script that includes itself, directly or not', () => {
    const result = run('require "include";\ninclude "a";', {
      'personal:a': 'require "include";\ninclude "b";',
      'personal:b': 'require "include";\ninclude "a";',
    });
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe("include: personal script 'a' includes itself");
  });

  it('limits the nesting depth (maxIncludeDepth, default 10) and the scripts (maxIncludes, default 255)', () => {
    expect(DEFAULT_INCLUDE_OPTIONS).toEqual({ maxIncludeDepth: 10, maxIncludes: 255 });
    const chain: Record<string, string> = {};
    for (let i = 0; i < 1000; i++)
      chain[`personal:s${i}`] = `require "include";\ninclude "s${i + 1}";`;
    chain['personal:s1000'] = 'discard;';
    const deep = run('require "include";\ninclude "s0";', chain);
    expect(deep.error?.message).toBe('include: scripts nested more than 10 deep');
    const shallow = run(
      'require "include";\ninclude "s995";',
      chain,
      standardRegistry.with(includeExtension({ maxIncludeDepth: 10 })),
    );
    expect(summary(shallow.actions)).toEqual(['discard']);
    const many: Record<string, string> = {};
    const lines = ['require "include";'];
    for (let i = 0; i < 25_500; i++) {
      many[`personal:m${i}`] = 'keep;';
      lines.push(`include "m${i}";`);
    }
    const wide = run(lines.join('\n'), many);
    expect(wide.error?.message).toBe('include: the script includes more than 255 scripts');
  });

  it('checks names and global at compile time', () => {
    expect(compileErrors('require "include";\ninclude "a/b";')).toEqual([
      "2:9: include: invalid script name 'a/b'",
    ]);
    expect(compileErrors('require "include";\ninclude :personal :global "a";')[0]).toBe(
      "2:19: the include command takes only one location: ':personal' and ':global' given",
    );
    expect(compileErrors('require "include";\nglobal "a";')).toEqual([
      "2:1: the global command needs the 'variables' extension: add it to require",
    ]);
    expect(compileErrors('require ["include", "variables"];\nglobal "a.b";')).toEqual([
      "2:8: global: invalid variable name 'a.b'",
    ]);
  });
});
