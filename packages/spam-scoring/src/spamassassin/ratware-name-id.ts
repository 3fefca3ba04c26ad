import type { SaMessageView } from './message-view.js';

/**
 * HeaderEval's `check_ratware_name_id` (__RATWARE_NAME_ID, RATWARE_NAME_ID with a +0000 Date):
 * a bulk mailer whose Message-ID is `<` 28 capitals `.` and the sender's address, with From a
 * quoted display name and that same address in angle brackets. Perl's
 * `$mid =~ /<[A-Z]{28}\.([^>]+?)>/` then `$from =~ /"[^"]+"\s*<\Q$1\E>/`, written as searches
 * that read each string a bounded number of times: the lazy `[^>]+?` tried from every `<` that
 * opens a candidate with no `>` after it would read the rest of the header again each time.
 */
export function checkRatwareNameId(view: SaMessageView): number {
  const address = ratwareAddress(view.header('MESSAGEID', null) ?? '');
  if (address === null) return 0;
  return quotedNameBefore(view.header('From', null) ?? '', `<${address}>`) ? 1 : 0;
}

const CANDIDATE = /<[A-Z]{28}\./g;

/** What the first `<[A-Z]{28}\.([^>]+?)>` in the Message-ID captures, or null. */
function ratwareAddress(messageId: string): string | null {
  CANDIDATE.lastIndex = 0;
  for (let found = CANDIDATE.exec(messageId); found; found = CANDIDATE.exec(messageId)) {
    const start = CANDIDATE.lastIndex;
    const end = messageId.indexOf('>', start);
    // No `>` after this candidate: none after any later one either.
    if (end < 0) return null;
    // `[^>]+?` needs one octet at least: `<…28….>` is no match here, but a later `<` may be.
    if (end > start) return messageId.slice(start, end);
    CANDIDATE.lastIndex = start;
  }
  return null;
}

/**
 * Whether `"[^"]+"\s*` stands right before some occurrence of `target` in `from`: the octets
 * before it are Perl's \s on octets (not JavaScript's, which takes the octet A0 too), after a
 * closing quote, after at least one octet that is not a quote, after an opening quote.
 */
function quotedNameBefore(from: string, target: string): boolean {
  const firstQuote = from.indexOf('"');
  if (firstQuote < 0) return false;
  for (let at = from.indexOf(target); at >= 0; at = from.indexOf(target, at + 1)) {
    let close = at - 1;
    while (close >= 0 && isPerlSpace(from.charCodeAt(close))) close--;
    if (close < 2 || from[close] !== '"' || from[close - 1] === '"') continue;
    if (firstQuote <= close - 2) return true;
  }
  return false;
}

/** Perl's \s on an octet string: space, tab, LF, VT, FF, CR. */
function isPerlSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}
