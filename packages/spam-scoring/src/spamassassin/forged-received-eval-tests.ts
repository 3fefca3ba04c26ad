import type { SaMessageView } from './message-view.js';
import { gatedThroughReceivedHeaderRemover } from './received-eval-tests.js';
import { relaysOf } from './received-relays.js';

/**
 * HeaderEval's forged-Received checks: mail claiming to be from a big free-mail provider whose
 * Received headers show none of that provider's own servers handing it on.
 */

const IPV4 = String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`;
/** The ways Yahoo's own servers write the hop that took the message in. */
const YAHOO_OWN_HOPS = [
  /by web\S+\.mail\S*\.yahoo\.com via HTTP/,
  /by sonic\S+\.consmr\.mail\S*\.yahoo\.com with HTTP/,
  /by smtp\S+\.yahoo\.com with SMTP/,
  new RegExp(String.raw`from \[${IPV4}\] by \S+\.(?:groups|scd|dcn)\.yahoo\.com with NNFMP`),
  // "Mail this story to a friend" pages.
  /by \w+\.\w+\.yahoo\.com \(\d+\.\d+\.\d+\/\d+\.\d+\.\d+\)(?: with ESMTP)? id \w+/,
];

/**
 * `check_for_forged_yahoo_received_headers` (FORGED_YAHOO_RCVD): From is at yahoo.com, but no
 * Received line is Yahoo's, and no trusted relay (nor the first untrusted one) has a Yahoo
 * reverse DNS name (Yahoo's bounces).
 */
export function checkForForgedYahooReceivedHeaders(view: SaMessageView): number {
  const from = (view.header('From', 'addr') ?? '').trim();
  if (!/\byahoo\.com$/i.test(from)) return 0;
  let received = view.header('Received', null) ?? '';
  // A resent message keeps the original hops in X-Received.
  if ((view.header('Resent-From', null) ?? '') !== '' && (view.header('Resent-To', null) ?? ''))
    received = view.header('X-Received', null) || received;
  received = received.replace(/\s+/g, ' ');
  if (gatedThroughReceivedHeaderRemover(view)) return 0;
  const { trusted, untrusted } = relaysOf(view);
  const yahooName = /\.yahoo\.com$/i;
  if (trusted.some((relay) => yahooName.test(relay.rdns))) return 0;
  if (untrusted[0] && yahooName.test(untrusted[0].rdns)) return 0;
  if (YAHOO_OWN_HOPS.some((hop) => hop.test(received))) return 0;
  if (/\bmailer\d+\.bulk\.scd\.yahoo\.com\b/.test(received) && /@reply\.yahoo\.com$/i.test(from))
    return 0;
  return 1;
}
