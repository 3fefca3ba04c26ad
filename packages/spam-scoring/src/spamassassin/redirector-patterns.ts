import type { RE2JS } from 're2js';
import { readPerlMatch, translatePerlRegex } from './perl-regex.js';
import { requiredLiterals } from './required-literal.js';

/**
 * The rule files' `redirector_pattern`s (Debian's 20_uri_tests.cf and 72_active.cf: zdnet's
 * chkpt, nate.com, .gov externalLink, redirect.php?goto=, Google's /url?q= and searches, AOL's
 * redir.adp...): a URI one of them matches names its target in the pattern's first group, which
 * uri_list_canonicalize (Util.pm) adds and canonicalizes in turn, before its generic
 * `https?://` inside the URI, which it tries only when no pattern gave a target. Run by re2js,
 * in time linear in the URI, their look-behinds (`(?<=[?&])goto=`) included; a pattern re2js
 * cannot run is left out. Each runs only on a URI holding one of the literals every match of it
 * holds (`redirect.php`, `google`...): most URIs hold none, and a message has dozens.
 */
export interface Redirector {
  readonly regex: RE2JS;
  /** One of these is in every URI it matches (lower case when `caseless`); null: not known. */
  readonly literals: readonly string[] | null;
  readonly caseless: boolean;
}

const compiled = new WeakMap<readonly string[], readonly Redirector[]>();

/** The patterns of a rule set, compiled once per list. */
export function compiledRedirectors(specs: readonly string[]): readonly Redirector[] {
  let redirectors = compiled.get(specs);
  if (redirectors) return redirectors;
  redirectors = specs.flatMap((spec) => {
    const operator = readPerlMatch(spec);
    if (!operator) return [];
    const translated = translatePerlRegex(operator.pattern, operator.flags);
    if (!translated.ok || translated.reversed) return [];
    const caseless = operator.flags.includes('i');
    const literals = requiredLiterals(operator.pattern);
    return [
      {
        regex: translated.regex,
        literals: literals && caseless ? literals.map((l) => l.toLowerCase()) : literals,
        caseless,
      },
    ];
  });
  compiled.set(specs, redirectors);
  return redirectors;
}

/**
 * The target the first pattern that matches names (its first group, when that holds a dot);
 * null when none does.
 */
export function redirectorTarget(uri: string, redirectors: readonly Redirector[]): string | null {
  let lowered: string | undefined;
  for (const { regex, literals, caseless } of redirectors) {
    if (literals) {
      const text = caseless ? (lowered ??= uri.toLowerCase()) : uri;
      if (!literals.some((literal) => text.includes(literal))) continue;
    }
    const matcher = regex.matcher(uri);
    if (!matcher.find()) continue;
    const target = matcher.group(1);
    if (target !== null && target !== undefined && target.includes('.')) return target;
  }
  return null;
}
