import type { SaConfig } from './cf-parser.js';
import { htmlStatistics } from './html-statistics.js';
import type { SaMessageView } from './message-view.js';
import {
  type RegistryLists,
  isDomainValid,
  isIpAddress,
  trimDomain,
  uriToDomain,
} from './registry-boundaries.js';

/**
 * The HTTPSMismatch plugin's `check_https_http_mismatch(min, max)` (HTTPS_HTTP_MISMATCH):
 * an HTML part links somewhere while the link's text shows an `https://` address of another
 * registered domain (`<a href="http://evil.example">https://www.bank.example</a>`), and the
 * part's links with text to a named host number at least `min` (1) and fewer than `max`.
 * Each link counted once however often it is written; numeric hosts are not counted (URIEval's
 * check_https_ip_mismatch reads those).
 */

/** The registered domain of a link's host, when it is a valid name (not a number). */
function linkDomain(lists: RegistryLists, href: string): string | null {
  const host = /^https?:\/\/([^/:?#]+)/i.exec(href)?.[1];
  if (host === undefined || isIpAddress(host)) return null;
  const domain = trimDomain(lists, host);
  return isDomainValid(lists, uriToDomain(lists, domain)?.domain ?? null) ? domain : null;
}

/** The registered domain an anchor text's first `https://` address shows, or its number. */
function shownDomain(lists: RegistryLists, text: string): string | null | undefined {
  const host = /https:\/\/([^\s/:?#]+)/i.exec(text)?.[1];
  if (host === undefined) return undefined;
  if (isIpAddress(host)) return host;
  const domain = trimDomain(lists, host);
  return isDomainValid(lists, domain) ? domain : null;
}

export function checkHttpsHttpMismatch(args: readonly string[], config: SaConfig) {
  const min = Number(args[0]) || 1;
  const max = args[1] === undefined ? undefined : Number(args[1]);
  return (view: SaMessageView) =>
    htmlStatistics(view).some((html) => {
      // Each link's anchor texts, by the link as written (HTML.pm's uri_detail).
      const texts = new Map<string, string[]>();
      html.anchorHrefs.forEach((href, i) => {
        let list = texts.get(href);
        if (!list) texts.set(href, (list = []));
        list.push(html.anchors[i] ?? '');
      });
      let anchors = 0;
      let hit = false;
      for (const [href, anchorTexts] of texts) {
        const domain = linkDomain(config, href);
        if (domain === null) continue;
        anchors++;
        // Any of its texts that shows an https address of another domain (or a number).
        for (const text of anchorTexts) {
          const shown = shownDomain(config, text);
          if (shown === undefined || shown === null || shown === domain) continue;
          hit = true;
          break;
        }
      }
      return hit && anchors >= min && (max === undefined || anchors < max);
    })
      ? 1
      : 0;
}
