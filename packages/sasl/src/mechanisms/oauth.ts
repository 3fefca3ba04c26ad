import { authorize } from '../authorize.js';
import type { TokenRequest, TokenVerdict } from '../credentials.js';
import type { Exchange, SaslContext, SaslMechanism } from '../mechanism.js';
import { failure } from '../sasl-result.js';
import { decodeSaslName } from '../saslname.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';

/**
 * OAUTHBEARER (RFC 7628): `gs2-header 0x01 *(key=value 0x01) 0x01`, with `auth=Bearer <token>`.
 * When the token is refused, the server sends a JSON error as a challenge, the client answers
 * with a lone 0x01, and the exchange fails (RFC 7628 3.2.3).
 */
export const OAUTHBEARER: SaslMechanism = {
  name: 'OAUTHBEARER',
  plaintext: true,
  available: (context) => context.credentials.verifyToken !== undefined,
  async *exchange(context: SaslContext, initial: Uint8Array | null): Exchange {
    const message = decodeUtf8(initial ?? (yield new Uint8Array(0)));
    const match =
      message === null ? null : /^(n|y),(?:a=([^,\x01]*))?,\x01(.*)\x01$/s.exec(message);
    const pairs = match ? parsePairs(match[3]!) : null;
    const authzid = match?.[2] === undefined ? '' : decodeSaslName(match[2]);
    if (!pairs || authzid === null) return failure('malformed', 'OAUTHBEARER message is malformed');
    const token = bearerToken(pairs.get('auth'));
    if (token === null)
      return failure('malformed', 'OAUTHBEARER has no auth=Bearer token', authzid || undefined);
    const request: TokenRequest = {
      ...(authzid ? { user: authzid } : {}),
      ...(pairs.has('host') ? { host: pairs.get('host')! } : {}),
      ...(pairs.has('port') ? { port: pairs.get('port')! } : {}),
    };
    const verdict = await context.credentials.verifyToken!(token, request);
    if (verdict.valid) return authorize(context, verdict.user, verdict.user, authzid);
    const reply = yield encodeUtf8(JSON.stringify(errorObject(verdict)));
    return reply.length === 1 && reply[0] === 1
      ? failure('invalid-credentials', `token refused: ${verdict.status}`, authzid || undefined)
      : failure(
          'malformed',
          'OAUTHBEARER client did not acknowledge the error with 0x01',
          authzid || undefined,
        );
  },
};

/**
 * XOAUTH2 (Google's, before OAUTHBEARER): `user=<user> 0x01 auth=Bearer <token> 0x01 0x01`. A
 * refused token gets a JSON error challenge, which the client acknowledges with an empty response.
 */
export const XOAUTH2: SaslMechanism = {
  name: 'XOAUTH2',
  plaintext: true,
  available: (context) => context.credentials.verifyToken !== undefined,
  async *exchange(context: SaslContext, initial: Uint8Array | null): Exchange {
    const message = decodeUtf8(initial ?? (yield new Uint8Array(0)));
    const match = message === null ? null : /^(.*)\x01$/s.exec(message);
    const pairs = match ? parsePairs(match[1]!) : null;
    const user = pairs?.get('user');
    const token = bearerToken(pairs?.get('auth'));
    if (!pairs || !user || token === null)
      return failure('malformed', 'XOAUTH2 wants user= and auth=Bearer');
    const verdict = await context.credentials.verifyToken!(token, { user });
    // The token must be the named user's, or its owner must be allowed to act as that user.
    if (verdict.valid) return authorize(context, verdict.user, verdict.user, user);
    yield encodeUtf8(JSON.stringify(errorObject(verdict)));
    return failure('invalid-credentials', `token refused: ${verdict.status}`, user);
  },
};

/** `key=value` pairs separated by 0x01, ending with an empty one (the last 0x01). */
function parsePairs(text: string): Map<string, string> | null {
  const pairs = new Map<string, string>();
  const items = text.split('\x01');
  if (items.pop() !== '') return null;
  for (const item of items) {
    const match = /^([A-Za-z]+)=([\x20-\x7e\t\r\n]*)$/.exec(item);
    if (!match || pairs.has(match[1]!)) return null;
    pairs.set(match[1]!, match[2]!);
  }
  return pairs;
}

function bearerToken(auth: string | undefined): string | null {
  const match = auth === undefined ? null : /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(auth);
  return match ? match[1]! : null;
}

function errorObject(verdict: Extract<TokenVerdict, { valid: false }>): Record<string, string> {
  return {
    status: verdict.status,
    ...(verdict.scope ? { scope: verdict.scope } : {}),
    ...(verdict.openidConfiguration ? { 'openid-configuration': verdict.openidConfiguration } : {}),
  };
}
