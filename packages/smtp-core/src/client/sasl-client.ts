import { createHmac } from 'node:crypto';

/**
 * The client's half of the SASL mechanisms SMTP relays use (RFC 4954): what to answer to each
 * server challenge. Each mechanism is a function from the decoded challenge to the response, or
 * null when it has nothing more to say (the exchange is then cancelled with `*`).
 */

/** A password login (PLAIN, LOGIN, CRAM-MD5), or an OAuth 2.0 bearer token (XOAUTH2). */
export type SmtpCredentials =
  | { readonly username: string; readonly password: string }
  | { readonly username: string; readonly accessToken: string };

export type ClientMechanism = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2';

export interface ClientMechanismSteps {
  /** Sent with the AUTH command (RFC 4954 initial response), or null to wait for a challenge. */
  readonly initialResponse: Uint8Array | null;
  /** The answer to the server's n-th challenge (0-based), or null to cancel. */
  respond(challenge: Uint8Array, step: number): Uint8Array | null;
}

/** Whether a mechanism sends the password in a form anyone on the path can read. */
export function exposesPassword(mechanism: ClientMechanism): boolean {
  return mechanism === 'PLAIN' || mechanism === 'LOGIN';
}

export function clientMechanism(
  mechanism: ClientMechanism,
  credentials: SmtpCredentials,
): ClientMechanismSteps | null {
  const utf8 = (text: string) => Buffer.from(text, 'utf8');
  if ('accessToken' in credentials) {
    if (mechanism !== 'XOAUTH2') return null;
    // Google's and Microsoft's XOAUTH2: user=...^Aauth=Bearer ...^A^A. After a failure the
    // server sends a JSON error as a challenge, and the client answers with an empty line.
    return {
      initialResponse: utf8(
        `user=${credentials.username}\x01auth=Bearer ${credentials.accessToken}\x01\x01`,
      ),
      respond: () => new Uint8Array(0),
    };
  }
  const { username, password } = credentials;
  switch (mechanism) {
    case 'PLAIN':
      // RFC 4616: authzid (empty: act as ourselves) NUL authcid NUL password.
      return { initialResponse: utf8(`\0${username}\0${password}`), respond: () => null };
    case 'LOGIN':
      // draft-murchison-sasl-login: the challenges are "Username:" and "Password:", in order.
      return {
        initialResponse: null,
        respond: (_challenge, step) =>
          step === 0 ? utf8(username) : step === 1 ? utf8(password) : null,
      };
    case 'CRAM-MD5':
      // RFC 2195: the user name, a space, and HMAC-MD5 of the challenge keyed by the password, in hex.
      return {
        initialResponse: null,
        respond: (challenge, step) =>
          step === 0
            ? utf8(`${username} ${createHmac('md5', password).update(challenge).digest('hex')}`)
            : null,
      };
    default:
      return null;
  }
}
