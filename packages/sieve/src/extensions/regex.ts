// The regex extension (draft-ietf-sieve-regex-01): the `:regex` match type and the `:quoteregex`
// modifier of `set`. Patterns are POSIX extended regular expressions; they run on re2js, an RE2
// port whose matching is linear in the input, never on JavaScript's backtracking RegExp, so a
// script cannot make delivery hang with a pathological pattern. What RE2 cannot do in linear time
// (backreferences, lookaround) is refused when the script is compiled.
import { RE2JS } from 're2js';
import type {
  ComparatorDefinition,
  MatchContext,
  MatchTypeDefinition,
  SieveExtension,
  VariableModifier,
} from '../compiler/definitions.js';

export interface RegexOptions {
  /** Longest pattern a script may give, in characters. Default 1024 (`DEFAULT_REGEX_OPTIONS`). */
  readonly maxPatternLength: number;
  /**
   * Patterns computed at run time (with variables) kept compiled, per extension instance, so a
   * rule run on every message does not compile its pattern each time. Default 256.
   */
  readonly maxCachedPatterns: number;
}

export const DEFAULT_REGEX_OPTIONS: RegexOptions = {
  maxPatternLength: 1024,
  maxCachedPatterns: 256,
};

/** The comparators `:regex` is defined for (the draft, section 3; Pigeonhole's set too). */
const REGEX_COMPARATORS = new Set(['i;octet', 'i;ascii-casemap']);

/** A compiled pattern, or why it did not compile. */
type CompiledPattern = RE2JS | { readonly error: string };

/**
 * POSIX semantics on RE2: leftmost-longest matching (POSIX 9.1), and `.` matches a newline, as
 * `regcomp` without REG_NEWLINE does; `^` and `$` anchor at the ends of the value only.
 */
const POSIX_FLAGS = RE2JS.LONGEST_MATCH | RE2JS.DOTALL;

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^error parsing regexp: /, '');
}

function compilePattern(
  pattern: string,
  comparator: ComparatorDefinition,
  options: RegexOptions,
): CompiledPattern {
  if (pattern.length > options.maxPatternLength) {
    return {
      error: `regular expression of ${pattern.length} characters is longer than the limit of ${options.maxPatternLength}`,
    };
  }
  const flags = POSIX_FLAGS | (comparator.name === 'i;ascii-casemap' ? RE2JS.CASE_INSENSITIVE : 0);
  try {
    return RE2JS.compile(pattern, flags);
  } catch (error) {
    return {
      error: `invalid regular expression '${pattern}': ${describeError(error)} (backreferences and lookaround are not supported: matching must run in linear time)`,
    };
  }
}

/** The `:regex` match type, with its options (pattern length, cache size). */
export function regexMatchType(
  options: RegexOptions = DEFAULT_REGEX_OPTIONS,
): MatchTypeDefinition<readonly CompiledPattern[]> {
  // Patterns with variables are compiled when run; a bounded cache keeps the latest ones.
  const cache = new Map<string, CompiledPattern>();
  const cached = (pattern: string, comparator: ComparatorDefinition): CompiledPattern => {
    const key = `${comparator.name}\u0000${pattern}`;
    let compiled = cache.get(key);
    if (compiled === undefined) {
      compiled = compilePattern(pattern, comparator, options);
      if (cache.size >= options.maxCachedPatterns) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(key, compiled);
    }
    return compiled;
  };
  return {
    name: 'regex',
    validateArgument(_argument, comparator) {
      if (REGEX_COMPARATORS.has(comparator.name)) return undefined;
      return `the :regex match type cannot be used with comparator '${comparator.name}' (only i;octet and i;ascii-casemap)`;
    },
    validateKey(key, comparator) {
      const compiled = compilePattern(key, comparator, options);
      return compiled instanceof RE2JS ? undefined : compiled.error;
    },
    prepare: (keys, comparator) => keys.map((key) => cached(key, comparator)),
    match(values, patterns, _comparator, _argument, context: MatchContext) {
      context.step(values.length * patterns.length);
      for (const pattern of patterns) {
        if (!(pattern instanceof RE2JS)) {
          context.fail(pattern.error);
          return false;
        }
      }
      for (const value of values) {
        for (const pattern of patterns as readonly RE2JS[]) {
          if (!context.captures) {
            if (pattern.test(value)) return true;
            continue;
          }
          const matcher = pattern.matcher(value);
          if (!matcher.find()) continue;
          // `${0}` is the text the expression matched, `${1}`... its groups ('' when a group
          // took no part in the match), as Pigeonhole sets them.
          const found: string[] = [];
          for (let group = 0; group <= Math.min(matcher.groupCount(), 9); group++)
            found.push(matcher.group(group) ?? '');
          context.setMatchValues(found);
          return true;
        }
      }
      return false;
    },
  };
}

/** `:quoteregex`: escapes what is special in a POSIX extended regular expression (precedence 20). */
export const QUOTEREGEX: VariableModifier = {
  name: 'quoteregex',
  precedence: 20,
  apply: (value) => value.replace(/[\\^$.[\]|()?*+{}]/g, '\\$&'),
};

/** The regex extension with its options (`maxPatternLength`, `maxCachedPatterns`). */
export function regexExtension(options: Partial<RegexOptions> = {}): SieveExtension {
  const resolved = { ...DEFAULT_REGEX_OPTIONS, ...options };
  return {
    capability: 'regex',
    matchTypes: [regexMatchType(resolved) as MatchTypeDefinition],
    variableModifiers: [QUOTEREGEX],
  };
}

/** The regex extension with the default options. */
export const regex: SieveExtension = regexExtension();
