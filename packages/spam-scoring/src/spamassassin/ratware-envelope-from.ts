import { parse } from 'tldts';
import type { SaMessageView } from './message-view.js';

/**
 * HeaderEval's `check_ratware_envelope_from` (RATWARE_EFROM): bulk mailers that write the
 * recipient into the envelope sender, as `example.com-bob@list.example` for bob@example.com.
 * 1 when the envelope sender holds the first To address's registered domain, any one character,
 * its user name and an `@` (Perl's `/\b\Q$dom\E.\Q$user\E@/i`); an SRS sender is not one. The
 * registered domain is the public suffix list's (tldts), where RegistryBoundaries.pm reads its
 * own list of the same suffixes; a To domain with no known suffix does not fire, as there.
 */
export function checkRatwareEnvelopeFrom(view: SaMessageView): number {
  const to = view.header('To', 'addr') ?? '';
  const from = view.header('EnvelopeFrom', 'addr') ?? '';
  if (from === '' || to === '' || /^SRS\d[=+-]/i.test(from)) return 0;
  const address = /^([^@]+)@(.+)$/s.exec(to);
  if (!address) return 0;
  // A suffix the list does not know is matched by its default rule (isIcann false): not valid.
  const { domain, isIcann } = parse(address[2]!.toLowerCase());
  if (!domain || isIcann !== true) return 0;
  const pattern = new RegExp(`\\b${escape(domain)}.${escape(address[1]!)}@`, 'is');
  return pattern.test(from) ? 1 : 0;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
