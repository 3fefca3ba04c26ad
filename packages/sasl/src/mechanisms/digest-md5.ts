import { createHash, timingSafeEqual } from 'node:crypto';
import { accountOf, authorize } from '../authorize.js';
import type { Exchange, SaslContext, SaslMechanism } from '../mechanism.js';
import { failure } from '../sasl-result.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';

/**
 * DIGEST-MD5 (RFC 2831), as Kerio offers it: authentication only (`qop=auth`; no integrity or
 * privacy layers), one realm (the server's name), no reauthentication (`nc` must be 1). Needs
 * the password in the clear on the server.
 *
 * RFC 6331 moved DIGEST-MD5 to Historic; it is here because Kerio's clients use it.
 */
export const DIGEST_MD5: SaslMechanism = {
  name: 'DIGEST-MD5',
  plaintext: false,
  serverFirst: true,
  available: (context) => context.credentials.plaintextPassword !== undefined,
  async *exchange(context: SaslContext): Exchange {
    const realm = context.hostname;
    const nonce = context.nonce();
    const challenge = `realm="${realm}",nonce="${nonce}",qop="auth",charset=utf-8,algorithm=md5-sess`;
    const text = decodeUtf8(yield encodeUtf8(challenge));
    const fields = text === null ? null : parseDirectives(text);
    if (!fields) return failure('malformed', 'DIGEST-MD5 response is not a directive list');

    const username = fields.get('username');
    const check = (ok: boolean, why: string) =>
      ok ? null : failure('malformed', `DIGEST-MD5: ${why}`, username);
    const problem =
      check(username !== undefined && username !== '', 'no username') ??
      check(fields.get('nonce') === nonce, 'nonce is not ours') ??
      check(/^[^"]+$/.test(fields.get('cnonce') ?? ''), 'no cnonce') ??
      check(fields.get('nc') === '00000001', 'nc must be 00000001 (no reauthentication)') ??
      check((fields.get('qop') ?? 'auth') === 'auth', 'only qop=auth is offered') ??
      check(!fields.has('realm') || fields.get('realm') === realm, 'unknown realm') ??
      check(
        fields.get('charset') === undefined || fields.get('charset') === 'utf-8',
        'charset must be utf-8',
      ) ??
      check(
        validDigestUri(fields.get('digest-uri'), context),
        `digest-uri must be ${context.service}/${context.hostname}`,
      ) ??
      check(/^[0-9a-f]{32}$/.test(fields.get('response') ?? ''), 'response is not 32 hex digits');
    if (problem) return problem;

    const secret = await context.credentials.plaintextPassword!(username!);
    const authzid = fields.get('authzid') ?? '';
    const digest = (a2Prefix: string) =>
      responseValue(
        username!,
        fields.get('realm') ?? '',
        secret ?? '',
        nonce,
        fields.get('cnonce')!,
        authzid,
        a2Prefix,
        fields.get('digest-uri')!,
      );
    const expected = Buffer.from(digest('AUTHENTICATE:'), 'hex');
    if (
      secret === null ||
      !timingSafeEqual(expected, Buffer.from(fields.get('response')!, 'hex'))
    ) {
      return failure('invalid-credentials', `wrong DIGEST-MD5 response for ${username}`, username);
    }
    // Mutual authentication: the server proves it knows the password too; the client answers empty.
    yield encodeUtf8(`rspauth=${digest(':')}`);
    const account = await accountOf(context, username!);
    if (!account) return failure('invalid-credentials', `no account for ${username}`, username);
    return authorize(context, account, username!, authzid);
  },
};

/** RFC 2831 2.1.2.1: the `response` (and, with A2 = ":uri", the `rspauth`) value. */
function responseValue(
  username: string,
  realm: string,
  password: string,
  nonce: string,
  cnonce: string,
  authzid: string,
  a2Prefix: string,
  digestUri: string,
): string {
  const md5 = (data: string | Buffer) => createHash('md5').update(data).digest();
  const hex = (data: string | Buffer) => md5(data).toString('hex');
  const secret = md5(`${username}:${realm}:${password}`);
  const a1 = Buffer.concat([
    secret,
    Buffer.from(`:${nonce}:${cnonce}${authzid ? `:${authzid}` : ''}`),
  ]);
  const a2 = `${a2Prefix}${digestUri}`;
  return hex(`${hex(a1)}:${nonce}:00000001:${cnonce}:auth:${hex(a2)}`);
}

function validDigestUri(uri: string | undefined, context: SaslContext): boolean {
  const match = uri === undefined ? null : /^([^/]+)\/([^/]+)(?:\/.*)?$/.exec(uri);
  return (
    match !== null &&
    match[1]!.toLowerCase() === context.service &&
    match[2]!.toLowerCase() === context.hostname.toLowerCase()
  );
}

/**
 * Reads `key=value,key="quoted value",...` (RFC 2831 section 7.1, with LWS and empty elements).
 * A repeated directive makes the list malformed (null), as the RFC requires.
 */
export function parseDirectives(text: string): Map<string, string> | null {
  const fields = new Map<string, string>();
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && /[ \t\r\n,]/.test(text[pos]!)) pos++;
  };
  for (skipSpace(); pos < text.length; skipSpace()) {
    const keyMatch = /^[A-Za-z0-9-]+/.exec(text.slice(pos, pos + 64));
    if (!keyMatch) return null;
    const key = keyMatch[0].toLowerCase();
    pos += keyMatch[0].length;
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
    if (text[pos] !== '=') return null;
    pos++;
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
    let value = '';
    if (text[pos] === '"') {
      pos++;
      for (;;) {
        const c = text[pos++];
        if (c === undefined) return null;
        if (c === '"') break;
        value += c === '\\' ? (text[pos++] ?? '') : c;
      }
    } else {
      const end = text.indexOf(',', pos);
      value = text.slice(pos, end < 0 ? text.length : end).trim();
      pos = end < 0 ? text.length : end;
    }
    if (fields.has(key)) return null;
    fields.set(key, value);
  }
  return fields;
}
