import type { RE2JS } from 're2js';
import { readPerlMatch, translatePerlRegex } from './perl-regex.js';

/**
 * The rule files' `redirector_pattern`s (Debian's 20_uri_tests.cf and 72_active.cf: zdnet's
 * chkpt, nate.com, .gov externalLink, redirect.php?goto=, Google's /url?q= and searches, AOL's
 * redir.adp...): a URI one of them matches names its target in the pattern's first group, which
 * uri_list_canonicalize (Util.pm) adds and canonicalizes in turn, before its generic
 * `https?://` inside the URI, which it tries only when no pattern gave a target. Run by re2js,
 * in time linear in the URI, their look-behinds (`(?<=[?&])goto=`) included; a pattern re2js
 * cannot run is left out.
 */
const compiled = new WeakMap<readonly string[], readonly RE2JS[]>();

/** The patterns of a rule set, compiled once per list. */
export function compiledRedirectors(specs: readonly string[]): readonly RE2JS[] {
  let regexes = compiled.get(specs);
  if (regexes) return regexes;
  regexes = specs.flatMap((spec) => {
    const operator = readPerlMatch(spec);
    if (!operator) return [];
    const translated = translatePerlRegex(operator.pattern, operator.flags);
    return translated.ok && !translated.reversed ? [translated.regex] : [];
  });
  compiled.set(specs, regexes);
  return regexes;
}

/**
 * The target the first pattern that matches names (its first group, when that holds a dot);
 * null when none does.
 */
export function redirectorTarget(uri: string, redirectors: readonly RE2JS[]): string | null {
  for (const regex of redirectors) {
    const matcher = regex.matcher(uri);
    if (!matcher.find()) continue;
    const target = matcher.group(1);
    if (target !== null && target !== undefined && target.includes('.')) return target;
  }
  return null;
}
