import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import type { ScramHash, ScramStoredCredentials } from './directory.js';

/**
 * How a user's password is kept. Never in the clear: a scrypt hash for password checks, SCRAM
 * stored keys for SCRAM-SHA-1 and SCRAM-SHA-256, and, only where the administrator chose it so
 * CRAM-MD5 and DIGEST-MD5 can work (Kerio 1.6), the password encrypted with the server's key.
 */
export interface PasswordRecord {
  readonly scrypt: { readonly salt: string; readonly hash: string; readonly cost: number };
  readonly scram: Partial<Record<ScramHash, EncodedScramCredentials>>;
  /** `base64(iv) . base64(tag) . base64(ciphertext)`, AES-256-GCM; absent unless reversible. */
  readonly reversible?: string;
}

export interface EncodedScramCredentials {
  readonly salt: string;
  readonly iterations: number;
  readonly storedKey: string;
  readonly serverKey: string;
}

/** scrypt's N: 2^14, the cost node:crypto and OWASP suggest for interactive logins. */
export const SCRYPT_COST = 16384;

/** Derives SCRAM stored keys from a password; the one place SCRAM's key derivation is needed. */
export type ScramDeriver = (password: string, hash: ScramHash) => ScramStoredCredentials;

export interface PasswordOptions {
  /** Keep the password decryptable with this 32-byte key, for CRAM-MD5 and DIGEST-MD5. */
  readonly reversibleKey?: Uint8Array;
  readonly deriveScram?: ScramDeriver;
}

export function hashPassword(password: string, options: PasswordOptions = {}): PasswordRecord {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFKC'), salt, 32, { N: SCRYPT_COST });
  const scram: Partial<Record<ScramHash, EncodedScramCredentials>> = {};
  if (options.deriveScram) {
    for (const algorithm of ['SHA-1', 'SHA-256'] as const) {
      scram[algorithm] = encodeScram(options.deriveScram(password, algorithm));
    }
  }
  return {
    scrypt: { salt: salt.toString('base64'), hash: hash.toString('base64'), cost: SCRYPT_COST },
    scram,
    ...(options.reversibleKey ? { reversible: encrypt(password, options.reversibleKey) } : {}),
  };
}

export function verifyPasswordRecord(record: PasswordRecord, password: string): boolean {
  const salt = Buffer.from(record.scrypt.salt, 'base64');
  const expected = Buffer.from(record.scrypt.hash, 'base64');
  const actual = scryptSync(password.normalize('NFKC'), salt, expected.length, {
    N: record.scrypt.cost,
  });
  return timingSafeEqual(actual, expected);
}

/**
 * {@link verifyPasswordRecord} in libuv's thread pool: the tens of milliseconds scrypt costs on
 * purpose are spent beside the event loop, not in it, so that other connections go on meanwhile.
 */
export async function checkPasswordRecord(
  record: PasswordRecord,
  password: string,
): Promise<boolean> {
  const salt = Buffer.from(record.scrypt.salt, 'base64');
  const expected = Buffer.from(record.scrypt.hash, 'base64');
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      expected.length,
      { N: record.scrypt.cost },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
  return timingSafeEqual(actual, expected);
}

/** What identifies a password record: a changed password has another salt and hash. */
export function passwordRecordKey(record: PasswordRecord): string {
  return `${record.scrypt.salt}$${record.scrypt.hash}`;
}

/** The password, when the record keeps it reversibly and the key fits; else null. */
export function recoverPassword(
  record: PasswordRecord,
  key: Uint8Array | undefined,
): string | null {
  if (!record.reversible || !key) return null;
  try {
    return decrypt(record.reversible, key);
  } catch {
    return null;
  }
}

export function decodeScram(encoded: EncodedScramCredentials): ScramStoredCredentials {
  return {
    salt: Buffer.from(encoded.salt, 'base64'),
    iterations: encoded.iterations,
    storedKey: Buffer.from(encoded.storedKey, 'base64'),
    serverKey: Buffer.from(encoded.serverKey, 'base64'),
  };
}

function encodeScram(credentials: ScramStoredCredentials): EncodedScramCredentials {
  return {
    salt: Buffer.from(credentials.salt).toString('base64'),
    iterations: credentials.iterations,
    storedKey: Buffer.from(credentials.storedKey).toString('base64'),
    serverKey: Buffer.from(credentials.serverKey).toString('base64'),
  };
}

function encrypt(text: string, key: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64')).join('.');
}

function decrypt(value: string, key: Uint8Array): string {
  const [iv, tag, ciphertext] = value.split('.').map((part) => Buffer.from(part, 'base64'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv!);
  decipher.setAuthTag(tag!);
  return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
}
