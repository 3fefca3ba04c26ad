import {
  type LoginFailureVerdict,
  type LoginRefusal,
  type SaslFailureReason,
  countsAsLoginFailure,
  loginRefusalText,
} from '@mailyard/sasl';
import type { AuthenticateCommand, LoginCommand, SimpleCommand } from '../../protocol/command.js';
import type { SessionContext } from '../session-context.js';

/** RFC 9051 6.2.1. Offered only where TLS is available and not on yet. */
export async function starttls(session: SessionContext, command: SimpleCommand): Promise<void> {
  if (!session.capabilityList().includes('STARTTLS')) {
    await session.finish(
      command,
      'BAD',
      session.secure ? 'TLS is already active' : 'TLS is not available',
    );
    return;
  }
  await session.startTls(command);
}

/** RFC 9051 6.2.3: plaintext login, refused before TLS unless allowed (LOGINDISABLED). */
export async function login(session: SessionContext, command: LoginCommand): Promise<void> {
  if (!session.secure && session.options.allowPlaintextAuth !== true) {
    await session.finish(
      command,
      'NO',
      'Plaintext authentication disallowed on non-secure (SSL/TLS) connections',
      'PRIVACYREQUIRED',
    );
    return;
  }
  const guard = session.options.loginGuard;
  const refusal =
    guard?.checkAddress(session.remoteAddress) ??
    (await guard?.admit(session.remoteAddress, command.user)) ??
    null;
  if (refusal) return refused(session, command, command.user, refusal);
  let account: { id: string } | null;
  try {
    account = await session.options.directory.verifyPassword(command.user, command.password);
  } catch (error) {
    session.logger.error('imap: credential check failed', { login: command.user, error });
    await session.finish(command, 'NO', 'Temporary authentication failure', 'UNAVAILABLE');
    return;
  }
  if (!account) return failed(session, command, command.user, 'invalid-credentials');
  await succeeded(session, command, account.id, command.user);
}

/** RFC 9051 6.2.2 with SASL-IR (RFC 4959), through @mailyard/sasl. */
export async function authenticate(
  session: SessionContext,
  command: AuthenticateCommand,
): Promise<void> {
  const guard = session.options.loginGuard;
  const addressRefusal = guard?.checkAddress(session.remoteAddress);
  if (addressRefusal) return refused(session, command, null, addressRefusal);
  const exchange = session.sasl.start(
    command.mechanism,
    session.saslTransport,
    guard ? { loginGuard: guard, remoteAddress: session.remoteAddress } : undefined,
  );
  if (!exchange) {
    await session.finish(command, 'NO', 'Unsupported authentication mechanism');
    return;
  }
  let step = await exchange.start(command.initialResponse);
  while (step.type === 'challenge') {
    await session.sendLine(`+ ${step.challenge}`);
    const line = await session.readLine();
    if (line === null) return;
    if (line === 'too-long') {
      // The line was dropped unread; the exchange ends as a broken one, and counts as one.
      exchange.session.cancel();
      step = { type: 'failure', reason: 'too-long', message: 'response line too long' };
      break;
    }
    step = await exchange.respond(Buffer.from(line).toString('latin1'));
  }
  if (step.type === 'success') {
    return succeeded(session, command, step.identity.user, step.identity.authenticationId);
  }
  const login = step.authenticationId ?? null;
  if (step.reason === 'refused' && step.refusal) {
    return refused(session, command, login, step.refusal);
  }
  if (step.reason === 'temporary') {
    session.logger.error('imap: credential check failed', { login, error: step.message });
  }
  const { status, code, text } = saslFailure(step.reason);
  if (countsAsLoginFailure(step.reason)) {
    return failed(session, command, login, step.reason, status, code, text);
  }
  reportFailure(session, methodOf(command), login, step.reason, NOT_LOCKED);
  await session.finish(command, status, text, code);
  await session.authFailed();
}

/** RFC 8437: back to not authenticated, on the same connection (TLS and COMPRESS stay). */
export async function unauthenticate(
  session: SessionContext,
  command: SimpleCommand,
): Promise<void> {
  session.unauthenticate();
  await session.finish(command, 'OK', 'Unauthenticated');
}

async function succeeded(
  session: SessionContext,
  command: LoginCommand | AuthenticateCommand,
  user: string,
  login: string,
): Promise<void> {
  await session.options.loginGuard?.recordSuccess(session.remoteAddress, login);
  session.logIn(user.toLowerCase());
  try {
    session.options.onLogin?.({ user: user.toLowerCase(), remoteAddress: session.remoteAddress });
  } catch (error) {
    session.logger.error('imap: onLogin hook failed', { error });
  }
  session.logger.info('imap: login', { user, remote: session.remoteAddress });
  await session.finish(
    command,
    'OK',
    'Logged in',
    `CAPABILITY ${session.capabilityList().join(' ')}`,
  );
}

const NOT_LOCKED: LoginFailureVerdict = { justLocked: false, accountJustLocked: false };

/**
 * An AUTHENTICATE the parser could not read (its initial response is not base64, say): already
 * answered BAD, it still counts as a failed login, as any other broken exchange does.
 */
export async function unreadableAuthenticate(session: SessionContext): Promise<void> {
  await countFailure(session, 'AUTHENTICATE', null, 'malformed');
  await session.authFailed();
}

/** A failure that counts: the guard hears of it, the Security log too, and the connection. */
async function failed(
  session: SessionContext,
  command: LoginCommand | AuthenticateCommand,
  login: string | null,
  reason: string,
  status: 'NO' | 'BAD' = 'NO',
  code: string | null = 'AUTHENTICATIONFAILED',
  text = 'Authentication failed',
): Promise<void> {
  await countFailure(session, methodOf(command), login, reason);
  await session.finish(command, status, text, code);
  await session.authFailed();
}

async function countFailure(
  session: SessionContext,
  method: string,
  login: string | null,
  reason: string,
): Promise<void> {
  const verdict =
    (await session.options.loginGuard?.recordFailure(session.remoteAddress, login)) ?? NOT_LOCKED;
  session.logger.warn('imap: failed login', {
    login,
    method,
    remote: session.remoteAddress,
    reason,
    ...(verdict.justLocked ? { locked: 'address' } : {}),
    ...(verdict.accountJustLocked ? { accountLocked: true } : {}),
  });
  reportFailure(session, method, login, reason, verdict);
}

/**
 * The guard refused before any credential was checked: the client is told why, and that it is
 * temporary (`[UNAVAILABLE]`, not `[AUTHENTICATIONFAILED]`, so that a mail client does not ask
 * its user for a password that may well be right).
 */
async function refused(
  session: SessionContext,
  command: LoginCommand | AuthenticateCommand,
  login: string | null,
  refusal: LoginRefusal,
): Promise<void> {
  session.logger.warn('imap: login refused', {
    login,
    remote: session.remoteAddress,
    reason: refusal.reason,
    retryAfterMs: refusal.retryAfterMs,
  });
  reportFailure(session, methodOf(command), login, refusal.reason, NOT_LOCKED);
  await session.finish(command, 'NO', loginRefusalText(refusal.reason), 'UNAVAILABLE');
  await session.authFailed();
}

/** Tells the application's `onLoginFailed`, if it listens; a throwing hook is only logged. */
function reportFailure(
  session: SessionContext,
  method: string,
  login: string | null,
  reason: string,
  verdict: LoginFailureVerdict,
): void {
  try {
    session.options.onLoginFailed?.({
      remoteAddress: session.remoteAddress,
      login,
      method,
      reason,
      justLocked: verdict.justLocked,
      accountJustLocked: verdict.accountJustLocked,
    });
  } catch (error) {
    session.logger.error('imap: onLoginFailed hook failed', { error });
  }
}

/** `LOGIN`, or the SASL mechanism, as Kerio's Security log names the method. */
function methodOf(command: LoginCommand | AuthenticateCommand): string {
  return command.name === 'LOGIN' ? 'LOGIN' : command.mechanism.toUpperCase();
}

/** The replies of @mailyard/sasl's README table. */
function saslFailure(reason: SaslFailureReason): {
  status: 'NO' | 'BAD';
  code: string | null;
  text: string;
} {
  switch (reason) {
    case 'invalid-credentials':
      return { status: 'NO', code: 'AUTHENTICATIONFAILED', text: 'Authentication failed' };
    case 'authorization-denied':
      return { status: 'NO', code: 'AUTHORIZATIONFAILED', text: 'Authorization failed' };
    case 'encryption-required':
      return { status: 'NO', code: 'PRIVACYREQUIRED', text: 'Encryption required' };
    case 'temporary':
    case 'refused':
      return { status: 'NO', code: 'UNAVAILABLE', text: 'Temporary authentication failure' };
    case 'unavailable':
      return { status: 'NO', code: null, text: 'Mechanism unavailable' };
    case 'cancelled':
      return { status: 'BAD', code: null, text: 'Authentication cancelled' };
    case 'malformed':
    case 'too-long':
    case 'channel-binding':
      return { status: 'BAD', code: null, text: 'Invalid authentication exchange' };
  }
}
