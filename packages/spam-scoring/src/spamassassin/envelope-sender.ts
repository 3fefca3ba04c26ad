import type { SaMessageView } from './message-view.js';
import { relaysOf } from './received-relays.js';

/**
 * SpamAssassin's `EnvelopeFrom` pseudo-header when the MTA did not give the envelope
 * (PerMsgStatus's `get_envelope_from`): the sender the relay that handed the message in
 * recorded, else `X-Envelope-From`, `Envelope-Sender` or `Return-Path`, each only when no
 * Received line comes before any of its occurrences (a mailing list that re-sent the message
 * with a new sender would have put one there). A fetchmail-fetched message with an `X-Sender`
 * has none: that header names the mailbox's owner, and Return-Path may too.
 */
export function envelopeSenderOf(view: SaMessageView): string | null {
  const { trusted, untrusted } = relaysOf(view);
  // The first untrusted relay, or the last (oldest) trusted one when all are trusted.
  const handedIn = untrusted[0] ?? trusted[trusted.length - 1];
  if (handedIn && handedIn.envfrom.indexOf('@') > 0) return handedIn.envfrom;

  const received = view.header('Received', 'raw') ?? '';
  if ((view.header('X-Sender', 'addr') ?? '').includes('@') && received.includes('(fetchmail'))
    return null;
  const names = headerNamesInOrder(view);
  const firstReceived = names.indexOf('received');
  // Any occurrence below a Received line counts: SpamAssassin asks whether a Received line
  // comes before some such header, not before the first.
  const afterReceived = (name: string) =>
    firstReceived >= 0 && firstReceived < names.lastIndexOf(name);
  const xEnvelopeFrom = view.header('X-Envelope-From', 'addr');
  if (xEnvelopeFrom !== null) return afterReceived('x-envelope-from') ? null : xEnvelopeFrom;
  for (const name of ['Envelope-Sender', 'Return-Path']) {
    const address = view.header(name, 'addr');
    if (address !== null && !afterReceived(name.toLowerCase())) return address;
  }
  return null;
}

/** The message's header names, lower case, in the order they are written. */
function headerNamesInOrder(view: SaMessageView): string[] {
  return (view.header('ALL', 'raw') ?? '')
    .split('\n')
    .filter((line) => /^[^\s:]+:/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
}
