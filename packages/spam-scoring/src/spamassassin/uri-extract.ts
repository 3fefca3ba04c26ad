import { canonicalizeUri } from './uri-canonicalize.js';

const URI_IN_TEXT = /\b(?:(?:https?|ftp):\/\/|www\.|mailto:)[^\s<>"'`{}|\\^]+/gi;

const LOCAL_PART = /[A-Za-z0-9._%+=-]/;
const DOMAIN_PART = /[A-Za-z0-9.-]/;

/**
 * The e-mail addresses a text spells out, found from each `@` outwards (a local part of at most
 * 64 characters, a domain of at most 255 with a dot in it): linear in the text, where one
 * regular expression scanning for `local@domain` would retry every start of a long word.
 */
function addressesIn(text: string): string[] {
  const found: string[] = [];
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL_PART.test(text[start - 1]!)) start--;
    let end = at + 1;
    while (end < text.length && end - at <= 255 && DOMAIN_PART.test(text[end]!)) end++;
    const local = text.slice(start, at).replace(/^[.]+/, '');
    const domain = text.slice(at + 1, end).replace(/(?<![.-])[.-]+$/, '');
    if (local !== '' && /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/.test(domain))
      found.push(`${local}@${domain}`);
  }
  return found;
}

/**
 * The URIs uri rules test: the HTML links as they are and what the text parts spell out
 * (schemes, `www.` names, `mailto:`, and bare e-mail addresses as `mailto:` URIs, trailing
 * punctuation left out), each with the spellings SpamAssassin's uri_list_canonicalize adds
 * (`uri-canonicalize.ts`: `http://` before a bare `www.` name, %-decoding, numeric hosts as
 * dotted addresses, redirect targets...), each once.
 */
export function extractUris(texts: readonly string[], links: readonly string[]): string[] {
  const found = new Set<string>();
  const add = (uri: string) => {
    for (const canonical of canonicalizeUri(uri)) if (canonical !== '') found.add(canonical);
  };
  for (const link of links) add(link);
  for (const text of texts) {
    for (const match of text.matchAll(URI_IN_TEXT))
      add(match[0].replace(/(?<![.,;:!?)\]])[.,;:!?)\]]+$/, ''));
    for (const address of addressesIn(text)) add(`mailto:${address}`);
  }
  return [...found];
}
