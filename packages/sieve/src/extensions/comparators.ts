import type { ComparatorDefinition, SieveExtension } from '../compiler/definitions.js';

/** `i;octet` (RFC 4790 section 9.3): the strings as they are, compared by code unit. */
export const OCTET: ComparatorDefinition = {
  name: 'i;octet',
  normalize: (value) => value,
  equals: (a, b) => a === b,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};

/** US-ASCII letters folded to upper case; every other character stays (RFC 4790 section 9.2). */
export function asciiUpper(value: string): string {
  // Fast path: most header values and keys have no lower-case letter to fold, or are ASCII.
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return value.toUpperCase();
  return value.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/** `i;ascii-casemap` (RFC 4790 section 9.2), the default comparator of Sieve. */
export const ASCII_CASEMAP: ComparatorDefinition = {
  name: 'i;ascii-casemap',
  normalize: asciiUpper,
  equals: (a, b) => a === b || asciiUpper(a) === asciiUpper(b),
  compare: (a, b) => OCTET.compare(asciiUpper(a), asciiUpper(b)),
};

/** The leading digits of a string with leading zeros dropped, or null when it starts with none. */
function numericPrefix(value: string): string | null {
  let end = 0;
  while (end < value.length && value.charCodeAt(end) >= 0x30 && value.charCodeAt(end) <= 0x39)
    end++;
  if (end === 0) return null;
  let start = 0;
  while (start < end - 1 && value.charCodeAt(start) === 0x30) start++;
  return value.slice(start, end);
}

/**
 * `i;ascii-numeric` (RFC 4790 section 9.1): the number the string starts with, of any size (digits
 * compared as text, never converted to a float that would lose precision); a string that does not
 * start with a digit is "positive infinity", equal to every other such string.
 */
export const ASCII_NUMERIC: ComparatorDefinition = {
  name: 'i;ascii-numeric',
  equals: (a, b) => ASCII_NUMERIC.compare(a, b) === 0,
  compare(a, b) {
    const x = numericPrefix(a);
    const y = numericPrefix(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  },
};

/** The comparator extension of RFC 4790 section 9.1 (`require "comparator-i;ascii-numeric"`). */
export const comparatorAsciiNumeric: SieveExtension = {
  capability: 'comparator-i;ascii-numeric',
  comparators: [ASCII_NUMERIC],
};
