import type { SieveMessage } from '../interpreter/message.js';
import type { SieveEnvelope } from '../interpreter/envelope.js';
import { addressText } from '../interpreter/address.js';

/** The message in force until the first `test_set "message"` (sieve-testsuite.md section 3). */
export const DEFAULT_TEST_MESSAGE =
  'From: sender@example.com\nTo: recipient@example.org\nSubject: Frop!\n\nFriep!\n';

/** The first address of the first of these headers that has one. */
function firstAddress(message: SieveMessage, names: readonly string[]): string | undefined {
  for (const name of names) {
    const address = message.addresses(name)[0];
    if (address) return addressText(address);
  }
  return undefined;
}

/** The envelope derived from a message's headers, as the runner does on every message change. */
export function deriveEnvelope(message: SieveMessage): SieveEnvelope {
  const to = firstAddress(message, ['envelope-to', 'to']) ?? 'recipient@example.com';
  const from = firstAddress(message, ['return-path', 'sender', 'from']) ?? 'sender@example.com';
  return { from, to, originalRecipient: to, auth: 'testsuite' };
}
