import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { ScramHash, ScramStoredCredentials } from './credentials.js';
import { saslPrep } from './saslprep.js';

/** RFC 5802 asks for at least 4096 iterations; RFC 7677 recommends at least 4096 for SHA-256. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

/**
 * What a server stores for SCRAM instead of the password (RFC 5802 section 3): StoredKey and
 * ServerKey from a random salt, so that a stolen database does not log anyone in.
 */
export function deriveScramCredentials(
  password: string,
  hash: ScramHash,
  options: { salt?: Uint8Array; iterations?: number } = {},
): ScramStoredCredentials {
  const prepared = saslPrep(password);
  if (prepared === null) throw new RangeError('the password is not a valid SASLprep string');
  const algorithm = hash === 'SHA-1' ? 'sha1' : 'sha256';
  const salt = options.salt ?? randomBytes(16);
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  const length = hash === 'SHA-1' ? 20 : 32;
  const salted = pbkdf2Sync(prepared, salt, iterations, length, algorithm);
  const clientKey = createHmac(algorithm, salted).update('Client Key').digest();
  return {
    salt,
    iterations,
    storedKey: createHash(algorithm).update(clientKey).digest(),
    serverKey: createHmac(algorithm, salted).update('Server Key').digest(),
  };
}
