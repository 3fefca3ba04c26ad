/**
 * SpamAssassin 4's capture rules (Conf.pm, "CAPTURING TAGS USING REGEX NAMED CAPTURE GROUPS"): a
 * pattern rule with a named group, `(?<NAME>...)`, sets the tag NAME to what the group matched
 * when the rule fires; a pattern holding `%{NAME}` is run with the tag's values put in its place,
 * each written as a literal (Perl's `quotemeta`), several as alternatives; and a rule whose tag
 * was not set is not run at all. Debian's rules use it once (72_active.cf): `__GB_TO_ADDR`
 * captures the To address, and GB_CUSTOM_HTM_URI's URI rules look for it in the message's links
 * (`...?email=<the recipient>`, a link made for the one recipient).
 *
 * Unlike SpamAssassin 4.0.1 in a long-lived process (spamd, or one Mail::SpamAssassin for many
 * messages): it compiles the filled pattern with Perl's `/o`, so every later message is matched
 * against the values of the first message the rule ran on (Plugin/Check.pm's
 * `capture_rules_replace` and the `/$test_qr/o` after it). Here each message gets its own.
 */

/** A tag name as Conf/Parser.pm's parse_captures and PerMsgStatus's set_captures accept it. */
const TAG_NAME = '[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*';

/** `%{NAME}` not escaped with a backslash. */
const TEMPLATE = new RegExp(`(?<!\\\\)%\\{(${TAG_NAME})\\}`, 'g');

/** A named group, as Conf/Parser.pm recognises one: `(?<NAME>`, `(?P<NAME>` or `(?'NAME'`. */
const NAMED_GROUP = new RegExp(`\\(\\?P?[<'](${TAG_NAME})[>']`, 'g');

/** Values kept per tag and message (a `tflags multiple` rule can capture one per match). */
export const MAX_TAG_VALUES = 100;

/** A filled pattern longer than this is not run (the rule does not fire). */
export const MAX_FILLED_PATTERN_LENGTH = 65_536;

/** The tags a pattern reads (`%{NAME}`), each once. */
export function templateTags(pattern: string): string[] {
  return [...new Set([...pattern.matchAll(TEMPLATE)].map((match) => match[1]!))];
}

/** The tags a pattern captures (named groups), each once. */
export function capturedTags(pattern: string): string[] {
  return [...new Set([...pattern.matchAll(NAMED_GROUP)].map((match) => match[1]!))];
}

/** Perl's quotemeta on octets: every character but an ASCII letter, digit or `_` escaped. */
export function quotemeta(value: string): string {
  return value.replace(/[^A-Za-z0-9_]/g, (character) => `\\${character}`);
}

/**
 * The pattern with each `%{NAME}` replaced by its values as literal alternatives, or null when a
 * tag has no value (the rule is not run) or the result is over MAX_FILLED_PATTERN_LENGTH.
 */
export function fillTemplate(
  pattern: string,
  values: ReadonlyMap<string, readonly string[]>,
): string | null {
  let missing = false;
  const filled = pattern.replace(TEMPLATE, (_, name: string) => {
    const given = values.get(name);
    if (!given || given.length === 0) {
      missing = true;
      return '';
    }
    return `(?:${given.map(quotemeta).join('|')})`;
  });
  return missing || filled.length > MAX_FILLED_PATTERN_LENGTH ? null : filled;
}

/** The tags one message's rules captured: name to distinct, non-empty values, in order. */
export class CapturedTags {
  private readonly values = new Map<string, string[]>();

  add(name: string, value: string): void {
    if (value === '') return;
    let list = this.values.get(name);
    if (!list) this.values.set(name, (list = []));
    if (list.length < MAX_TAG_VALUES && !list.includes(value)) list.push(value);
  }

  get map(): ReadonlyMap<string, readonly string[]> {
    return this.values;
  }
}
