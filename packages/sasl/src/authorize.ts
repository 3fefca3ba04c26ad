import type { SaslContext } from './mechanism.js';
import { type SaslStep, failure } from './sasl-result.js';

/**
 * Ends an exchange whose credentials were good: checks the authorization identity the client
 * asked for (RFC 4422 3.4.1: none, or the account itself, is always fine; another needs
 * `mayActAs`) and builds the success.
 */
export async function authorize(
  context: SaslContext,
  user: string,
  authenticationId: string,
  authorizationId: string,
  additionalData?: Uint8Array,
): Promise<SaslStep> {
  const asked = authorizationId === '' ? authenticationId : authorizationId;
  const same =
    asked.toLowerCase() === authenticationId.toLowerCase() ||
    asked.toLowerCase() === user.toLowerCase();
  if (!same && !(await context.credentials.mayActAs?.(user, asked))) {
    return failure(
      'authorization-denied',
      `${authenticationId} may not act as ${asked}`,
      authenticationId,
    );
  }
  const identity = { authenticationId, authorizationId: asked, user };
  return additionalData
    ? { type: 'success', identity, additionalData }
    : { type: 'success', identity };
}

/** The account id for a login that passed a mechanism checking its own secret. */
export async function accountOf(context: SaslContext, login: string): Promise<string | null> {
  if (!context.credentials.findUser) return login;
  return (await context.credentials.findUser(login))?.id ?? null;
}
