import type { ComparatorDefinition, MatchTypeDefinition } from '../compiler/definitions.js';
import { type GlobPattern, matchGlob, parseGlob } from '../compiler/glob.js';

/** `:is` (RFC 5228 section 2.7.1): equal under the comparator. */
export const IS: MatchTypeDefinition<readonly string[]> = {
  name: 'is',
  prepare: (keys) => keys,
  match(values, keys, comparator, _argument, context) {
    context.step(values.length * keys.length);
    for (const value of values)
      for (const key of keys) if (comparator.equals(value, key)) return true;
    return false;
  },
};

/** `:contains`: the key is a substring of the value, in the comparator's canonical form. */
export const CONTAINS: MatchTypeDefinition<readonly string[]> = {
  name: 'contains',
  substring: true,
  prepare: (keys, comparator) => keys.map((key) => normalize(comparator, key)),
  match(values, keys, comparator, _argument, context) {
    context.step(values.length * keys.length);
    for (const value of values) {
      const canonical = normalize(comparator, value);
      for (const key of keys) if (canonical.includes(key)) return true;
    }
    return false;
  },
};

function normalize(comparator: ComparatorDefinition, value: string): string {
  return comparator.normalize ? comparator.normalize(value) : value;
}

/**
 * `:matches`: `*` and `?` wildcards, matched by the linear glob matcher (never a regular
 * expression). On success the match variables get the whole value and each wildcard's text
 * (RFC 5229 section 3.2), taken from the value as written, not its canonical form.
 */
export const MATCHES: MatchTypeDefinition<readonly GlobPattern[]> = {
  name: 'matches',
  substring: true,
  prepare: (keys, comparator) => keys.map((key) => parseGlob(normalize(comparator, key))),
  match(values, patterns, comparator, _argument, context) {
    context.step(values.length * patterns.length);
    const step = (count: number) => context.step(count);
    for (const value of values) {
      const canonical = normalize(comparator, value);
      // The comparators with substring support keep lengths (ASCII case folding), so offsets in
      // the canonical form are offsets in the value too.
      const sameLength = canonical.length === value.length;
      for (const pattern of patterns) {
        const spans: number[] | null = context.captures ? [] : null;
        if (!matchGlob(pattern, canonical, spans, step)) continue;
        if (spans) {
          const source = sameLength ? value : canonical;
          const found = [value];
          for (let i = 0; i < spans.length; i += 2)
            found.push(source.slice(spans[i], spans[i + 1]));
          context.setMatchValues(found);
        }
        return true;
      }
    }
    return false;
  },
};
