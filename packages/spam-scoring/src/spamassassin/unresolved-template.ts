import type { SaMessageView } from './message-view.js';

/** A mail-merge placeholder left in: `%` and two capitals (or `_`, `-`), as `%FIRST_NAME`. */
const PLACEHOLDER = /%[A-Z][A-Z_-]/;
/** Headers where such text is the sender's own words, or an identifier: not read. */
const EXEMPT =
  /^(?:X-VMS-To|X-UIDL|X-Face|To|Cc|From|Subject|References|In-Reply-To|(?:X-|Resent-|X-Original-)?Message-Id):/i;

/**
 * HeaderEval's `check_unresolved_template` (UNRESOLVED_TEMPLATE): a bulk mailer sent its
 * template without filling it in. 1 when a line of the ALL pseudo-header (each header unfolded
 * and decoded, `Name: value`) holds a placeholder, outside the headers a person writes.
 */
export function checkUnresolvedTemplate(view: SaMessageView): number {
  for (const line of (view.header('ALL', null) ?? '').split('\n'))
    if (PLACEHOLDER.test(line) && !EXEMPT.test(line)) return 1;
  return 0;
}
