import type { SaslCredentials, ScramHash, TokenVerdict } from '../src/index.js';
import { deriveScramCredentials } from '../src/index.js';

/** An in-memory credential store, as a Directory would answer; SCRAM keys derived per user. */
export function memoryCredentials(
  users: Record<string, string>,
  options: {
    salts?: Partial<Record<ScramHash, Buffer>>;
    tokens?: Record<string, string>;
    delegates?: Record<string, string[]>;
    failLookups?: boolean;
  } = {},
): SaslCredentials {
  const id = (login: string) =>
    login.includes('@') ? login.toLowerCase() : `${login.toLowerCase()}@example.com`;
  const password = (login: string) => users[login.toLowerCase()] ?? users[id(login)];
  const fail = () => {
    if (options.failLookups) throw new Error('directory unreachable');
  };
  return {
    async verifyPassword(login, given) {
      fail();
      return password(login) !== undefined && password(login) === given ? { id: id(login) } : null;
    },
    async plaintextPassword(login) {
      fail();
      return password(login) ?? null;
    },
    async scramCredentials(login, hash) {
      fail();
      const secret = password(login);
      if (secret === undefined) return null;
      const salt = options.salts?.[hash];
      return deriveScramCredentials(secret, hash, salt ? { salt } : {});
    },
    async findUser(login) {
      return password(login) === undefined ? null : { id: id(login) };
    },
    async verifyToken(token): Promise<TokenVerdict> {
      const user = options.tokens?.[token];
      return user
        ? { valid: true, user }
        : {
            valid: false,
            status: 'invalid_token',
            scope: 'example_scope',
            openidConfiguration: 'https://example.com/.well-known/openid-configuration',
          };
    },
    async mayActAs(user, authorizationId) {
      return options.delegates?.[user]?.includes(authorizationId) ?? false;
    },
  };
}

export const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
export const bytes = (value: string) => Buffer.from(value, 'utf8');
