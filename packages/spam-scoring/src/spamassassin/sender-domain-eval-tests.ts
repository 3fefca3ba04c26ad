import { getDomain } from 'tldts';
import type { SaMessageView } from './message-view.js';
import { relaysOf } from './received-relays.js';

/**
 * Whether the envelope sender's domain agrees with the rest of the message: with the From
 * header (HeaderEval's `check_equal_from_domains`) and with the relay that handed the message
 * in (WLBLEval's `check_mailfrom_matches_rcvd`). Bulk senders forge one and not the other.
 */

/** The part of an address after its last `@`, or '' when there is none. */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).trim();
}

/** The last two labels of a domain, as HeaderEval compares them (no public-suffix list). */
function lastTwoLabels(domain: string): string {
  return /(?:^|\.)([^.]+\.[^.]+)$/.exec(domain)?.[1] ?? domain;
}

/**
 * `check_equal_from_domains` (HEADER_FROM_DIFFERENT_DOMAINS): the From address and the envelope
 * sender both have a domain, and their last two labels differ (case aside). A message with
 * either missing does not fire.
 */
export function checkEqualFromDomains(view: SaMessageView): number {
  const from = lastTwoLabels(domainOf(view.header('From', 'addr') ?? ''));
  if (from === '') return 0;
  const envelope = lastTwoLabels(domainOf(view.header('EnvelopeFrom', null) ?? ''));
  if (envelope === '') return 0;
  return from.toLowerCase() !== envelope.toLowerCase() ? 1 : 0;
}

/** A host name's registered domain (its public suffix and one label more), lower case. */
function registeredDomain(host: string): string {
  const lower = host.toLowerCase();
  return getDomain(lower) ?? lower;
}

/**
 * `check_mailfrom_matches_rcvd` (__RP_MATCHES_RCVD): the envelope sender's registered domain is
 * that of the reverse DNS name of the first untrusted relay or, when every relay is trusted, of
 * any of them. Mail really sent by the domain it names passes; a forged sender rarely does.
 */
export function checkMailfromMatchesRcvd(view: SaMessageView): number {
  const sender = view.header('EnvelopeFrom', null) ?? '';
  const domain = /@([^@]+\.[^@]+)$/.exec(sender.trim())?.[1];
  if (!domain) return 0;
  const { trusted, untrusted } = relaysOf(view);
  const relays = untrusted.length > 0 ? [untrusted[0]!] : trusted;
  const wanted = registeredDomain(domain);
  return relays.some((relay) => relay.rdns !== '' && registeredDomain(relay.rdns) === wanted)
    ? 1
    : 0;
}
