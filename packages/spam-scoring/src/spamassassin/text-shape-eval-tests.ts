import type { SaEvalTest } from './eval-tests.js';
import type { SaMessageView } from './message-view.js';

/**
 * Evals over the shape of the text rather than its words: BodyEval's `tvd_vertical_words`
 * (words spread out with spaces, or one letter a line, to slip past word rules) and HeaderEval's
 * `check_for_to_in_subject` (a Subject that addresses the recipient by their mailbox name).
 */

const spaceRatios = new WeakMap<SaMessageView, number>();

/**
 * The largest share of spaces to other characters, in percent, over the body's paragraphs of
 * more than 5 characters (100 when spaces outnumber the rest); -1 when there is none.
 */
function largestSpaceRatio(view: SaMessageView): number {
  let largest = spaceRatios.get(view);
  if (largest !== undefined) return largest;
  largest = -1;
  for (const paragraph of view.body()) {
    if (paragraph.length <= 5) continue;
    const spaces = paragraph.split(' ').length - 1;
    const others = paragraph.length - spaces;
    const ratio = spaces > others || others === 0 ? 100 : Math.trunc((100 * spaces) / others);
    if (ratio > largest) largest = ratio;
  }
  spaceRatios.set(view, largest);
  return largest;
}

/**
 * `tvd_vertical_words(min, max)` (__TVD_SPACE_RATIO: '0', '10'): the largest space ratio is in
 * [min, max), a max of 100 or more reaching 100 itself. Text with almost no spaces is a run of
 * words glued or written one per line.
 */
export function tvdVerticalWords(args: readonly string[]): SaEvalTest | null {
  const min = Number(args[0]);
  let max = Number(args[1]);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  if (max >= 100) max = 101;
  return (view) => {
    const ratio = largestSpaceRatio(view);
    return ratio >= min && ratio < max ? 1 : 0;
  };
}

/** A string as a literal inside a regular expression (Perl's `\Q...\E`). */
function quoted(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Perl's `$` without /m: the end, or before a newline that ends the text. */
const END = '(?=\\n?$)';
const SPACE = '[ \\t\\n\\r\\f\\v]';

/**
 * `check_for_to_in_subject('user'|'address')` (LOCALPART_IN_SUBJECT: 'user'): the Subject is
 * the recipient's mailbox name, alone, after "Re:"/"Fw:" and a word, or followed by a comma or
 * such ("john, your order"); or, for 'address', holds the whole address as a word.
 */
export function checkForToInSubject(args: readonly string[]): SaEvalTest | null {
  const test = args[0];
  if (test !== 'user' && test !== 'address') return null;
  return (view) => {
    const to = view.header('To', 'addr') ?? '';
    if (to === '') return 0;
    const subject = view.header('Subject', null) ?? '';
    // Every branch of the patterns below holds the address (or its user) itself, caseless at
    // most, and most subjects hold neither: those are answered without compiling a pattern
    // for this message's address. (Octets: JavaScript's caseless match on them folds no
    // two characters that toLowerCase keeps apart.)
    const wanted = test === 'address' ? to : to.replace(/@.*/s, '');
    if (!subject.toLowerCase().includes(wanted.toLowerCase())) return 0;
    if (test === 'address') return new RegExp(`\\b${quoted(to)}\\b`, 'i').test(subject) ? 1 : 0;
    const user = quoted(wanted);
    const caseless = new RegExp(
      `^(?:(?:re|fw):${SPACE}*(?:\\w+${SPACE}+)?${user}${END}|${user}${END}|,${SPACE}*${user}[,:;!?-]${END})`,
      'i',
    );
    // The one branch Perl writes under (?-i:): the name as written, then a comma or such.
    const exact = new RegExp(`^${user}${SPACE}*[,:;!?-](?:${END}|${SPACE})`);
    return caseless.test(subject) || exact.test(subject) ? 1 : 0;
  };
}
