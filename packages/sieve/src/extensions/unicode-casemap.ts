import type { ComparatorDefinition, SieveExtension } from '../compiler/definitions.js';
import { OCTET } from './comparators.js';

/**
 * The four digraph letters whose titlecase differs from their uppercase (U+01C4..U+01CC,
 * U+01F1..U+01F3): JavaScript has uppercase and lowercase mappings but no titlecase one.
 */
const DIGRAPH_TITLECASE: Readonly<Record<string, string>> = {
  '\u01C4': '\u01C5',
  '\u01C5': '\u01C5',
  '\u01C6': '\u01C5',
  '\u01C7': '\u01C8',
  '\u01C8': '\u01C8',
  '\u01C9': '\u01C8',
  '\u01CA': '\u01CB',
  '\u01CB': '\u01CB',
  '\u01CC': '\u01CB',
  '\u01F1': '\u01F2',
  '\u01F2': '\u01F2',
  '\u01F3': '\u01F2',
};

/**
 * RFC 5051's canonical form: each character's simple titlecase mapping, then normalization form
 * KD. A character whose uppercase is one character takes it (for every other letter the simple
 * titlecase and uppercase mappings agree); one whose uppercase is longer (`ß` to `SS`, `ﬁ` to
 * `FI`) has no simple mapping and stays as it is, as the RFC's "simple" requires.
 */
export function unicodeCasemap(value: string): string {
  let out = '';
  for (const character of value) {
    const digraph = DIGRAPH_TITLECASE[character];
    if (digraph !== undefined) {
      out += digraph;
      continue;
    }
    const upper = character.toUpperCase();
    out += upper.length === character.length ? upper : character;
  }
  return out.normalize('NFKD');
}

/** `i;unicode-casemap` (RFC 5051): equality, substring and ordering on the canonical form. */
export const UNICODE_CASEMAP: ComparatorDefinition = {
  name: 'i;unicode-casemap',
  normalize: unicodeCasemap,
  equals: (a, b) => a === b || unicodeCasemap(a) === unicodeCasemap(b),
  compare: (a, b) => OCTET.compare(unicodeCasemap(a), unicodeCasemap(b)),
};

/** `require "comparator-i;unicode-casemap"`. */
export const comparatorUnicodeCasemap: SieveExtension = {
  capability: 'comparator-i;unicode-casemap',
  comparators: [UNICODE_CASEMAP],
};
