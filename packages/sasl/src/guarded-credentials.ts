import type { SaslCredentials } from './credentials.js';
import type { GuardedAttempt, LoginRefusal } from './login-guard.js';

/** Thrown out of a guarded lookup; the session turns it into a `refused` failure. */
export class LoginRefusedError extends Error {
  constructor(
    readonly refusal: LoginRefusal,
    readonly login: string,
  ) {
    super(`login ${refusal.reason}`);
  }
}

/**
 * The credential store as one exchange sees it when a guard watches: every lookup that reads a
 * secret (a password check, a plaintext password, SCRAM keys) first asks the guard to admit the
 * login. The mechanisms need not know: each learns the login name at its own step (PLAIN at
 * once, LOGIN after two round trips, SCRAM after the client-first message), and each reads the
 * secret through here before it can compare anything. The guard is asked once per exchange.
 *
 * Not guarded: `findUser` and `mayActAs` (they run after a secret was checked), and bearer
 * tokens, which are not guessable secrets.
 */
export function guardCredentials(
  credentials: SaslCredentials,
  attempt: GuardedAttempt,
): SaslCredentials {
  let admitted: Promise<void> | null = null;
  const admit = (login: string): Promise<void> =>
    (admitted ??= attempt.loginGuard.admit(attempt.remoteAddress, login).then((refusal) => {
      if (refusal) throw new LoginRefusedError(refusal, login);
    }));
  const { plaintextPassword, scramCredentials } = credentials;
  return {
    ...bindAll(credentials),
    verifyPassword: async (login, password) => {
      await admit(login);
      return credentials.verifyPassword(login, password);
    },
    // Absent lookups stay absent: a mechanism's availability depends on them.
    ...(plaintextPassword
      ? {
          plaintextPassword: async (login: string) => {
            await admit(login);
            return plaintextPassword.call(credentials, login);
          },
        }
      : {}),
    ...(scramCredentials
      ? {
          scramCredentials: async (login: string, hash: Parameters<typeof scramCredentials>[1]) => {
            await admit(login);
            return scramCredentials.call(credentials, login, hash);
          },
        }
      : {}),
  };
}

/** The store's optional lookups, bound to it (a class instance's methods need their `this`). */
function bindAll(credentials: SaslCredentials): Omit<SaslCredentials, 'verifyPassword'> {
  const { findUser, verifyToken, mayActAs } = credentials;
  return {
    ...(findUser ? { findUser: findUser.bind(credentials) } : {}),
    ...(verifyToken ? { verifyToken: verifyToken.bind(credentials) } : {}),
    ...(mayActAs ? { mayActAs: mayActAs.bind(credentials) } : {}),
  };
}
