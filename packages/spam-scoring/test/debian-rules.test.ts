// The real rule set of Debian's spamassassin package, and spamassassin itself as the oracle of
// which rules fire. Skipped (saying so) where the package is not installed; CI installs it.
import { readFileSync, readdirSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, expect, it } from 'vitest';
import { SpamEngine, spamAssassinTest } from '../src/index.js';
import {
  type LoadedRules,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '../src/node/load-spamassassin-rules.js';
import { SaMessageView } from '../src/spamassassin/message-view.js';
import { MAX_BACKTRACKING_STEPS, boundedJsRegex } from '../src/spamassassin/bounded-js-regex.js';
import { readPerlMatch, translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { reverseText } from '../src/spamassassin/regex-reverse.js';
import { replaceTags } from '../src/spamassassin/replace-tags.js';
import { segmentScreenParts } from '../src/spamassassin/segment-screen.js';
import { FACTS, message, debianSpamAssassin, spamAssassinFiredEach } from './helpers.js';
import { perlMatches as perlMatchesOf } from './perl-matches.js';

const FIXTURES = `${import.meta.dirname}/fixtures/messages`;

describeWithPeer(debianSpamAssassin, "Debian's SpamAssassin rules", () => {
  let loaded: LoadedRules;
  beforeAll(async () => {
    const directory = await findDebianRuleDirectory();
    loaded = await loadSpamAssassinRules(directory!);
  });

  it('parses every file without a problem and runs most rules', () => {
    expect(loaded.files.length).toBeGreaterThan(50);
    expect(loaded.config.problems).toEqual([]);
    const { defined, loaded: running, unsupportedByReason } = loaded.rules.stats;
    console.info(`SpamAssassin rules: ${running} of ${defined} run`, unsupportedByReason);
    expect(running + loaded.rules.unsupported.length).toBe(defined);
    // Measured: 2494 of 2879 with the rules of spamassassin 4.0.1 (docs/spam-scoring.md).
    expect(running / defined).toBeGreaterThan(0.7);
  });

  const fixtures = readdirSync(FIXTURES).map((file) => ({
    file,
    bytes: readFileSync(`${FIXTURES}/${file}`),
  }));
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      fixtures.map(({ bytes }) => bytes),
      '',
      /./,
    );
  });

  it('asks spamassassin -t about every fixture, GTUBE among them', () => {
    expect(fixtures.map(({ file }) => file)).toContain('gtube.eml');
    expect(theirs[fixtures.findIndex(({ file }) => file === 'gtube.eml')]).toContain('GTUBE');
  });

  for (const [index, { file, bytes }] of fixtures.entries())
    it(`fires only rules that spamassassin -t fires on the same message: ${file}`, () => {
      const ours = loaded.rules
        .evaluate(new SaMessageView(bytes, summarize(bytes)), 0)
        .map((hit) => hit.name);
      expect({ file, extra: ours.filter((rule) => !theirs[index]!.includes(rule)) }).toEqual({
        file,
        extra: [],
      });
      expect(ours.length, file).toBeGreaterThan(0);
    });

  it('tags the GTUBE message through the engine at the top of the scale', async () => {
    const engine = new SpamEngine({ tests: [spamAssassinTest(loaded.rules)], blockScore: 10 });
    const rated = await engine.rate(FACTS, message(readFileSync(`${FIXTURES}/gtube.eml`)));
    expect(rated.action).toBe('tag');
    expect(rated.score).toBe(10);
    expect(rated.hits.map((hit) => hit.name)).toContain('GTUBE');
    const ham = await engine.rate(FACTS, message(readFileSync(`${FIXTURES}/ham.eml`)));
    expect(ham.action).toBe('accept');
  });

  it('runs in V8 only bounded patterns, which find what re2js finds, hostile texts too', () => {
    // Hostile: long runs that the rules' classes almost match (words, digits, spaces, octets).
    const hostile = [
      'a'.repeat(10_000),
      '1'.repeat(10_000),
      'ab '.repeat(3_000),
      ' \n'.repeat(3_000),
      '\xd0\xb5e'.repeat(3_000),
      'Name: '.repeat(2_000),
    ];
    const texts = [
      ...hostile,
      ...readdirSync(FIXTURES).map((file) => readFileSync(`${FIXTURES}/${file}`, 'latin1')),
    ];
    let bounded = 0;
    for (const { definition, operator } of perlMatches(loaded)) {
      const js = boundedJsRegex(operator.pattern, operator.flags);
      const re2 = translatePerlRegex(operator.pattern, operator.flags);
      if (js === null || !re2.ok) continue;
      bounded++;
      expect(js.steps).toBeLessThanOrEqual(MAX_BACKTRACKING_STEPS);
      for (const text of texts) {
        js.regex.lastIndex = 0;
        const found = js.regex.test(text);
        const expected = re2.regex.test(re2.reversed ? reverseText(text) : text);
        expect({ rule: definition.name, found }).toEqual({
          rule: definition.name,
          found: expected,
        });
      }
    }
    console.info(`${bounded} patterns run in V8`);
    expect(bounded).toBeGreaterThan(500);
  }, 300_000);

  it('runs in V8 alone the bounded patterns re2js refuses, which find what Perl finds, 100x hostile texts too', () => {
    // Issue 15: backreferences and counts over RE2's limit, where the bound holds.
    const hostile = [
      'a'.repeat(1_000),
      '1'.repeat(1_000),
      ' \n'.repeat(300),
      ',a'.repeat(500),
      '<!-- a'.repeat(200),
      `Message-Id: <abcd01234567$89abcdef$${'f'.repeat(400)}`,
    ];
    const fixtures = readdirSync(FIXTURES).map((file) =>
      readFileSync(`${FIXTURES}/${file}`, 'latin1'),
    );
    const alone: { name: string; pattern: string; flags: string; regex: RegExp }[] = [];
    for (const { definition, operator } of perlMatches(loaded)) {
      const js = boundedJsRegex(operator.pattern, operator.flags);
      if (js === null || translatePerlRegex(operator.pattern, operator.flags).ok) continue;
      expect(js.steps).toBeLessThanOrEqual(MAX_BACKTRACKING_STEPS);
      alone.push({ name: definition.name, ...operator, regex: js.regex });
    }
    const texts = [...fixtures, ...hostile];
    const perl = perlMatchesOf(
      alone.map(({ pattern, flags }) => [pattern, flags]),
      texts,
    );
    alone.forEach(({ name, regex }, i) => {
      texts.forEach((text, t) => {
        regex.lastIndex = 0;
        expect({ rule: name, text: t, found: regex.test(text) }).toEqual({
          rule: name,
          text: t,
          found: perl[i]![t],
        });
      });
      for (const text of hostile) {
        regex.lastIndex = 0;
        regex.test(text.repeat(100));
      }
    });
    console.info(`${alone.length} patterns re2js refuses run in V8`);
    expect(alone.length).toBeGreaterThanOrEqual(9);
  }, 300_000);

  it("screens re2js's patterns only where they cannot match, in linear time, 100x hostile texts too", () => {
    const hostile = [
      'a'.repeat(1_000),
      '1'.repeat(1_000),
      'ab '.repeat(300),
      ' \n'.repeat(300),
      '\xd0\xb5e'.repeat(300),
      'Name: '.repeat(200),
      'x__y__'.repeat(200),
    ];
    const fixtures = readdirSync(FIXTURES).map((file) =>
      readFileSync(`${FIXTURES}/${file}`, 'latin1'),
    );
    let screened = 0;
    for (const { definition, operator } of perlMatches(loaded)) {
      if (boundedJsRegex(operator.pattern, operator.flags) !== null) continue;
      const re2 = translatePerlRegex(operator.pattern, operator.flags);
      const parts = segmentScreenParts(operator.pattern, operator.flags);
      if (!re2.ok || parts.length === 0) continue;
      screened++;
      for (const text of [...fixtures, ...hostile]) {
        const matches = re2.regex.test(re2.reversed ? reverseText(text) : text);
        const passes = parts.every((part) => part.regex.test(text));
        if (matches)
          expect({ rule: definition.name, passes }).toEqual({
            rule: definition.name,
            passes: true,
          });
      }
      // 100 times the hostile texts: bounded parts, so about 100 times the work, never more.
      for (const text of hostile) {
        const long = text.repeat(100);
        for (const part of parts)
          if (part.regex.test(text)) expect(part.regex.test(long), part.perl).toBe(true);
          else part.regex.test(long);
      }
    }
    console.info(`${screened} patterns on re2js screened in V8`);
    expect(screened).toBeGreaterThan(300);
  }, 300_000);
});

/** Each pattern rule of the set with its Perl match operator, tags replaced (metas and evals have none). */
function* perlMatches(loaded: LoadedRules) {
  for (const definition of loaded.config.rules.values()) {
    if (definition.kind === 'meta' || definition.spec.startsWith('eval:')) continue;
    const spec = loaded.config.replaceRules.has(definition.name)
      ? replaceTags(definition.spec, loaded.config)
      : definition.spec;
    const operator = readPerlMatch(
      /header$/.test(definition.kind) ? spec.replace(/^[^=!]*[=!]~\s*/, '') : spec,
    );
    if (operator) yield { definition, operator };
  }
}
