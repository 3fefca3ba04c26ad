import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { accountOf, authorize } from '../authorize.js';
import type { ScramHash } from '../credentials.js';
import type { Exchange, SaslContext, SaslMechanism } from '../mechanism.js';
import { failure } from '../sasl-result.js';
import { saslPrep } from '../saslprep.js';
import { decodeSaslName } from '../saslname.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';

const NODE_HASH: Record<ScramHash, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256' };

/**
 * SCRAM (RFC 5802, RFC 7677): salted challenge-response, the server holding only StoredKey and
 * ServerKey. The `-PLUS` variants bind the exchange to the TLS channel (RFC 5929, RFC 9266 for
 * `tls-exporter`); a client that says it could bind (`y`) while the server offered PLUS is
 * refused, as that is what a downgrade by a man in the middle looks like.
 */
export function scram(hash: ScramHash, plus: boolean): SaslMechanism {
  return {
    name: `SCRAM-${hash}${plus ? '-PLUS' : ''}`,
    plaintext: false,
    available: (context) =>
      context.credentials.scramCredentials !== undefined &&
      (!plus || context.channelBinding !== undefined),
    exchange: (context, initial) => scramExchange(context, initial, hash, plus),
  };
}

async function* scramExchange(
  context: SaslContext,
  initial: Uint8Array | null,
  hash: ScramHash,
  plus: boolean,
): Exchange {
  const clientFirst = decodeUtf8(initial ?? (yield new Uint8Array(0)));
  const first = clientFirst === null ? null : parseClientFirst(clientFirst);
  if (!first) return failure('malformed', 'SCRAM client-first-message is malformed');
  const { gs2Header, bindFlag, bindType, authzid, username, clientNonce, bare } = first;

  if (plus && (bindFlag !== 'p' || bindType !== context.channelBinding?.type)) {
    return failure(
      'channel-binding',
      `${hash}-PLUS needs channel binding ${context.channelBinding?.type ?? ''}`,
      username,
    );
  }
  if (!plus && bindFlag === 'p')
    return failure('channel-binding', 'channel binding asked without -PLUS', username);
  if (!plus && bindFlag === 'y' && context.plusOffered) {
    return failure(
      'channel-binding',
      'client could bind but did not, though PLUS was offered',
      username,
    );
  }

  const login = saslPrep(username);
  if (login === null) return failure('malformed', 'SCRAM username is not a valid SASLprep string');
  const stored = await context.credentials.scramCredentials!(login, hash);
  // An unknown user still gets a plausible challenge, so the exchange does not tell who exists.
  const salt = stored?.salt ?? randomBytes(16);
  const iterations = stored?.iterations ?? 4096;
  const nonce = clientNonce + context.nonce();
  const serverFirst = `r=${nonce},s=${Buffer.from(salt).toString('base64')},i=${iterations}`;

  const clientFinal = decodeUtf8(yield encodeUtf8(serverFirst));
  const final = clientFinal === null ? null : parseClientFinal(clientFinal);
  if (!final) return failure('malformed', 'SCRAM client-final-message is malformed', username);
  const expectedBinding = Buffer.concat([
    Buffer.from(gs2Header, 'utf8'),
    bindFlag === 'p' ? Buffer.from(context.channelBinding!.data) : Buffer.alloc(0),
  ]);
  if (!timingSafeEqualBuffers(final.channelBinding, expectedBinding)) {
    return failure('channel-binding', 'channel binding data does not match', username);
  }
  if (final.nonce !== nonce) return failure('malformed', 'SCRAM nonce is not ours', username);
  if (!stored) return failure('invalid-credentials', `no SCRAM credentials for ${login}`, username);

  const algorithm = NODE_HASH[hash];
  const authMessage = `${bare},${serverFirst},${final.withoutProof}`;
  const clientSignature = createHmac(algorithm, stored.storedKey).update(authMessage).digest();
  if (final.proof.length !== clientSignature.length)
    return failure('invalid-credentials', 'wrong SCRAM proof', username);
  const clientKey = Buffer.from(final.proof.map((byte, i) => byte ^ clientSignature[i]!));
  const storedKey = createHash(algorithm).update(clientKey).digest();
  if (!timingSafeEqualBuffers(storedKey, stored.storedKey)) {
    return failure('invalid-credentials', `wrong SCRAM proof for ${login}`, username);
  }
  const serverSignature = createHmac(algorithm, stored.serverKey).update(authMessage).digest();
  const account = await accountOf(context, login);
  if (!account) return failure('invalid-credentials', `no account for ${login}`, username);
  return authorize(
    context,
    account,
    login,
    authzid,
    encodeUtf8(`v=${serverSignature.toString('base64')}`),
  );
}

interface ClientFirst {
  readonly gs2Header: string;
  readonly bindFlag: 'n' | 'y' | 'p';
  readonly bindType: string | undefined;
  readonly authzid: string;
  readonly username: string;
  readonly clientNonce: string;
  /** client-first-message-bare: what goes into AuthMessage. */
  readonly bare: string;
}

/** RFC 5802 section 7: `gs2-cbind-flag "," [authzid] "," [reserved-mext ","] username "," nonce ["," extensions]`. */
function parseClientFirst(message: string): ClientFirst | null {
  const match = /^(n|y|p=([A-Za-z0-9.-]+)),(a=([^,]*))?,(.*)$/s.exec(message);
  if (!match) return null;
  const bare = match[5]!;
  const attributes = bare.split(',');
  if (attributes[0]?.startsWith('m=')) return null; // mandatory extensions we do not know
  const username = attributes[0]?.startsWith('n=') ? decodeSaslName(attributes[0].slice(2)) : null;
  const nonce = attributes[1]?.startsWith('r=') ? attributes[1].slice(2) : null;
  const authzid = match[4] === undefined ? '' : decodeSaslName(match[4]);
  const extensionsValid = attributes.slice(2).every((attribute) => /^[A-Za-z]=/.test(attribute));
  if (username === null || username === '' || authzid === null || !nonce || !extensionsValid)
    return null;
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)) return null;
  return {
    gs2Header: `${match[1]},${match[3] ?? ''},`,
    bindFlag: match[1]!.startsWith('p') ? 'p' : (match[1] as 'n' | 'y'),
    bindType: match[2],
    authzid,
    username,
    clientNonce: nonce,
    bare,
  };
}

/** `c=<base64> "," r=<nonce> ["," extensions] "," p=<base64 proof>`. */
function parseClientFinal(
  message: string,
): { channelBinding: Buffer; nonce: string; proof: number[]; withoutProof: string } | null {
  const at = message.lastIndexOf(',p=');
  if (at < 0) return null;
  const withoutProof = message.slice(0, at);
  const [binding, nonce] = withoutProof.split(',');
  const proof = strictBase64(message.slice(at + 3));
  const channelBinding = binding?.startsWith('c=') ? strictBase64(binding.slice(2)) : null;
  if (!proof || !channelBinding || !nonce?.startsWith('r=')) return null;
  return { channelBinding, nonce: nonce.slice(2), proof: [...proof], withoutProof };
}

function strictBase64(text: string): Buffer | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

function timingSafeEqualBuffers(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
