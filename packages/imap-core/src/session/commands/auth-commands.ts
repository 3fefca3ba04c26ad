import type { SaslFailureReason } from '@mailyard/sasl';
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
  const lockout = session.options.lockout;
  if (lockout?.isLocked(session.remoteAddress)) return refuseLocked(session, command, command.user);
  let account: { id: string } | null;
  try {
    account = await session.options.directory.verifyPassword(command.user, command.password);
  } catch (error) {
    session.logger.error('imap: credential check failed', { error: String(error) });
    await session.finish(command, 'NO', 'Temporary authentication failure', 'UNAVAILABLE');
    return;
  }
  if (!account) return failed(session, command, command.user, 'invalid-credentials');
  await succeeded(session, command, account.id);
}

/** RFC 9051 6.2.2 with SASL-IR (RFC 4959), through @mailyard/sasl. */
export async function authenticate(
  session: SessionContext,
  command: AuthenticateCommand,
): Promise<void> {
  const lockout = session.options.lockout;
  if (lockout?.isLocked(session.remoteAddress)) return refuseLocked(session, command, null);
  const exchange = session.sasl.start(command.mechanism, session.saslTransport);
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
      await session.finish(command, 'BAD', 'Response too long');
      return;
    }
    step = await exchange.respond(Buffer.from(line).toString('latin1'));
  }
  if (step.type === 'success') return succeeded(session, command, step.identity.user);
  const { status, code, text } = saslFailure(step.reason);
  const login = step.authenticationId ?? null;
  if (step.reason === 'invalid-credentials' || step.reason === 'authorization-denied') {
    return failed(session, command, login, step.reason, status, code, text);
  }
  reportFailure(session, command, login, step.reason, false);
  await session.finish(command, status, text, code);
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
): Promise<void> {
  session.options.lockout?.recordSuccess(session.remoteAddress);
  session.logIn(user.toLowerCase());
  try {
    session.options.onLogin?.({ user: user.toLowerCase(), remoteAddress: session.remoteAddress });
  } catch (error) {
    session.logger.error('imap: onLogin hook failed', { error: String(error) });
  }
  session.logger.info('imap: login', { user, remote: session.remoteAddress });
  await session.finish(
    command,
    'OK',
    'Logged in',
    `CAPABILITY ${session.capabilityList().join(' ')}`,
  );
}

async function failed(
  session: SessionContext,
  command: LoginCommand | AuthenticateCommand,
  login: string | null,
  reason: string,
  status: 'NO' | 'BAD' = 'NO',
  code: string | null = 'AUTHENTICATIONFAILED',
  text = 'Authentication failed',
): Promise<void> {
  const verdict = session.options.lockout?.recordFailure(session.remoteAddress);
  session.logger.warn('imap: failed login', {
    login,
    remote: session.remoteAddress,
    ...(verdict?.justLocked ? { locked: true } : {}),
  });
  reportFailure(session, command, login, reason, verdict?.justLocked ?? false);
  await session.finish(command, status, text, code);
  await session.authFailed();
}

async function refuseLocked(
  session: SessionContext,
  command: LoginCommand | AuthenticateCommand,
  login: string | null,
): Promise<void> {
  session.logger.warn('imap: login from a locked-out address', { remote: session.remoteAddress });
  reportFailure(session, command, login, 'locked-out', false);
  await session.finish(command, 'NO', 'Authentication failed', 'AUTHENTICATIONFAILED');
  await session.authFailed();
}

/** Tells the application's `onLoginFailed`, if it listens; a throwing hook is only logged. */
function reportFailure(
  session: SessionContext,
  command: LoginCommand | AuthenticateCommand,
  login: string | null,
  reason: string,
  justLocked: boolean,
): void {
  const method = command.name === 'LOGIN' ? 'LOGIN' : command.mechanism.toUpperCase();
  try {
    session.options.onLoginFailed?.({
      remoteAddress: session.remoteAddress,
      login,
      method,
      reason,
      justLocked,
    });
  } catch (error) {
    session.logger.error('imap: onLoginFailed hook failed', { error: String(error) });
  }
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
