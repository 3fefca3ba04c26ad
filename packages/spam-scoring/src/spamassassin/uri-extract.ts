import {
  type RegistryLists,
  isDomainValid,
  isFqdnValid,
  uriToDomain,
} from './registry-boundaries.js';
import { rawTextUris } from './text-uri-scanner.js';
import { canonicalizeUri, urlEncode } from './uri-canonicalize.js';

/** Up to the last `)` before the first `(` (Thunderbird's end of a link in parentheses). */
function withoutUnopenedParenthesis(uri: string): string {
  const open = uri.indexOf('(');
  const close = uri.lastIndexOf(')', open < 0 ? uri.length : open);
  return close >= 0 ? uri.slice(0, close) : uri;
}

const TRAILING_PUNCTUATION = new Set("-~!@#^&*()_+=:;'?,.");

/** Without the punctuation Thunderbird leaves out of a link's end (one pass from the right). */
function withoutTrailingPunctuation(uri: string): string {
  let end = uri.length;
  while (end > 0 && TRAILING_PUNCTUATION.has(uri[end - 1]!)) end--;
  return uri.slice(0, end);
}

/**
 * A URI the text spells out, made into what `_process_text_uri_list` (PerMsgStatus.pm) adds:
 * `)` without a `(` before it and trailing punctuation cut, a scheme given to a bare name or
 * address (`http://`, `ftp://`, `mailto:`); null where it drops one (a bare host name that is
 * no DNS name, `cid:`, a scheme alone, an address without a dot after its `@` or whose domain
 * has no listed TLD).
 */
function textUri(
  raw: string,
  kind: 'scheme' | 'mail' | 'schemeless',
  host: string | undefined,
  lists: RegistryLists,
): string | null {
  if (kind === 'mail' && !raw.includes('@')) return null;
  if (host !== undefined && !isFqdnValid(host)) return null;
  if (/^[cm]id:/i.test(raw) || /^\w+:\/{0,2}$/.test(raw)) return null;
  let uri = raw;
  if (!/^(?:https?|ftp|mailto):/i.test(uri)) {
    if (/^ftp\./i.test(uri)) uri = `ftp://${uri}`;
    else if (/^www\d{0,2}\./i.test(uri)) uri = `http://${uri}`;
    else if (uri.lastIndexOf('@') > uri.indexOf('/') + 1 && uri.includes('/'))
      uri = `http://${uri}`;
    else if (uri.includes('@')) {
      if (!uri.includes('.', uri.indexOf('@') + 2) || uri.includes('&nbsp;')) return null;
      uri = `mailto:${uri.replace(/^(?:skype|e?-?mail)?:+/i, '')}`;
    } else if (uri.includes('.')) uri = `http://${uri}`;
    else return null;
  }
  if (/^mailto:/i.test(uri)) {
    if (/%[0-9a-f]{2}/i.test(uri)) uri = urlEncode(uri);
    const domain = /@([^?&>]*)/.exec(uri)?.[1];
    if (domain === undefined || !isDomainValid(lists, domain.replace(/(?:%20)+$/, ''))) return null;
  }
  return uri;
}

/**
 * The URIs uri rules test, as `get_uri_list` gives them: those the lines of the rendered body
 * spell out (text-uri-scanner.ts, then textUri), kept only where one of their spellings names
 * a host under a listed TLD, and the HTML links as they are; each with the spellings
 * uri_list_canonicalize adds (`uri-canonicalize.ts`: %-decoding, numeric hosts as dotted
 * addresses, redirect targets...), each once.
 */
export function extractUris(
  texts: readonly string[],
  links: readonly string[],
  lists: RegistryLists,
): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  for (const text of texts)
    for (const { text: written, kind, host } of rawTextUris(text, lists.validTlds)) {
      const raw = withoutTrailingPunctuation(withoutUnopenedParenthesis(written));
      if (seen.has(raw)) continue;
      seen.add(raw);
      const uri = textUri(raw, kind, host, lists);
      if (uri === null) continue;
      const spellings = canonicalizeUri(uri, lists);
      if (spellings.some((spelling) => uriToDomain(lists, spelling) !== null))
        for (const spelling of spellings) found.add(spelling);
    }
  for (const link of links)
    for (const spelling of canonicalizeUri(link, lists)) found.add(spelling);
  return [...found];
}
