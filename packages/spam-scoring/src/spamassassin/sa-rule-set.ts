import type { Matcher as Re2Matcher, RE2JS } from 're2js';
import type { SaConfig, SaRuleKind } from './cf-parser.js';
import type { HeaderModifier, SaMessageView } from './message-view.js';
import { type MetaExpression, parseMetaExpression } from './meta-expression.js';
import { readPerlMatch, translatePerlRegex } from './perl-regex.js';
import { SA_EVAL_TESTS, parseEvalCall } from './eval-tests.js';
import { reverseText } from './regex-reverse.js';
import { HAND_WRITTEN_PATTERNS, type HandWrittenPattern } from './hand-written-patterns.js';
import { REWRITTEN_PATTERNS } from './rewritten-patterns.js';
import { replaceTags } from './replace-tags.js';
import { requiredLiterals } from './required-literal.js';
import { LiteralScanner } from './literal-scanner.js';
import { type BoundedJsRegex, boundedJsRegex } from './bounded-js-regex.js';
import { necessaryCondition } from './necessary-conditions.js';
import { segmentScreens } from './segment-screen.js';
import { CapturedTags, capturedTags, fillTemplate, templateTags } from './capture-rules.js';

/** SpamAssassin's four score sets: 0 no network, no Bayes; 1 network; 2 Bayes; 3 both. */
export type ScoreSet = 0 | 1 | 2 | 3;

/** A rule that fired. */
export interface SaRuleHit {
  readonly name: string;
  readonly score: number;
  readonly description: string;
}

/** Why a defined rule does not run. */
export interface UnsupportedRule {
  readonly name: string;
  readonly kind: SaRuleKind;
  /** `eval:check_rbl`, `regex: lookahead`, `network test`, `depends on X`... */
  readonly reason: string;
}

export interface SaRuleSetStats {
  /** Rules defined by the files (after `if`/`ifplugin`). */
  readonly defined: number;
  /** Rules that run. */
  readonly loaded: number;
  /** Rules that do not run, by reason (regex reasons grouped, evals by function). */
  readonly unsupportedByReason: Readonly<Record<string, number>>;
}

/** `tags`: what this message's capture rules captured so far (capture-rules.ts). */
type Matcher = (view: SaMessageView, maxHits: number, tags: CapturedTags) => number;

/** What a capture rule puts in the message's tags when it fires (capture-rules.ts). */
type Capture = (view: SaMessageView, maxHits: number, tags: CapturedTags) => void;

interface CompiledRule {
  readonly name: string;
  readonly kind: SaRuleKind;
  readonly scores: readonly number[];
  readonly description: string;
  readonly maxHits: number;
  readonly match?: Matcher;
  readonly meta?: MetaExpression;
  /** A capture rule: sets its tags when it fires. */
  readonly capture?: Capture;
  /** A template rule (`%{NAME}`): the capture rules that set its tags. */
  readonly tagSources?: readonly string[];
}

/** Capture rules run first, template rules last, as SpamAssassin's priorities order them. */
const phaseOf = (rule: CompiledRule) => (rule.capture ? 0 : rule.tagSources ? 2 : 1);

/**
 * A SpamAssassin rule set compiled once: every pattern translated to RE2 and compiled when the
 * set is built, metas parsed into trees and put in dependency order. Rating a message walks
 * this, lazily rendering only the views (headers, body, URIs) the rules ask for.
 */
export class SaRuleSet {
  readonly unsupported: readonly UnsupportedRule[];
  readonly stats: SaRuleSetStats;
  readonly requiredScore: number;
  private readonly plain: readonly CompiledRule[];
  private readonly metas: readonly CompiledRule[];
  /** By score set: the rules whose outcome can reach the score (see scoring). */
  private readonly scoringBySet = new Map<ScoreSet, ReadonlySet<string>>();

  private constructor(
    plain: CompiledRule[],
    metas: CompiledRule[],
    unsupported: UnsupportedRule[],
    defined: number,
    requiredScore: number,
  ) {
    this.plain = [...plain].sort((a, b) => phaseOf(a) - phaseOf(b));
    this.metas = metas;
    this.unsupported = unsupported;
    this.requiredScore = requiredScore;
    const byReason: Record<string, number> = {};
    for (const { reason } of unsupported) {
      const key = reason.startsWith('regex: ')
        ? `regex: ${reason.slice(7).replace(/:.*/, '')}`
        : reason.startsWith('depends on ')
          ? 'meta on a rule that does not run'
          : reason;
      byReason[key] = (byReason[key] ?? 0) + 1;
    }
    this.stats = { defined, loaded: plain.length + metas.length, unsupportedByReason: byReason };
  }

  static compile(config: SaConfig): SaRuleSet {
    const plain: CompiledRule[] = [];
    const metaSources: { rule: Omit<CompiledRule, 'meta'>; meta: MetaExpression }[] = [];
    const unsupported: UnsupportedRule[] = [];
    const offline = new Set<string>();
    const literals = new LiteralIndex();
    // The tags each capture rule sets, for the template rules that read them.
    const capturers = new Map<string, string[]>();
    const captureRules = new Set<string>();
    for (const { name, kind, spec } of config.rules.values())
      if (kind !== 'meta' && !spec.startsWith('eval:'))
        for (const tag of capturedTags(spec)) {
          capturers.set(tag, [...(capturers.get(tag) ?? []), name]);
          captureRules.add(name);
        }
    for (const definition of config.rules.values()) {
      const { name, kind } = definition;
      const flags = config.tflags.get(name) ?? [];
      const base = {
        name,
        kind,
        scores: scoresOf(config, name),
        description: config.descriptions.get(name) ?? name,
        maxHits: flags.includes('multiple') ? maxHitsOf(flags) : 1,
      };
      const refuse = (reason: string) => unsupported.push({ name, kind, reason });
      if (flags.includes('net') && kind !== 'meta' && definition.spec.startsWith('eval:')) {
        // A DNS or network lookup. Run without the network, as SpamAssassin runs with -L, it
        // never fires: metas read it as 0, exactly (not as a guess). Network-flagged metas
        // and patterns read the message only, so they run.
        refuse('network test');
        offline.add(name);
        continue;
      }
      if (flags.includes('learn')) {
        refuse('Bayes rule (the Bayes test scores instead)');
        continue;
      }
      const written = REWRITTEN_PATTERNS.get(definition.spec) ?? definition.spec;
      const spec = config.replaceRules.has(name) ? withTags(written, config) : written;
      if (kind === 'meta') {
        try {
          metaSources.push({ rule: base, meta: parseMetaExpression(spec) });
        } catch (error) {
          refuse(`meta: ${(error as Error).message}`);
        }
        continue;
      }
      const noSubject = flags.includes('nosubject');
      const multiple = flags.includes('multiple');
      const tags = spec.startsWith('eval:') ? [] : templateTags(spec);
      if (tags.length > 0) {
        const uncaptured = tags.find((tag) => !capturers.has(tag));
        if (uncaptured) {
          refuse(`template tag %{${uncaptured}}: no rule captures it`);
          continue;
        }
        // Tried with a stand-in value: the values are literals, so what runs then runs always.
        const tried = fillTemplate(spec, new Map(tags.map((tag) => [tag, ['x']])));
        const check = compileMatcher(kind, tried!, config, null, noSubject, multiple);
        if (typeof check === 'string') refuse(check);
        else
          plain.push({
            ...base,
            match: templateMatcher(kind, spec, config, noSubject, multiple),
            tagSources: tags.flatMap((tag) => capturers.get(tag)!),
          });
        continue;
      }
      const compiled = compileMatcher(kind, spec, config, literals, noSubject, multiple);
      if (typeof compiled === 'string') {
        refuse(compiled);
        continue;
      }
      if (captureRules.has(name)) {
        const capture = compileCapture(kind, spec, config, noSubject, multiple);
        if (typeof capture === 'string') refuse(capture);
        else plain.push({ ...base, match: compiled, capture });
        continue;
      }
      plain.push({ ...base, match: compiled });
    }
    literals.seal();
    const metas = orderMetas(
      metaSources,
      new Set([...plain.map((rule) => rule.name), ...offline]),
      config,
      unsupported,
    );
    return new SaRuleSet(plain, metas, unsupported, config.rules.size, config.requiredScore ?? 5);
  }

  private scoring(scoreSet: ScoreSet): ReadonlySet<string> {
    let scoring = this.scoringBySet.get(scoreSet);
    if (!scoring) {
      scoring = scoringRules([...this.plain, ...this.metas], scoreSet);
      this.scoringBySet.set(scoreSet, scoring);
    }
    return scoring;
  }

  /**
   * The rules that fire on the message, with their score in `scoreSet` (zero-score and `__` rules
   * left out). `cpuByRule`, when given, gets each plain rule's matching time added (in
   * milliseconds, `performance.now()`), for finding the costly rules (bench/spam-rule-cpu.ts).
   */
  evaluate(view: SaMessageView, scoreSet: ScoreSet, cpuByRule?: Map<string, number>): SaRuleHit[] {
    const counts = new Map<string, number>();
    const scoring = this.scoring(scoreSet);
    const tags = new CapturedTags();
    for (const rule of this.plain) {
      if (!scoring.has(rule.name)) continue;
      const started = cpuByRule ? performance.now() : 0;
      const count = rule.match!(view, rule.maxHits, tags);
      if (count > 0 && rule.capture) rule.capture(view, rule.maxHits, tags);
      if (cpuByRule)
        cpuByRule.set(rule.name, (cpuByRule.get(rule.name) ?? 0) + performance.now() - started);
      if (count > 0) counts.set(rule.name, count);
    }
    const hits = (name: string) => counts.get(name) ?? 0;
    for (const rule of this.metas) {
      if (!scoring.has(rule.name)) continue;
      const value = rule.meta!.evaluate(hits);
      if (value) counts.set(rule.name, value > 0 ? value : 1);
    }
    const fired: SaRuleHit[] = [];
    for (const rule of [...this.plain, ...this.metas]) {
      const score = rule.scores[scoreSet]!;
      if (!counts.has(rule.name) || rule.name.startsWith('__') || score === 0) continue;
      fired.push({ name: rule.name, score, description: rule.description });
    }
    return fired;
  }
}

/**
 * The rules that can change a score in `scoreSet`: those with a score there, and what the metas
 * among them read, transitively. Any other rule (a zero-score rule read only by zero-score
 * metas, such as __FILL_THIS_FORM_FRAUD_PHISH1) is not run: no hit could come of it.
 */
function scoringRules(rules: readonly CompiledRule[], scoreSet: ScoreSet): ReadonlySet<string> {
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  const scoring = new Set<string>();
  const pending = rules.filter((rule) => rule.scores[scoreSet] !== 0).map((rule) => rule.name);
  for (const name of pending) scoring.add(name);
  while (pending.length > 0) {
    const rule = byName.get(pending.pop()!);
    for (const dependency of [...(rule?.meta?.dependencies ?? []), ...(rule?.tagSources ?? [])]) {
      if (scoring.has(dependency)) continue;
      scoring.add(dependency);
      pending.push(dependency);
    }
  }
  return scoring;
}

function withTags(spec: string, config: SaConfig): string {
  return spec.replace(
    /(\/|m\{)(.*)(\/|\})([a-z]*)/s,
    (_, open: string, body: string, close: string, flags: string) =>
      `${open}${replaceTags(body, config)}${close}${flags}`,
  );
}

function scoresOf(config: SaConfig, name: string): number[] {
  const given = config.scores.get(name);
  if (given)
    return given.length >= 4 ? given.slice(0, 4) : [given[0]!, given[0]!, given[0]!, given[0]!];
  // SpamAssassin's defaults (Conf::Parser's fix_tests): 1, 0.01 for a rule in testing, and
  // negative for a rule flagged `nice` (one that marks ham, such as MAILING_LIST_MULTI).
  const magnitude = name.startsWith('__') ? 0 : name.startsWith('T_') ? 0.01 : 1;
  const fallback = (config.tflags.get(name) ?? []).includes('nice') ? -magnitude : magnitude;
  return [fallback, fallback, fallback, fallback];
}

function maxHitsOf(flags: readonly string[]): number {
  const given = flags.find((flag) => flag.startsWith('maxhits='));
  const value = given ? Number(given.slice(8)) : NaN;
  return Number.isSafeInteger(value) && value > 0 ? value : 1000;
}

/** Returns the matcher, or the reason it cannot be built. */
function compileMatcher(
  kind: SaRuleKind,
  spec: string,
  config: SaConfig,
  literals: LiteralIndex | null,
  noSubject = false,
  multiple = false,
): Matcher | string {
  if (spec.startsWith('eval:')) return compileEval(spec, config, kind);
  if (kind === 'header' || kind === 'mimeheader') return compileHeaderMatcher(kind, spec);
  const operator = readPerlMatch(spec);
  if (!operator) return 'regex: not a match operator';
  const translated = runnableRegex(operator.pattern, operator.flags);
  if (!translated.ok) {
    // Only by hand (a pattern neither engine runs): whether a text matches, not how often, so
    // not for a rule that counts (`tflags multiple`).
    const byHand = HAND_WRITTEN_PATTERNS.get(
      operator.flags === '' ? operator.pattern : `(?${operator.flags})${operator.pattern}`,
    );
    if (!byHand || multiple) return `regex: ${translated.reason}`;
    const textsOf = textsOfKind(kind, noSubject, config);
    return (view) => (textsOf(view).some((text) => byHand(text)) ? 1 : 0);
  }
  // These views are arrays kept for the message, so what is found in them can be kept too.
  const search = searchOf(translated, operator.pattern, operator.flags, literals);
  const byHand = HAND_WRITTEN_PATTERNS.get(
    operator.flags === '' ? operator.pattern : `(?${operator.flags})${operator.pattern}`,
  );
  if (byHand) search.handWritten = byHand;
  switch (kind) {
    case 'body':
      // `tflags nosubject`: Check.pm skips the body's first line, the Subject.
      return noSubject
        ? (view, max) => countIn(view.body(), search, max, view.bodySubjectLines())
        : (view, max) => countIn(view.body(), search, max);
    case 'rawbody':
      return (view, max) => countIn(view.rawBody(), search, max);
    case 'uri':
      return (view, max) => countIn(view.uris(config), search, max);
    default:
      return (view, max) => countIn(fullTexts(view), search, max);
  }
}

/** The texts a body, rawbody, uri or full rule reads. */
function textsOfKind(
  kind: SaRuleKind,
  noSubject: boolean,
  config: SaConfig,
): (view: SaMessageView) => readonly string[] {
  return kind === 'body'
    ? (view) => view.body().slice(noSubject ? view.bodySubjectLines() : 0)
    : kind === 'rawbody'
      ? (view) => view.rawBody()
      : kind === 'uri'
        ? (view) => view.uris(config)
        : fullTexts;
}

/**
 * What a capture rule that fired puts in the message's tags: its named groups' values at its
 * first match (every match, up to `maxHits`, for `tflags multiple`), as Check.pm saves them. Run
 * by re2js, linear; a capture rule re2js cannot run is refused.
 */
function compileCapture(
  kind: SaRuleKind,
  spec: string,
  config: SaConfig,
  noSubject: boolean,
  multiple: boolean,
): Capture | string {
  let textsOf: (view: SaMessageView) => readonly string[];
  let operator: ReturnType<typeof readPerlMatch>;
  if (kind === 'header') {
    const test = HEADER_TEST.exec(spec);
    if (!test || test[3] !== '=~') return 'capture rule: not a header match';
    const [, header, modifier] = test;
    operator = readPerlMatch(test[4]!);
    const unset = operator && /^\[if-unset:\s?(.*)\]$/.exec(operator.rest)?.[1];
    textsOf = (view) => [view.header(header!, (modifier ?? null) as HeaderModifier) ?? unset ?? ''];
  } else if (kind === 'mimeheader') return 'capture rule: mimeheader';
  else {
    operator = readPerlMatch(spec);
    textsOf = textsOfKind(kind, noSubject, config);
  }
  if (!operator) return 'regex: not a match operator';
  const translated = translatePerlRegex(operator.pattern, operator.flags);
  if (!translated.ok || !translated.regex) return 'regex: a capture rule RE2 cannot run';
  const regex = translated.regex;
  const names = capturedTags(operator.pattern);
  return (view, maxHits, tags) => {
    let found = 0;
    for (const text of textsOf(view)) {
      const matcher = regex.matcher(text);
      while (matcher.find()) {
        for (const name of names) {
          const value = matcher.group(name);
          if (value !== null && value !== undefined) tags.add(name, value);
        }
        if (!multiple || ++found >= maxHits) return;
        // An empty match: step past it, as Perl's //g does.
        if (matcher.end() === matcher.start() && matcher.end() >= text.length) break;
      }
    }
  };
}

/** Template rules' filled patterns compiled, per rule (values differ from message to message). */
export const MAX_COMPILED_TEMPLATES = 256;

/**
 * A template rule (`%{NAME}`): filled with this message's tags, compiled (kept for the next
 * message with the same values), then run; not run where a tag is not set. A filled pattern is
 * compiled only when a text holds a literal every match must contain (the values among them).
 */
function templateMatcher(
  kind: SaRuleKind,
  spec: string,
  config: SaConfig,
  noSubject: boolean,
  multiple: boolean,
): Matcher {
  const compiled = new Map<string, Matcher | null>();
  const textsOf =
    kind === 'header' || kind === 'mimeheader' ? null : textsOfKind(kind, noSubject, config);
  return (view, max, tags) => {
    const filled = fillTemplate(spec, tags.map);
    if (filled === null) return 0;
    if (textsOf && !mayMatch(filled, textsOf(view))) return 0;
    let matcher = compiled.get(filled);
    if (matcher === undefined) {
      const built = compileMatcher(kind, filled, config, null, noSubject, multiple);
      matcher = typeof built === 'string' ? null : built;
      if (compiled.size >= MAX_COMPILED_TEMPLATES) compiled.clear();
      compiled.set(filled, matcher);
    }
    return matcher ? matcher(view, max, tags) : 0;
  };
}

/** False when no text holds any literal every match of the rule `spec` contains. */
function mayMatch(spec: string, texts: readonly string[]): boolean {
  const operator = readPerlMatch(spec);
  if (!operator || operator.flags.includes('x')) return true;
  const required = requiredLiterals(operator.pattern);
  if (!required) return true;
  const caseless = operator.flags.includes('i') || /\(\?[a-z]*i/.test(operator.pattern);
  const literals = caseless ? required.map((literal) => literal.toLowerCase()) : required;
  const searched = caseless ? lowerCased(texts, true) : texts;
  return searched.some((text) => literals.some((literal) => text.includes(literal)));
}

function compileEval(spec: string, config: SaConfig, kind: SaRuleKind): Matcher | string {
  const call = parseEvalCall(spec);
  const unsupported = `eval:${/^eval:(\w+)/.exec(spec)?.[1] ?? '?'}`;
  const factory =
    call && Object.hasOwn(SA_EVAL_TESTS, call.name) ? SA_EVAL_TESTS[call.name]! : null;
  const test = factory?.(call!.args, config, kind) ?? null;
  return test ? (view) => test(view, call!.args) : unsupported;
}

/** `Header:modifier =~ /pattern/`: the header, its modifier, the operator, the match. */
const HEADER_TEST =
  /^([\w-]+)(?::(raw|addr|name|host|domain|ip|revip|first|last))*\s*(=~|!~)\s*(.*)$/s;

function compileHeaderMatcher(kind: SaRuleKind, spec: string): Matcher | string {
  const exists = /^exists:([\w-]+)\s*$/.exec(spec);
  if (exists) {
    const name = exists[1]!;
    return (view) => (view.header(name, 'raw') !== null ? 1 : 0);
  }
  const test = HEADER_TEST.exec(spec);
  if (!test) return 'header test not understood';
  const [, header, modifier, operator, rest] = test as unknown as [
    string,
    string,
    string | undefined,
    string,
    string,
  ];
  if (modifier && !['raw', 'addr', 'name'].includes(modifier))
    return `header modifier :${modifier}`;
  const match = readPerlMatch(rest);
  if (!match) return 'regex: not a match operator';
  const translated = runnableRegex(match.pattern, match.flags);
  const byHand = HAND_WRITTEN_PATTERNS.get(
    match.flags === '' ? match.pattern : `(?${match.flags})${match.pattern}`,
  );
  if (!translated.ok && byHand && kind === 'header') {
    const unsetValue = /^\[if-unset:\s?(.*)\]$/.exec(match.rest)?.[1] ?? null;
    return (view) => {
      const value =
        view.header(header, (modifier ?? null) as HeaderModifier, true) ?? unsetValue ?? '';
      return byHand(value) !== (operator === '!~') ? 1 : 0;
    };
  }
  if (!translated.ok) return `regex: ${translated.reason}`;
  const unset = /^\[if-unset:\s?(.*)\]$/.exec(match.rest)?.[1] ?? null;
  const regex = searchOf(translated, match.pattern, match.flags, null);
  const negate = operator === '!~';
  if (kind === 'mimeheader') {
    return (view, max) => {
      const count = countIn(view.mimeHeader(header, modifier === 'raw'), regex, max);
      return negate ? (count > 0 ? 0 : 1) : count;
    };
  }
  return (view, max) => {
    // Every address or name, a line each, as Check.pm reads `get` in list context.
    const value = view.header(header, (modifier ?? null) as HeaderModifier, true) ?? unset ?? '';
    const count = countIn([value], regex, max);
    return negate ? (count > 0 ? 0 : 1) : count;
  };
}

/**
 * The pattern translated for re2js; or, where RE2 cannot run it (a backreference, a count over
 * its limit) but V8 can in bounded time (bounded-js-regex.ts), no re2js regex: V8 runs it.
 */
function runnableRegex(
  pattern: string,
  flags: string,
): ReturnType<typeof translatePerlRegex> | { ok: true; regex: null } {
  const translated = translatePerlRegex(pattern, flags);
  if (translated.ok || boundedJsRegex(pattern, flags)?.nonEmpty !== true) return translated;
  return { ok: true, regex: null };
}

/** A compiled pattern with the literal every match contains, to skip texts without it. */
interface Search {
  /** Null: only V8 runs it (`bounded`), counting as Perl does. */
  readonly regex: RE2JS | null;
  /** A match contains one of these (lower case when `caseless`); null: no prefilter. */
  readonly literals: readonly string[] | null;
  readonly caseless: boolean;
  /**
   * Where `literals` are numbered (`literalIds`), to be found in one scan of a text for every
   * rule; null for texts made afresh for each rule (header values), which `includes` screens.
   */
  readonly index: LiteralIndex | null;
  readonly literalIds: readonly number[];
  /** The regex is meant for reversed texts (a pattern with lookaheads, see regex-reverse.ts). */
  readonly reversed: boolean;
  /** For a reversed regex: a looser one to run forwards first (null: none). */
  readonly relaxed: RE2JS | null;
  /** The groups where Perl's match ends, for a count (perl-regex.ts's lookaheadGroups). */
  readonly lookaheadGroups: readonly string[];
  /**
   * The same pattern for V8's engine, where its backtracking is bounded (bounded-js-regex.ts):
   * much faster per call than re2js, and as linear. Null: re2js runs it.
   */
  readonly bounded: BoundedJsRegex | null;
  /**
   * What every match implies, cheaper to test than the pattern (necessary-conditions.ts): a
   * text failing it is skipped. Null: none known.
   */
  readonly necessary: RegExp | null;
  /**
   * For a pattern re2js runs: the parts of it V8 can run in linear time that every match
   * contains (segment-screen.ts); a text where one fails is skipped. Empty: none.
   */
  readonly screens: readonly RegExp[];
  /**
   * A hand-written matcher of the same pattern (hand-written-patterns.ts), faster than re2js
   * and as linear: run instead of the regex where one match is enough (`max` 1).
   */
  handWritten: HandWrittenPattern | null;
}

function searchOf(
  {
    regex,
    reversed,
    relaxed,
    lookaheadGroups,
  }: {
    regex: RE2JS | null;
    reversed?: boolean;
    relaxed?: RE2JS;
    lookaheadGroups?: readonly string[];
  },
  pattern: string,
  flags: string,
  index: LiteralIndex | null,
): Search {
  const required = flags.includes('x') ? null : requiredLiterals(pattern);
  // An inline (?i) anywhere makes the whole prefilter caseless: never wrong, only less sharp.
  const caseless = flags.includes('i') || /\(\?[a-z]*i/.test(pattern);
  const literals = required && caseless ? required.map((l) => l.toLowerCase()) : required;
  const bounded = boundedJsRegex(pattern, flags);
  return {
    regex,
    literals,
    caseless,
    index: literals ? index : null,
    literalIds: literals && index ? index.idsOf(literals, caseless) : [],
    reversed: reversed === true,
    relaxed: relaxed ?? null,
    lookaheadGroups: lookaheadGroups ?? [],
    bounded,
    necessary: necessaryCondition(pattern, flags),
    screens: bounded === null && !flags.includes('x') ? segmentScreens(pattern, flags) : [],
    handWritten: null,
  };
}

const lowerCaseCopies = new WeakMap<readonly string[], readonly string[]>();

/**
 * The texts in lower case (ASCII letters only: Perl's /i on octets), once per view array (`keep`:
 * the array is the view's own, not one made for the rule).
 */
function lowerCased(texts: readonly string[], keep: boolean): readonly string[] {
  let lower = lowerCaseCopies.get(texts);
  if (!lower) {
    lower = texts.map((text) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()));
    if (keep) lowerCaseCopies.set(texts, lower);
  }
  return lower;
}

const fullTextArrays = new WeakMap<SaMessageView, readonly string[]>();

/** The full message as a view array kept for the message (so its scans are kept too). */
function fullTexts(view: SaMessageView): readonly string[] {
  let texts = fullTextArrays.get(view);
  if (!texts) fullTextArrays.set(view, (texts = [view.full()]));
  return texts;
}

/**
 * Every rule's prefilter literals, numbered, in two sets (as written, and lower case for
 * caseless patterns), each with one scanner: a view array is scanned once per set, and a rule
 * none of whose literals occurs anywhere in the array is skipped without another look.
 */
class LiteralIndex {
  private readonly ids = {
    sensitive: new Map<string, number>(),
    caseless: new Map<string, number>(),
  };
  private scanners: { sensitive: LiteralScanner; caseless: LiteralScanner } | null = null;
  /** By view array: for each literal, a bit for each text of the array that holds it. */
  private readonly found = {
    sensitive: new WeakMap<readonly string[], Int32Array>(),
    caseless: new WeakMap<readonly string[], Int32Array>(),
  };

  idsOf(literals: readonly string[], caseless: boolean): number[] {
    const ids = caseless ? this.ids.caseless : this.ids.sensitive;
    return literals.map((literal) => {
      let id = ids.get(literal);
      if (id === undefined) ids.set(literal, (id = ids.size));
      return id;
    });
  }

  /** Builds the scanners once every rule is compiled. */
  seal(): void {
    this.scanners = {
      sensitive: new LiteralScanner([...this.ids.sensitive.keys()]),
      caseless: new LiteralScanner([...this.ids.caseless.keys()]),
    };
  }

  /**
   * Which texts of a view array hold one of the literals `ids`: bit i for text i, up to
   * `LAST_TEXT_BIT`, whose bit stands for any text from there on (0: none holds one).
   */
  textsWith(texts: readonly string[], caseless: boolean, ids: readonly number[]): number {
    const set = caseless ? 'caseless' : 'sensitive';
    let found = this.found[set].get(texts);
    if (!found) {
      const scanner = this.scanners![set];
      found = new Int32Array(scanner.size);
      const scanned = caseless ? lowerCased(texts, true) : texts;
      for (let i = 0; i < scanned.length; i++) scanner.scan(scanned[i]!, found, textBit(i));
      this.found[set].set(texts, found);
    }
    let bits = 0;
    for (const id of ids) bits |= found[id]!;
    return bits;
  }
}

/** The last bit of a text mask, shared by every text from that index on. */
const LAST_TEXT_BIT = 31;

function textBit(index: number): number {
  return 1 << Math.min(index, LAST_TEXT_BIT);
}

const reversedCopies = new WeakMap<readonly string[], (string | undefined)[]>();

/** A text read backwards, once per view array and text (for patterns with lookaheads). */
function reversedText(texts: readonly string[], index: number): string {
  let copies = reversedCopies.get(texts);
  if (!copies) {
    copies = [];
    if (texts.length > 1) reversedCopies.set(texts, copies);
  }
  return (copies[index] ??= reverseText(texts[index]!));
}

/** How often `search` matches in `texts` from index `from` on, counting up to `max`. */
function countIn(texts: readonly string[], search: Search, max: number, from = 0): number {
  const { regex, literals, index } = search;
  // Which texts hold a literal, from the view's one scan; texts past the mask's bits, and texts
  // made for the rule (no index), are looked into one by one.
  const holding = index === null ? -1 : index.textsWith(texts, search.caseless, search.literalIds);
  if (holding === 0) return 0;
  const screened =
    literals === null ? null : search.caseless ? lowerCased(texts, index !== null) : texts;
  let count = 0;
  // Without a re2js regex, V8's count is the only one, and Perl's (no match is empty).
  const bounded =
    search.bounded !== null && (max === 1 || search.bounded.countsAsRe2js || search.regex === null);
  for (let i = from; i < texts.length; i++) {
    if (screened !== null) {
      if ((holding & textBit(i)) === 0) continue;
      const exact = index !== null && i < LAST_TEXT_BIT;
      if (!exact && !literals!.some((literal) => screened[i]!.includes(literal))) continue;
    }
    if (search.necessary !== null && !search.necessary.test(texts[i]!)) continue;
    if (search.handWritten !== null && max === 1) {
      if (search.handWritten(texts[i]!)) return 1;
      continue;
    }
    if (bounded) {
      const js = search.bounded!.regex;
      js.lastIndex = 0;
      while (count < max && js.exec(texts[i]!) !== null) count++;
      if (count >= max) break;
      continue;
    }
    if (!passesScreens(search.screens, texts[i]!)) continue;
    // A backwards run (lookbehinds, on re2js's slower NFA) only where the looser pattern
    // without lookarounds matches forwards.
    if (search.relaxed !== null && !search.relaxed.test(texts[i]!)) continue;
    const text = search.reversed ? reversedText(texts, i) : texts[i]!;
    if (max === 1) {
      if (regex!.test(text)) return 1;
      continue;
    }
    const matcher = regex!.matcher(text);
    if (search.lookaheadGroups.length === 0) {
      while (count < max && matcher.find()) count++;
    } else {
      for (let from = 0; count < max && from <= text.length && matcher.find(from); count++)
        from = perlMatchEnd(matcher, search.lookaheadGroups);
    }
    if (count >= max) break;
  }
  return count;
}

/** Whether the text passes every screen (segment-screen.ts) of a pattern. */
function passesScreens(screens: readonly RegExp[], text: string): boolean {
  for (const screen of screens) if (!screen.test(text)) return false;
  return true;
}

/**
 * Where Perl's match ends, and its next one may start: where the ending lookahead (made
 * consuming) begins, since Perl's lookahead only looked; past an empty match, one further on.
 */
function perlMatchEnd(matcher: Re2Matcher, lookaheadGroups: readonly string[]): number {
  let end = matcher.end();
  for (const group of lookaheadGroups) {
    const start = matcher.start(group);
    if (start >= 0) end = start;
  }
  return end > matcher.start() ? end : matcher.start() + 1;
}

/**
 * Metas in an order where each comes after what it reads. A rule that cannot run is taken as 0
 * where that can only make a meta fire less (a monotone position, see MetaExpression); such a
 * meta is then a lower bound, and may itself be read only where a lower bound is safe. A meta
 * that would read a guess under `!` is refused rather than fire on it.
 */
function orderMetas(
  sources: { rule: Omit<CompiledRule, 'meta'>; meta: MetaExpression }[],
  runnable: ReadonlySet<string>,
  config: SaConfig,
  unsupported: UnsupportedRule[],
): CompiledRule[] {
  const byName = new Map(sources.map((source) => [source.rule.name, source]));
  const state = new Map<string, 'visiting' | 'exact' | 'lower' | 'refused'>();
  const ordered: CompiledRule[] = [];
  const visit = (name: string): 'exact' | 'lower' | 'refused' => {
    const seen = state.get(name);
    if (seen === 'visiting') return 'refused';
    if (seen) return seen;
    const source = byName.get(name)!;
    state.set(name, 'visiting');
    let result: 'exact' | 'lower' = 'exact';
    for (const dependency of source.meta.dependencies) {
      // A rule no file defines is 0, as in SpamAssassin.
      if (runnable.has(dependency) || (!config.rules.has(dependency) && !byName.has(dependency)))
        continue;
      const status = byName.has(dependency) ? visit(dependency) : 'refused';
      if (status === 'exact') continue;
      if (source.meta.monotone.has(dependency) && state.get(dependency) !== 'visiting') {
        result = 'lower';
        continue;
      }
      state.set(name, 'refused');
      unsupported.push({ name, kind: 'meta', reason: `depends on ${dependency}` });
      return 'refused';
    }
    state.set(name, result);
    ordered.push({ ...source.rule, meta: source.meta });
    return result;
  };
  for (const name of byName.keys()) visit(name);
  return ordered;
}
