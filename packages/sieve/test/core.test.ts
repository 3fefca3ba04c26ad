import { describe, expect, it } from 'vitest';
import { compileErrors, run, summary } from './helpers.js';

describe('RFC 5228 core', () => {
  it('keeps implicitly when nothing is done', () => {
    expect(summary(run('').actions)).toEqual(['implicit-keep']);
  });

  it('runs the example of section 3.1 (if / elsif / else)', () => {
    const script = `require "fileinto";
if header :contains "from" "coyote" {
   discard;
} elsif header :contains ["subject"] ["$$$"] {
   discard;
} else {
   fileinto "INBOX";
}`;
    expect(summary(run(script).actions)).toEqual(['fileinto:INBOX']);
    expect(summary(run(script, 'From: coyote@desert.example.org\r\n\r\n').actions)).toEqual([
      'discard',
    ]);
  });

  it('stops', () => {
    expect(summary(run('keep; stop; discard;').actions)).toEqual(['keep']);
  });

  it('reports every error with its position', () => {
    expect(
      compileErrors('if foo { bar; }\nfileinto "x";\nif true { require "fileinto"; }'),
    ).toEqual([
      "1:4: unknown test 'foo'",
      "1:10: unknown command 'bar'",
      "2:1: the fileinto command needs the 'fileinto' extension: add it to require",
      '3:11: the require command can only be placed at top level at the beginning of the script',
    ]);
  });
});

describe('compile errors name the cause', () => {
  it('a tag of an extension that is not required', () => {
    expect(compileErrors('if header :count "ge" "a" "1" { keep; }')).toEqual([
      "1:11: the :count match type of the header test needs the 'relational' extension: add it to require",
    ]);
    expect(compileErrors('if header :comparator "i;ascii-numeric" :is "a" "1" { keep; }')).toEqual([
      "1:23: comparator 'i;ascii-numeric' needs the 'comparator-i;ascii-numeric' extension: add it to require",
    ]);
  });

  it("no error of a command's own checks after its signature did not match", () => {
    expect(compileErrors('require "fileinto"; fileinto ["a", "b"];')).toEqual([
      '1:30: the 1st argument (mailbox) of the fileinto command must be a string, found a string list',
    ]);
  });

  it('placement and shape', () => {
    expect(compileErrors('else { keep; }')).toEqual([
      '1:1: the else command must follow an if or elsif command',
    ]);
    expect(compileErrors('if (true, false) { keep; }')).toEqual([
      '1:1: the if command needs exactly one test, not a test list',
    ]);
    expect(compileErrors('if keep { keep; }')).toEqual(["1:4: 'keep' is a command, not a test"]);
    expect(compileErrors('stop { keep; }')).toEqual([
      "1:1: the stop command takes no block: end it with ';'",
    ]);
    expect(compileErrors('if size :over :under 100 { keep; }')).toEqual([
      "1:15: the size test takes only one size: ':over' and ':under' given",
    ]);
  });
});
