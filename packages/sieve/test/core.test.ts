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
