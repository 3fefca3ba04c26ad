import { accountOf, authorize } from '../authorize.js';
import type { Exchange, SaslContext, SaslMechanism } from '../mechanism.js';
import { failure } from '../sasl-result.js';
import { decodeUtf8 } from '../utf8.js';

/**
 * EXTERNAL (RFC 4422 appendix A): the transport already knows who the client is (a TLS client
 * certificate); the client sends only the identity to act as, possibly empty.
 */
export const EXTERNAL: SaslMechanism = {
  name: 'EXTERNAL',
  plaintext: false,
  available: (context) => context.externalIdentity !== undefined,
  async *exchange(context: SaslContext, initial: Uint8Array | null): Exchange {
    const identity = context.externalIdentity;
    if (identity === undefined) return failure('unavailable', 'no identity from the transport');
    const authzid = decodeUtf8(initial ?? (yield new Uint8Array(0)));
    if (authzid === null || authzid.includes('\0'))
      return failure('malformed', 'EXTERNAL authzid is not UTF-8');
    const user = await accountOf(context, identity);
    if (!user) return failure('invalid-credentials', `no account for ${identity}`, identity);
    return authorize(context, user, identity, authzid);
  },
};
