import type { SaMessageView } from './message-view.js';
import { relaysOf } from './received-relays.js';

/**
 * RelayEval's and HeaderEval's checks over the relays (received-relays.ts): all hops trusted,
 * none at all, unreadable ones, a HELO naming another address, a big-provider HELO from a host
 * without reverse DNS, and mail that came through software that drops Received headers.
 */

/** `check_all_trusted` (ALL_TRUSTED): every hop is trusted and readable. */
export function checkAllTrusted(view: SaMessageView): number {
  const { trusted, untrusted, unparseable } = relaysOf(view);
  return trusted.length > 0 && untrusted.length === 0 && unparseable === 0 ? 1 : 0;
}

/** `check_no_relays` (NO_RELAYS): no hop at all, readable or not. */
export function checkNoRelays(view: SaMessageView): number {
  const { trusted, untrusted, unparseable } = relaysOf(view);
  return trusted.length === 0 && untrusted.length === 0 && unparseable === 0 ? 1 : 0;
}

/** `check_relays_unparseable`: some Received line could not be read. */
export function checkRelaysUnparseable(view: SaMessageView): number {
  return relaysOf(view).unparseable > 0 ? 1 : 0;
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
const PRIVATE = /^(?:10|127|169\.254|172\.(?:1[6-9]|2\d|3[01])|192\.168)\./;

/** `helo_ip_mismatch` (RCVD_HELO_IP_MISMATCH): an untrusted hop said HELO with another /24. */
export function heloIpMismatch(view: SaMessageView): number {
  for (const relay of relaysOf(view).untrusted) {
    if (!IPV4.test(relay.helo) || PRIVATE.test(relay.helo)) continue;
    if (!IPV4.test(relay.ip) || PRIVATE.test(relay.ip) || relay.helo === relay.ip) continue;
    const network = /^(\d+\.\d+\.\d+\.)/.exec(relay.helo)![1]!;
    if (!relay.ip.startsWith(network)) return 1;
  }
  return 0;
}

const DOTCOM_HELO =
  /(?:\.|^)(?:lycos\.com|lycos\.co\.uk|hotmail\.com|localhost\.com|excite\.com|caramail\.com|cs\.com|aol\.com|msn\.com|yahoo\.com|drizzle\.com)$/i;

/**
 * `check_for_no_rdns_dotcom_helo` (NO_RDNS_DOTCOM_HELO): a public untrusted host without reverse
 * DNS said HELO as a big free-mail provider (which keep their reverse DNS in order). As in
 * SpamAssassin, the last such hop decides.
 */
export function checkForNoRdnsDotcomHelo(view: SaMessageView): number {
  let found = 0;
  for (const relay of relaysOf(view).untrusted) {
    if (relay.ipPrivate) continue;
    found = DOTCOM_HELO.test(relay.helo) && relay.noReverseDns ? 1 : 0;
  }
  return found;
}

/**
 * `gated_through_received_hdr_remover`: ezmlm lists and MSN groups drop the sender's Received
 * headers, and a message with none at all cannot be judged by them either.
 */
export function gatedThroughReceivedHeaderRemover(view: SaMessageView): number {
  const received = view.header('Received', null);
  const list = view.header('Mailing-List', null);
  if (list !== null && /^contact \S+@\S+; run by ezmlm$/m.test(list)) {
    const deliveredTo = view.header('Delivered-To', null) ?? '';
    if (
      /^mailing list \S+@\S+/m.test(deliveredTo) &&
      /qmail \d+ invoked (?:from network|by .{3,20})\); \d+ ... \d+/.test(received ?? '')
    )
      return 1;
  }
  if (received === null) return 1;
  return /from groups\.msn\.com \(\S+\.msn\.com /.test(received) ? 1 : 0;
}
