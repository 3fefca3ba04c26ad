import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REGEX_OPTIONS,
  compileSieve,
  regexExtension,
  runScript,
  standardRegistry,
} from '../src/index.js';
import { bytes, compileErrors, run, summary } from './helpers.js';

const LIST_MESSAGE = [
  'From: Coyote <coyote@desert.example.org>',
  'To: me+sieve@company.com',
  'List-ID: Acme users <acme-users@lists.example.org>',
  'Subject: [acme-users] [fwd] version 1.0 is out',
  '',
  'Body.',
  '',
].join('\r\n');

describe('regex (draft-ietf-sieve-regex-01)', () => {
  it("runs the draft's section 3 example (address and POSIX classes with i;octet)", () => {
    const script = `require "regex";
if anyof (
  not address :regex ["to", "cc", "bcc"] "me(\\\\+.*)?@company\\\\.com",
  header :regex :comparator "i;octet" "subject" "^[^[:lower:]]+$" ) {
  discard;
}`;
    expect(summary(run(script, LIST_MESSAGE).actions)).toEqual(['implicit-keep']);
    const shouting = LIST_MESSAGE.replace('[acme-users] [fwd] version 1.0 is out', 'BUY NOW!!!');
    expect(summary(run(script, shouting).actions)).toEqual(['discard']);
    const notToMe = LIST_MESSAGE.replace('me+sieve@company.com', 'you@company.com');
    expect(summary(run(script, notToMe).actions)).toEqual(['discard']);
  });

  it("sets match variables (the draft's section 4 examples), leftmost-longest as POSIX", () => {
    const script = `require ["fileinto", "regex", "variables"];
if header :regex "List-ID" "<(.*)@" { fileinto "lists.\${1}"; }
if header :regex "Subject" "^\\\\[(.*)\\\\] (.*)$" { fileinto "\${1}|\${2}|\${0}"; }`;
    expect(summary(run(script, LIST_MESSAGE).actions)).toEqual([
      'fileinto:lists.acme-users',
      'fileinto:acme-users] [fwd|version 1.0 is out|[acme-users] [fwd] version 1.0 is out',
    ]);
  });

  it('${0} is the matched text, and a group outside the match is empty', () => {
    const script = `require ["fileinto", "regex", "variables"];
if header :regex "subject" "v(ersion)? ([0-9.]+)|(nothing)" { fileinto "[\${0}][\${1}][\${2}][\${3}]"; }`;
    expect(summary(run(script, LIST_MESSAGE).actions)).toEqual([
      'fileinto:[version 1.0][ersion][1.0][]',
    ]);
  });

  it('is case-insensitive with i;ascii-casemap (the default) and not with i;octet', () => {
    const script = `require ["regex", "fileinto"];
if header :regex "subject" "VERSION" { fileinto "casemap"; }
if header :regex :comparator "i;octet" "subject" "VERSION" { fileinto "octet"; }`;
    expect(summary(run(script, LIST_MESSAGE).actions)).toEqual(['fileinto:casemap']);
  });

  it('quotes with :quoteregex (precedence of :quotewildcard), and the result matches literally', () => {
    const script = `require ["variables", "regex", "fileinto"];
set "a" "[a-z]";
set :quoteregex "b" "\${a}";
set :quoteregex :upper "c" "a.b|(c)*+?{1}^$\\\\";
if string :is "\${b}" "\\\\[a-z\\\\]" { fileinto "quoted"; }
if string :regex "x[a-z]y" "\${b}" { fileinto "literal"; }
if string :regex "xky" "\${b}" { fileinto "not-literal"; }
if string :is "\${c}" "A\\\\.B\\\\|\\\\(C\\\\)\\\\*\\\\+\\\\?\\\\{1\\\\}\\\\^\\\\$\\\\\\\\" { fileinto "all"; }`;
    expect(summary(run(script).actions)).toEqual([
      'fileinto:quoted',
      'fileinto:literal',
      'fileinto:all',
    ]);
    expect(
      compileErrors('require ["variables", "regex"]; set :quoteregex :quotewildcard "a" "b";'),
    ).toEqual([
      "1:49: the set command takes only one modifier of a precedence: ':quoteregex' and ':quotewildcard' given",
    ]);
  });

  it('needs require "regex", for the match type and for the modifier', () => {
    expect(compileErrors('if header :regex "subject" "x" { stop; }')).toEqual([
      "1:11: the :regex match type of the header test needs the 'regex' extension: add it to require",
    ]);
    expect(compileErrors('require "variables"; set :quoteregex "a" "b";')).toEqual([
      "1:26: the :quoteregex modifier of the set command needs the 'regex' extension: add it to require",
    ]);
  });

  it('refuses backreferences and lookaround at compile time, with the key position', () => {
    const errors = compileErrors(
      'require "regex";\nif header :regex "subject" ["(a)\\\\1", "x(?=y)", "ok"] { stop; }',
    );
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      /^2:29: invalid regular expression '\(a\)\\1': .*backreferences and lookaround are not supported/,
    );
    expect(errors[1]).toMatch(/^2:39: invalid regular expression 'x\(\?=y\)'/);
    expect(
      compileErrors('require "regex";\nif header :regex "subject" "a(b" { stop; }')[0],
    ).toMatch(/^2:28: invalid regular expression 'a\(b': missing closing \)/);
  });

  it('refuses comparators other than i;octet and i;ascii-casemap', () => {
    expect(
      compileErrors(
        'require ["regex", "comparator-i;ascii-numeric"];\nif header :regex :comparator "i;ascii-numeric" "x" "1" { stop; }',
      ),
    ).toEqual([
      "2:11: the :regex match type cannot be used with comparator 'i;ascii-numeric' (only i;octet and i;ascii-casemap)",
    ]);
  });

  it('a pattern from a variable that does not compile is a runtime error (the message is kept)', () => {
    const result = run(
      'require ["regex", "variables", "fileinto"];\nset "p" "(a)\\\\1";\nif header :regex "subject" "${p}" { fileinto "x"; }',
    );
    expect(result.status).toBe('error');
    expect(result.error?.message).toMatch(/^invalid regular expression '\(a\)\\1'/);
    expect(result.error?.line).toBe(3);
    expect(summary(result.actions)).toEqual(['implicit-keep']);
  });

  it('patterns from variables match on every run (compiled once, then cached)', () => {
    const script =
      'require ["regex", "variables", "fileinto"];\nset "p" "^\\\\[(acme-[a-z]+)\\\\]";\nif header :regex "subject" "${p}" { fileinto "${1}"; }';
    for (let i = 0; i < 3; i++)
      expect(summary(run(script, LIST_MESSAGE).actions)).toEqual(['fileinto:acme-users']);
  });

  it('limits pattern length (maxPatternLength, default 1024) at compile and at run time', () => {
    expect(DEFAULT_REGEX_OPTIONS.maxPatternLength).toBe(1024);
    const long = 'a'.repeat(1025);
    expect(
      compileErrors(`require "regex";\nif header :regex "subject" "${long}" { stop; }`),
    ).toEqual([`2:28: regular expression of 1025 characters is longer than the limit of 1024`]);
    expect(
      compileErrors(`require "regex";\nif header :regex "subject" "${'a'.repeat(1024)}" { stop; }`),
    ).toEqual([]);
    // At 100x the default, through a variable: a runtime error, not a hang.
    const registry = standardRegistry.with(regexExtension({ maxPatternLength: 10 }));
    const compiled = compileSieve(
      `require ["regex", "variables"];\nset "p" "${'a'.repeat(102_400)}";\nif header :regex "subject" "\${p}" { stop; }`,
      { registry },
    );
    expect(compiled.errors).toEqual([]);
    const result = runScript(
      compiled.script!,
      { message: bytes(LIST_MESSAGE), envelope: { from: '', to: 'me@company.com' } },
      { limits: { maxVariableSize: 200_000 } },
    );
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe(
      'regular expression of 102400 characters is longer than the limit of 10',
    );
  });

  it('runs patterns that backtrack exponentially elsewhere in linear time', () => {
    // `(a|a)*b` and `(a*)*$x` take exponential time on a backtracking engine for this input.
    const value = 'a'.repeat(50_000);
    const script = `require ["regex", "fileinto"];
if header :regex "subject" "^(a|a)*b$" { fileinto "never"; }
if header :regex "subject" "^(a*)*x$" { fileinto "never2"; }
if header :regex "subject" "^(a|aa)+$" { fileinto "yes"; }`;
    const result = run(script, `Subject: ${value}\r\n\r\n`);
    expect(summary(result.actions)).toEqual(['fileinto:yes']);
  });

  it('matches values with newlines as POSIX does (dot matches newline, anchors at the ends)', () => {
    const script = `require ["regex", "variables", "fileinto"];
set "v" "one
two";
if string :regex "\${v}" "^one.two$" { fileinto "dot"; }
if string :regex "\${v}" "^two" { fileinto "anchor"; }`;
    expect(summary(run(script).actions)).toEqual(['fileinto:dot']);
  });
});
