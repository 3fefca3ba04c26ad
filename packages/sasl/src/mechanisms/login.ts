import { authorize } from '../authorize.js';
import type { Exchange, SaslContext, SaslMechanism } from '../mechanism.js';
import { failure } from '../sasl-result.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';

/**
 * LOGIN (draft-murchison-sasl-login): the server asks `Username:` then `Password:`. Clients that
 * know the dance send the username as an initial response (`AUTH LOGIN dXNlcg==`).
 */
export const LOGIN: SaslMechanism = {
  name: 'LOGIN',
  plaintext: true,
  available: () => true,
  async *exchange(context: SaslContext, initial: Uint8Array | null): Exchange {
    const username = decodeUtf8(initial ?? (yield encodeUtf8('Username:')));
    if (username === null || username === '' || username.includes('\0')) {
      return failure('malformed', 'LOGIN username is empty or not UTF-8');
    }
    const password = decodeUtf8(yield encodeUtf8('Password:'));
    if (password === null || password.includes('\0'))
      return failure('malformed', 'LOGIN password is not UTF-8', username);
    const account = await context.credentials.verifyPassword(username, password);
    if (!account) return failure('invalid-credentials', `wrong password for ${username}`, username);
    return authorize(context, account.id, username, '');
  },
};
