import type { SaEvalTest } from './eval-tests.js';
import { headerAddresses } from './message-addresses.js';
import type { SaMessageView } from './message-view.js';

/**
 * HeaderEval's recipient-list checks: bulk mail sent to a harvested list shows it in To and Cc,
 * as addresses sorted in order or alike (the same first letters, hosts that start alike).
 */

/** SpamAssassin's "best experimentally derived values". */
const SORTED_COUNT = 7;
const SIMILAR_COUNT = 5;
const SIMILAR_LENGTH = 2;
const MAX_ADDRESSES = 256;

interface RecipientFacts {
  readonly sorted: boolean;
  readonly similarity: number;
}

const factsByView = new WeakMap<SaMessageView, RecipientFacts>();

/** `_check_recipients`: To and Cc (Bcc too when they hold fewer than 5), neighbours deduplicated. */
function recipientFacts(view: SaMessageView): RecipientFacts {
  let facts = factsByView.get(view);
  if (facts) return facts;
  // ToCc's addresses by SpamAssassin's address parser (an empty `<>` gives none), then Bcc's.
  let inputs = headerAddresses(view, 'ToCc');
  if (inputs.length < SIMILAR_COUNT) inputs = [...inputs, ...headerAddresses(view, 'Bcc')];
  const addresses: string[] = [];
  let previous = '';
  for (const current of inputs) {
    // Perl's loop ends at the first empty address.
    if (current === '') break;
    if (current.toLowerCase() !== previous.toLowerCase()) addresses.push((previous = current));
    if (addresses.length === MAX_ADDRESSES) break;
  }
  const sorted =
    addresses.length >= SORTED_COUNT && addresses.join(',') === [...addresses].sort().join(',');
  let similarity = 0;
  if (addresses.length >= SIMILAR_COUNT) {
    const users = addresses.map((address) => address.slice(0, SIMILAR_LENGTH));
    // As the Perl's map: an address without @ gives no host, so later hosts shift down a place.
    const hostNames = addresses.flatMap((address) => {
      const at = address.indexOf('@');
      return at < 0 ? [] : [address.slice(at + 1)];
    });
    const hosts = hostNames.map((host) => host.slice(0, SIMILAR_LENGTH));
    let hits = 0;
    let pairs = 0;
    for (let i = 0; i < addresses.length; i++)
      for (let j = i + 1; j < addresses.length; j++) {
        if (users[i] === users[j]) hits++;
        if ((hosts[i] ?? '') === (hosts[j] ?? '') && (hostNames[i] ?? '') !== (hostNames[j] ?? ''))
          hits++;
        pairs++;
      }
    similarity = hits / pairs;
  }
  facts = { sorted, similarity };
  factsByView.set(view, facts);
  return facts;
}

/** `sorted_recipients()` (SORTED_RECIPS): 7 or more recipients, in sorted order. */
export function sortedRecipients(): SaEvalTest {
  return (view) => (recipientFacts(view).sorted ? 1 : 0);
}

/**
 * `similar_recipients(min, max)` (SUSPICIOUS_RECIPS: min 0.65): among 5 or more recipients, the
 * share of pairs whose addresses start alike, or whose different hosts do, in [min, max).
 */
export function similarRecipients(args: readonly string[]): SaEvalTest | null {
  const bound = (arg: string | undefined, none: number) =>
    arg === undefined || arg === 'undef' ? none : Number(arg);
  const min = bound(args[0], -Infinity);
  const max = bound(args[1], Infinity);
  if (Number.isNaN(min) || Number.isNaN(max)) return null;
  return (view) => {
    const { similarity } = recipientFacts(view);
    return similarity >= min && similarity < max ? 1 : 0;
  };
}
