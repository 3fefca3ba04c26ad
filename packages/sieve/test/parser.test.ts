import { describe, expect, it } from 'vitest';
import { compileSieve, parseScript, type StringNode } from '../src/index.js';

function errors(source: string | Uint8Array, limits = {}): string[] {
  return parseScript(source, limits).diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
}

describe('lexer and parser (RFC 5228 section 8)', () => {
  it('gives every node its line and column', () => {
    const { script, diagnostics } = parseScript(
      'require "fileinto";\nif header :is "a" ["b", "c"] {\n  fileinto "x";\n}\n',
    );
    expect(diagnostics).toEqual([]);
    const [require, ifCommand] = script.commands;
    expect(require).toMatchObject({ name: 'require', line: 1, column: 1 });
    expect(ifCommand).toMatchObject({ name: 'if', line: 2, column: 1 });
    const test = ifCommand!.tests[0]!;
    expect(test).toMatchObject({ name: 'header', line: 2, column: 4 });
    expect(test.arguments.map((a) => [a.type, a.line, a.column])).toEqual([
      ['tag', 2, 11],
      ['string', 2, 15],
      ['string-list', 2, 19],
    ]);
    expect(ifCommand!.block![0]).toMatchObject({ name: 'fileinto', line: 3, column: 3 });
  });

  it('reads numbers with quantifiers', () => {
    const { script } = parseScript('size :over 1K; size :over 2m; size :over 3G; size :over 10;');
    expect(script.commands.map((c) => (c.arguments[1] as { value: number }).value)).toEqual([
      1024,
      2 * 1024 ** 2,
      3 * 1024 ** 3,
      10,
    ]);
    expect(errors('size :over 99999999999999999999G;')[0]).toContain('is too large');
  });

  it('reads quoted strings with escapes', () => {
    const { script } = parseScript('x "a\\"b\\\\c\\d";');
    expect((script.commands[0]!.arguments[0] as StringNode).value).toBe('a"b\\cd');
  });

  it('reads text: strings with dot-stuffing and a comment after text:', () => {
    const { script, diagnostics } = parseScript('x text: # comment\r\nline 1\n..line 2\n.\n;');
    expect(diagnostics).toEqual([]);
    const value = script.commands[0]!.arguments[0] as StringNode;
    expect(value).toMatchObject({ value: 'line 1\r\n.line 2\r\n', multiline: true });
  });

  it('skips both kinds of comments', () => {
    const { script, diagnostics } = parseScript('# hash\nkeep; /* bracket\n comment */ discard;');
    expect(diagnostics).toEqual([]);
    expect(script.commands.map((c) => c.name)).toEqual(['keep', 'discard']);
  });

  it('reports every syntax error and recovers', () => {
    expect(errors('keep "a" ,;\nif true { stop; \nfoo [ "a" "b" ];\nbar;')).toEqual([
      "1:10: expected ';' or '{' after command 'keep', found ','",
      "3:11: expected ',' or ']' in the string list, found string",
      "2:9: block not closed: '{' without '}'",
    ]);
  });

  it('reports unterminated strings, comments and multi-line strings', () => {
    expect(errors('keep "abc')).toEqual([
      "1:6: unterminated string: no closing '\"'",
      "1:10: expected ';' or '{' after command 'keep', found end of script",
    ]);
    expect(errors('keep; /* abc')).toEqual([
      '1:7: unterminated bracket comment: "/*" without "*/"',
    ]);
    expect(errors('keep text:\nabc\n')).toEqual([
      "1:6: unterminated multi-line string: no line with a single '.'",
      "3:1: expected ';' or '{' after command 'keep', found end of script",
    ]);
  });

  it('rejects NUL and invalid UTF-8', () => {
    expect(errors('keep "a\0b";')).toEqual(['1:8: NUL character in script']);
    expect(errors(new Uint8Array([0x6b, 0x65, 0x65, 0x70, 0x20, 0xff, 0x3b]))).toEqual([
      '1:6: script is not valid UTF-8',
      "1:6: unexpected character '\ufffd'",
    ]);
  });
});

describe('hostile input gets errors, never a throw', () => {
  it('deep block nesting', () => {
    const source = 'if true {'.repeat(100_000) + '}'.repeat(100_000);
    const result = compileSieve(source);
    expect(result.script).toBeNull();
    expect(result.errors[0]!.message).toBe('blocks nested too deeply (the limit is 32 levels)');
  });

  it('deep test nesting', () => {
    const source = `if ${'not '.repeat(100_000)}true { keep; }`;
    expect(compileSieve(source).errors[0]!.message).toBe(
      'tests nested too deeply (the limit is 32 levels)',
    );
    const lists = `if ${'anyof('.repeat(50_000)}true${')'.repeat(50_000)} { keep; }`;
    expect(compileSieve(lists).errors[0]!.message).toBe(
      'tests nested too deeply (the limit is 32 levels)',
    );
  });

  it('a 10 MB string', () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    expect(compileSieve(`keep "${big}";`).errors[0]!.message).toBe(
      `script of ${big.length + 8} characters is larger than the limit of 1048576`,
    );
    const within = compileSieve(`redirect "${big}";`, {
      limits: { maxScriptSize: 20 * 1024 * 1024 },
    });
    expect(within.errors[0]!.message).toBe(
      `string of ${big.length} characters is longer than the limit of 1048576`,
    );
  });

  it('many errors stop at the error cap', () => {
    const result = compileSieve('frob;'.repeat(10_000) + 'a b c d'.repeat(10_000));
    expect(result.errors.length).toBeLessThanOrEqual(101);
  });

  it('unterminated everything', () => {
    for (const source of [
      'if',
      'if true',
      'if true {',
      'if anyof(',
      'if anyof(true,',
      'x [',
      'x ["a",',
      'x :',
      'text:',
      '"',
      '/*',
      'x text:\n',
    ]) {
      const result = compileSieve(source);
      expect(result.script, source).toBeNull();
      expect(result.errors.length, source).toBeGreaterThan(0);
    }
  });

  it('random bytes, with a fixed seed', () => {
    let seed = 14;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet =
      'if anyof allof not true false { } ( ) [ ] , ; "text:\n.\n# /* */ :is :matches ${hex:41} 1K \\ header keep';
    const words = alphabet.split(' ');
    for (let run = 0; run < 300; run++) {
      const parts: string[] = [];
      const length = random() % 200;
      for (let i = 0; i < length; i++) parts.push(words[random() % words.length]!);
      const source = parts.join(random() % 2 ? ' ' : '');
      expect(() => compileSieve(source)).not.toThrow();
    }
  });
});
