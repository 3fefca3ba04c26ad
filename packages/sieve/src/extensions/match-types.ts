import type { ComparatorDefinition, MatchTypeDefinition } from '../compiler/definitions.js';
import { type GlobPattern, matchGlob, parseGlob } from '../compiler/glob.js';

/**
 * Values in a comparator's canonical form, computed once per list: header values come from the
 * message's cache as the same frozen array every time, so a script that tests Subject in fifty
 * rules folds its case once. Entries die with the lists (a WeakMap), so nothing outlives the
 * message.
 */
const canonicalCache = new WeakMap<
  ComparatorDefinition,
  WeakMap<readonly string[], readonly string[]>
>();

export function canonicalValues(
  comparator: ComparatorDefinition,
  values: readonly string[],
): readonly string[] {
  const normalize = comparator.normalize;
  if (!normalize || values.length === 0) return values;
  // Only a frozen list can be cached by identity: SieveMessage freezes the lists it caches.
  if (!Object.isFrozen(values)) return values.map(normalize);
  let byList = canonicalCache.get(comparator);
  if (!byList) {
    byList = new WeakMap();
    canonicalCache.set(comparator, byList);
  }
  let canonical = byList.get(values);
  if (!canonical) {
    canonical = values.map(normalize);
    byList.set(values, canonical);
  }
  return canonical;
}

interface PreparedKeys {
  readonly keys: readonly string[];
  /** The keys in the comparator's canonical form, or null for a comparator without one. */
  readonly canonical: readonly string[] | null;
}

/** `:is` (RFC 5228 section 2.7.1): equal under the comparator. */
export const IS: MatchTypeDefinition<PreparedKeys> = {
  name: 'is',
  prepare: (keys, comparator) => ({
    keys,
    canonical: comparator.normalize ? keys.map(comparator.normalize) : null,
  }),
  match(values, prepared, comparator, _argument, context) {
    context.step(values.length * prepared.keys.length);
    if (prepared.canonical) {
      const keys = prepared.canonical;
      for (const value of canonicalValues(comparator, values))
        if (keys.includes(value)) return true;
      return false;
    }
    for (const value of values)
      for (const key of prepared.keys) if (comparator.equals(value, key)) return true;
    return false;
  },
};

/** `:contains`: the key is a substring of the value, in the comparator's canonical form. */
export const CONTAINS: MatchTypeDefinition<readonly string[]> = {
  name: 'contains',
  substring: true,
  prepare: (keys, comparator) => (comparator.normalize ? keys.map(comparator.normalize) : keys),
  match(values, keys, comparator, _argument, context) {
    context.step(values.length * keys.length);
    for (const value of canonicalValues(comparator, values)) {
      for (const key of keys) if (value.includes(key)) return true;
    }
    return false;
  },
};

/** Offsets of the wildcards' matches, reused from one match to the next (runs are synchronous). */
const scratch: number[] = [];

/**
 * `:matches`: `*` and `?` wildcards, matched by the linear glob matcher (never a regular
 * expression). On success the match variables get the whole value and each wildcard's text
 * (RFC 5229 section 3.2), taken from the value as written, not its canonical form.
 */
export const MATCHES: MatchTypeDefinition<readonly GlobPattern[]> = {
  name: 'matches',
  substring: true,
  prepare: (keys, comparator) =>
    keys.map((key) => parseGlob(comparator.normalize ? comparator.normalize(key) : key)),
  match(values, patterns, comparator, _argument, context) {
    context.step(values.length * patterns.length);
    const canonicalList = canonicalValues(comparator, values);
    const captures = context.captures ? scratch : null;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      const canonical = canonicalList[i]!;
      for (const pattern of patterns) {
        if (!matchGlob(pattern, canonical, captures, context)) continue;
        if (captures) {
          // The comparators with substring support keep lengths (ASCII case folding), so offsets
          // in the canonical form are offsets in the value too.
          const source = canonical.length === value.length ? value : canonical;
          const found = [value];
          for (let k = 0; k < pattern.wildcards * 2; k += 2)
            found.push(source.slice(captures[k], captures[k + 1]));
          context.setMatchValues(found);
        }
        return true;
      }
    }
    return false;
  },
};
