/**
 * Where mechanisms check credentials: the application's (or a `Directory`'s) account store,
 * never a global. Only `verifyPassword` is required; a mechanism whose lookup is missing, or
 * answers null, is not offered or fails as `unavailable`.
 */
export interface SaslCredentials {
  /** The account (its id) when the password is right for the login name and the account may log in. */
  verifyPassword(login: string, password: string): Promise<{ readonly id: string } | null>;
  /**
   * The password in the clear, for CRAM-MD5 and DIGEST-MD5, which need a plaintext-equivalent
   * secret; null when the account does not keep one (Kerio: only with reversible storage).
   */
  plaintextPassword?(login: string): Promise<string | null>;
  /** SCRAM stored keys for a login and hash (RFC 5802 section 3), or null. */
  scramCredentials?(login: string, hash: ScramHash): Promise<ScramStoredCredentials | null>;
  /** The account id a login name stands for (needed after CRAM-MD5, DIGEST-MD5 and SCRAM). */
  findUser?(login: string): Promise<{ readonly id: string } | null>;
  /** Checks an OAuth 2.0 bearer token (OAUTHBEARER, XOAUTH2). */
  verifyToken?(token: string, request: TokenRequest): Promise<TokenVerdict>;
  /**
   * Whether the authenticated account may act as another identity (RFC 4422 authzid). Without
   * this hook only the account itself (or an empty authzid) is allowed.
   */
  mayActAs?(user: string, authorizationId: string): Promise<boolean>;
}

export type ScramHash = 'SHA-1' | 'SHA-256';

export interface ScramStoredCredentials {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

export interface TokenRequest {
  /** The user the client names (OAUTHBEARER's `a=`, XOAUTH2's `user=`), when it names one. */
  readonly user?: string;
  readonly host?: string;
  readonly port?: string;
}

export type TokenVerdict =
  | { readonly valid: true; readonly user: string }
  /** RFC 7628 section 3.2.2: the JSON error the client is sent before the failure. */
  | {
      readonly valid: false;
      readonly status: string;
      readonly scope?: string;
      readonly openidConfiguration?: string;
    };
