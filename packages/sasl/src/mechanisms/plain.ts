import { authorize } from '../authorize.js';
import type { Exchange, SaslContext, SaslMechanism } from '../mechanism.js';
import { failure } from '../sasl-result.js';
import { decodeUtf8 } from '../utf8.js';

/** RFC 4616: `[authzid] NUL authcid NUL passwd`, UTF-8, each part at most 255 octets. */
export const PLAIN: SaslMechanism = {
  name: 'PLAIN',
  plaintext: true,
  available: () => true,
  async *exchange(context: SaslContext, initial: Uint8Array | null): Exchange {
    const message = initial ?? (yield new Uint8Array(0));
    const parts = splitNul(message);
    if (!parts || parts.length !== 3)
      return failure('malformed', 'PLAIN wants authzid NUL authcid NUL passwd');
    const [authzid, authcid, password] = parts.map(decodeUtf8) as [
      string | null,
      string | null,
      string | null,
    ];
    if (authzid === null || authcid === null || password === null)
      return failure('malformed', 'PLAIN is UTF-8');
    if (authcid === '' || parts.some((part) => part.length > 255)) {
      return failure(
        'malformed',
        'PLAIN authcid is empty or a part is over 255 octets',
        authcid || undefined,
      );
    }
    const account = await context.credentials.verifyPassword(authcid, password);
    if (!account) return failure('invalid-credentials', `wrong password for ${authcid}`, authcid);
    return authorize(context, account.id, authcid, authzid);
  },
};

function splitNul(bytes: Uint8Array): Uint8Array[] | null {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      parts.push(bytes.subarray(start, i));
      start = i + 1;
      if (parts.length > 3) return null;
    }
  }
  return parts;
}
