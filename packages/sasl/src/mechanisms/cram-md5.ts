import { createHmac, timingSafeEqual } from 'node:crypto';
import { accountOf, authorize } from '../authorize.js';
import type { Exchange, SaslContext, SaslMechanism } from '../mechanism.js';
import { failure } from '../sasl-result.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';

/**
 * CRAM-MD5 (RFC 2195): the server sends `<nonce.timestamp@hostname>`, the client answers
 * `user SP hex(HMAC-MD5(password, challenge))`. Needs the password in the clear on the server
 * (Kerio: only with reversible password storage).
 */
export const CRAM_MD5: SaslMechanism = {
  name: 'CRAM-MD5',
  plaintext: false,
  serverFirst: true,
  available: (context) => context.credentials.plaintextPassword !== undefined,
  async *exchange(context: SaslContext): Exchange {
    const challenge = `<${context.nonce()}.${Math.floor(context.now() / 1000)}@${context.hostname}>`;
    const response = decodeUtf8(yield encodeUtf8(challenge));
    const match = response === null ? null : /^(.+) ([0-9a-f]{32})$/s.exec(response);
    if (!match) return failure('malformed', 'CRAM-MD5 wants "user digest"');
    const [, user, digest] = match as unknown as [string, string, string];
    if (user.includes('\0')) return failure('malformed', 'CRAM-MD5 user has a NUL');
    const secret = await context.credentials.plaintextPassword!(user);
    const expected = createHmac('md5', secret ?? '')
      .update(challenge)
      .digest();
    if (secret === null || !timingSafeEqual(expected, Buffer.from(digest, 'hex'))) {
      return failure('invalid-credentials', `wrong CRAM-MD5 digest for ${user}`, user);
    }
    const account = await accountOf(context, user);
    if (!account) return failure('invalid-credentials', `no account for ${user}`, user);
    return authorize(context, account, user, '');
  },
};
