import { existsSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { commandAvailable } from '@mailyard/test-kit';
import {
  type MessageInput,
  type SmtpFacts,
  type SpamStage,
  type SpamTest,
  type TestHit,
  SaMessageView,
  SaRuleSet,
  emptySaConfig,
  parseCfFile,
} from '../src/index.js';

export function message(text: string | Uint8Array): MessageInput {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return { bytes, summary: summarize(bytes) };
}

export const FACTS: SmtpFacts = {
  clientIp: '198.51.100.7',
  helo: 'mx.example.net',
  mailFrom: 'sender@example.net',
  rcptTo: ['bob@example.com'],
  authenticated: false,
};

/** A test module that always finds the given hits: the engine's own logic under test. */
export function fixedTest(
  name: string,
  stage: SpamStage,
  hits: readonly Omit<TestHit, 'name'>[],
  extra: Partial<SpamTest> = {},
): SpamTest & { runs: number } {
  const test = {
    name,
    stage,
    kind: 'rating' as const,
    runs: 0,
    run() {
      test.runs++;
      return hits.map((hit) => ({ name, ...hit }));
    },
    ...extra,
  };
  return test;
}

export function scoring(name: string, score: number, stage: SpamStage = 'content') {
  return fixedTest(name, stage, [{ effect: 'score', score, description: `${name} fired` }]);
}

export const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Debian's SpamAssassin, the oracle the rule tests compare with (its rules and its command). */
export const debianSpamAssassin = {
  name: "Debian's spamassassin",
  available: existsSync('/usr/share/spamassassin/50_scores.cf') && commandAvailable('spamassassin'),
  install: 'apt-get install spamassassin',
};

/**
 * A rule set of its own, compiled from `.cf` text, and what it fires on a message: the rule
 * names, sorted, without the `__` sub-rules.
 */
export function ruleFirer(cfText: string): (text: string) => string[] {
  const config = emptySaConfig();
  parseCfFile(config, 'test.cf', cfText);
  const rules = SaRuleSet.compile(config);
  return (text) => {
    const bytes = new TextEncoder().encode(text);
    return rules
      .evaluate(new SaMessageView(bytes, summarize(bytes)), 0)
      .map((hit) => hit.name)
      .filter((name) => !name.startsWith('__'))
      .sort();
  };
}
