import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaMessageView, SaRuleSet } from '../src/index.js';

describe('scores of rules no score line gives', () => {
  it("are SpamAssassin's: 1, 0.01 for T_ rules, negated for tflags nice", () => {
    const config = emptySaConfig();
    parseCfFile(
      config,
      'defaults.cf',
      [
        'header PLAIN Subject =~ /hello/',
        'header T_TESTING Subject =~ /hello/',
        'header __HIDDEN Subject =~ /hello/',
        'meta LIST_MANAGER __HIDDEN',
        'tflags LIST_MANAGER nice',
        'meta T_NICE_TESTING __HIDDEN',
        'tflags T_NICE_TESTING nice',
        'header SCORED Subject =~ /hello/',
        'tflags SCORED nice',
        'score SCORED -0.5',
      ].join('\n'),
    );
    const bytes = new TextEncoder().encode('Subject: hello\r\n\r\nbody\r\n');
    const hits = SaRuleSet.compile(config).evaluate(new SaMessageView(bytes, summarize(bytes)), 2);
    expect(Object.fromEntries(hits.map(({ name, score }) => [name, score]))).toEqual({
      PLAIN: 1,
      T_TESTING: 0.01,
      LIST_MANAGER: -1,
      T_NICE_TESTING: -0.01,
      SCORED: -0.5,
    });
  });
});
