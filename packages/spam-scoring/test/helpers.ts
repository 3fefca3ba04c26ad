import { existsSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { commandAvailable } from '@mailyard/test-kit';
import type { MessageInput, SmtpFacts, SpamStage, SpamTest, TestHit } from '../src/index.js';

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
