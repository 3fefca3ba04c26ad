import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile } from '../src/spamassassin/cf-parser.js';
import { parseMetaExpression } from '../src/spamassassin/meta-expression.js';
import { replaceTags } from '../src/spamassassin/replace-tags.js';

const parse = (text: string) => {
  const config = emptySaConfig();
  parseCfFile(config, 'test.cf', text);
  return config;
};

describe('the .cf format', () => {
  it('reads rules, scores (one or four sets), descriptions and tflags; comments and \\# as SpamAssassin does', () => {
    const config = parse(
      [
        '# a comment',
        'body  MY_RULE   /price \\#1/i   # trailing comment',
        'describe MY_RULE  Says price #1',
        'score MY_RULE 1.5',
        'score OTHER 0 0.5 1.0 2.0',
        'tflags MY_RULE multiple maxhits=3',
        'lang de describe MY_RULE Preis',
        'header H_RULE Subject =~ /x/ [if-unset: none]',
      ].join('\n'),
    );
    expect(config.rules.get('MY_RULE')).toMatchObject({
      kind: 'body',
      spec: '/price #1/i',
      line: 2,
    });
    expect(config.descriptions.get('MY_RULE')).toBe('Says price');
    expect(config.scores.get('MY_RULE')).toEqual([1.5]);
    expect(config.scores.get('OTHER')).toEqual([0, 0.5, 1, 2]);
    expect(config.tflags.get('MY_RULE')).toEqual(['multiple', 'maxhits=3']);
    expect(config.rules.get('H_RULE')?.spec).toBe('Subject =~ /x/ [if-unset: none]');
    expect(config.ignored.get('lang')).toBe(1);
  });

  it('loads ifplugin, if, else and endif blocks as the default plugins and version decide', () => {
    const config = parse(
      [
        'ifplugin Mail::SpamAssassin::Plugin::ReplaceTags',
        'body IN_REPLACETAGS /a/',
        'endif',
        'ifplugin Mail::SpamAssassin::Plugin::NotLoaded',
        'body IN_MISSING /a/',
        'else',
        'body IN_ELSE /a/',
        'endif',
        'if (version >= 3.004002)',
        '  if !plugin(Mail::SpamAssassin::Plugin::MIMEHeader)',
        '    body NESTED_NO /a/',
        '  endif',
        '  if can(Mail::SpamAssassin::Conf::feature_bug6558_free) && version < 5',
        '    body NESTED_YES /a/',
        '  endif',
        'endif',
        'if version > 9',
        'body FUTURE /a/',
        'endif',
      ].join('\n'),
    );
    expect([...config.rules.keys()]).toEqual(['IN_REPLACETAGS', 'IN_ELSE', 'NESTED_YES']);
    expect(config.problems).toEqual([]);
  });

  it('records what it cannot read and goes on', () => {
    const config = parse(['endif', 'score X notanumber', 'body', 'body OK /a/', 'if 1'].join('\n'));
    expect(config.problems.map((p) => [p.line, p.message])).toEqual([
      [1, 'endif without if'],
      [2, 'score X: not a number'],
      [3, 'bad rule name ""'],
      [5, '1 if block(s) not closed'],
    ]);
    expect(config.rules.has('OK')).toBe(true);
  });

  it('never throws, whatever the file holds', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 60 }), { maxLength: 30 }), (lines) => {
        parse(lines.join('\n'));
      }),
      { seed: 15, numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 300) },
    );
  });
});

describe('meta expressions', () => {
  const hits = (values: Record<string, number>) => (name: string) => values[name] ?? 0;

  it('evaluates boolean and arithmetic expressions with Perl precedence', () => {
    expect(parseMetaExpression('A && !B').evaluate(hits({ A: 1 }))).toBe(1);
    expect(parseMetaExpression('A && !B').evaluate(hits({ A: 1, B: 1 }))).toBe(0);
    expect(parseMetaExpression('(A + B + C) > 1').evaluate(hits({ A: 1, C: 1 }))).toBe(1);
    expect(parseMetaExpression('A || B && C').evaluate(hits({ A: 1 }))).toBe(1);
    expect(parseMetaExpression('A * 2 - 1 >= 3').evaluate(hits({ A: 2 }))).toBe(1);
    expect(parseMetaExpression('0').evaluate(hits({}))).toBe(0);
  });

  it('knows which rules only ever raise its value', () => {
    const meta = parseMetaExpression('(A || B) && !C && (D + E > 1) && F < 2 && G - H');
    expect([...meta.monotone].sort()).toEqual(['A', 'B', 'D', 'E', 'G']);
  });

  it('refuses what it cannot read', () => {
    expect(() => parseMetaExpression('A && (B')).toThrow(/missing \)/);
    expect(() => parseMetaExpression('A $ B')).toThrow(/unexpected/);
  });
});

describe('replace tags', () => {
  it('puts tags, pre/post and inter text into a listed rule', () => {
    const config = parse(
      [
        'replace_tag V (?:v|\\\\/)',
        'replace_tag I [i1!]',
        'replace_inter W1 \\W?',
        'replace_post P2 {1,2}',
      ].join('\n'),
    );
    expect(replaceTags('<inter W1><V><I>', config)).toBe('(?:v|\\\\/)\\W?[i1!]');
    expect(replaceTags('<post P2><V>x', config)).toBe('(?:v|\\\\/){1,2}x');
    expect(replaceTags('<UNKNOWN>', config)).toBe('<UNKNOWN>');
  });
});
