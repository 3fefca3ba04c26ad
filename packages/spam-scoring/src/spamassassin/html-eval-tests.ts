import type { SaEvalTest } from './eval-tests.js';
import { htmlStatistics } from './html-statistics.js';

/**
 * HTMLEval's tests over html-statistics.ts: each fires when any HTML part of the message
 * qualifies. A call with arguments these do not understand is not run (null).
 */

/** `html_image_only(min, max)`: an HTML part with an image and a source of (min, max] octets. */
export function htmlImageOnly(args: readonly string[]): SaEvalTest | null {
  const min = Number(args[0]);
  const max = Number(args[1]);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  return (view) =>
    htmlStatistics(view).some(
      (html) => html.inside.has('img') && html.length > min && html.length <= max,
    )
      ? 1
      : 0;
}

/** `html_tag_exists(tag)`: some HTML part has that tag. */
export function htmlTagExists(args: readonly string[]): SaEvalTest | null {
  const tag = args[0]?.toLowerCase();
  if (!tag || !/^[\w:-]+$/.test(tag)) return null;
  return (view) => (htmlStatistics(view).some((html) => html.inside.has(tag)) ? 1 : 0);
}

const COMPARISONS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** `html_tag_balance(tag, '!= 0')`: a part where that tag is left open (or compares so). */
export function htmlTagBalance(args: readonly string[]): SaEvalTest | null {
  const tag = args[0]?.toLowerCase();
  const expression = /^\s*(==|!=|<=|>=|<|>)\s*(-?\d+)\s*$/.exec(args[1] ?? '');
  if (!tag || !/^[a-z0-9]+$/.test(tag) || !expression) return null;
  const compare = COMPARISONS[expression[1]!]!;
  const value = Number(expression[2]);
  return (view) =>
    htmlStatistics(view).some((html) => {
      const open = html.inside.get(tag);
      return open !== undefined && compare(open, value);
    })
      ? 1
      : 0;
}

/**
 * `html_title_subject_ratio(ratio)`: a `<title>` more than `ratio` times as long as the Subject
 * (spam reuses pages whose title has nothing to do with the subject line).
 */
export function htmlTitleSubjectRatio(args: readonly string[]): SaEvalTest | null {
  const ratio = Number(args[0]);
  if (!Number.isFinite(ratio)) return null;
  return (view) => {
    const subject = view.header('Subject', null) ?? '';
    if (subject === '') return 0;
    return htmlStatistics(view).some((html) =>
      html.titles.some((title) => title !== '' && title.length / subject.length > ratio),
    )
      ? 1
      : 0;
  };
}
