import {
  type LoginRefusal,
  type WireStep,
  countsAsLoginFailure,
  loginRefusalText,
} from '@mailyard/sasl';
import type { SmtpReply } from '../protocol/smtp-reply.js';
import type { SessionContext } from './session-context.js';
import type { AuthOutcome } from './smtp-hooks.js';

/** AUTH (RFC 4954): starts a SASL exchange, with the login guard asked first. */
export async function authenticate(
  session: SessionContext,
  mechanism: string,
  initialResponse: string | undefined,
): Promise<void> {
  const sasl = session.sasl;
  if (!sasl) return session.refuse({ code: 502, enhanced: '5.5.1', lines: ['AUTH not available'] });
  if (session.clientName === null || !session.extended)
    return session.refuse({ code: 503, enhanced: '5.5.1', lines: ['Send EHLO first'] });
  if (session.user !== null)
    return session.refuse({ code: 503, enhanced: '5.5.1', lines: ['Already authenticated'] });
  if (session.transaction)
    return session.refuse({
      code: 503,
      enhanced: '5.5.1',
      lines: ['AUTH not allowed in a transaction'],
    });
  const loginGuard = session.options.loginGuard;
  const ip = session.connection.remoteAddress;
  const wire = sasl.start(
    mechanism,
    { secure: session.secure },
    loginGuard ? { loginGuard, remoteAddress: ip } : undefined,
  );
  if (!wire)
    return session.refuse({
      code: 504,
      enhanced: '5.5.4',
      lines: ['Unrecognized authentication type'],
    });
  session.auth = { wire, mechanism: mechanism.toUpperCase() };
  // A locked address is refused before the exchange reads anything from the client.
  const refusal = loginGuard?.checkAddress(ip);
  if (refusal) return authStep(session, refusedStep(refusal));
  await authStep(session, await wire.start(initialResponse));
}

/** The client's response to a 334 challenge. */
export async function continueAuth(session: SessionContext, line: string): Promise<void> {
  await authStep(session, await session.auth!.wire.respond(line.trimEnd()));
}

/** A response the SASL exchange cannot take ends it, as a failure of `reason`. */
export async function abandonAuth(
  session: SessionContext,
  reason: 'too-long' | 'malformed',
): Promise<void> {
  await session.auth!.wire.respond('*');
  await authStep(session, { type: 'failure', reason, message: `response ${reason}` });
}

async function authStep(session: SessionContext, step: WireStep): Promise<void> {
  const mechanism = session.auth!.mechanism;
  if (step.type === 'challenge') {
    session.state = 'auth';
    session.decoder.setLineLimit(session.limits.authLine);
    return session.reply({ code: 334, lines: [step.challenge] });
  }
  session.state = 'ready';
  session.decoder.setLineLimit();
  session.auth = null;
  const outcome = await recordAuthOutcome(session, step, mechanism);
  const decision = await session.ask(() => session.hooks.onAuth?.(outcome, session.info));
  if (step.type === 'success' && !(decision && decision.code >= 400)) {
    session.user = step.identity.user;
    return session.reply(
      decision ?? { code: 235, enhanced: '2.7.0', lines: ['Authentication successful'] },
    );
  }
  if (decision && decision.code === 421) {
    session.reply(decision);
    return session.close();
  }
  const reply =
    decision ??
    (step.type === 'failure'
      ? authFailureReply(step.reason, step.refusal)
      : authFailureReply('invalid-credentials'));
  if (++session.failedAuths >= session.limits.authFailures) {
    session.reply(reply);
    session.reply({
      code: 421,
      enhanced: '4.7.0',
      lines: [`${session.hostname} Too many authentication failures`],
    });
    return session.close();
  }
  session.refuse(reply);
}

/**
 * Tells the login guard how the exchange ended (a success, or a failure that counts: wrong
 * credentials or a broken exchange), logs what an operator needs, and describes the outcome
 * for the `onAuth` hook.
 */
async function recordAuthOutcome(
  session: SessionContext,
  step: Exclude<WireStep, { type: 'challenge' }>,
  mechanism: string,
): Promise<AuthOutcome> {
  const guard = session.options.loginGuard;
  const ip = session.connection.remoteAddress;
  if (step.type === 'success') {
    await guard?.recordSuccess(ip, step.identity.authenticationId);
    return { ok: true, user: step.identity.user, mechanism };
  }
  const login = step.authenticationId ?? null;
  const verdict =
    guard && countsAsLoginFailure(step.reason)
      ? await guard.recordFailure(ip, login)
      : { justLocked: false, accountJustLocked: false };
  if (step.reason === 'temporary') {
    session.logger.error('credential lookup failed', {
      session: session.id,
      login,
      error: step.message,
    });
  } else {
    session.logger.warn('authentication failed', {
      session: session.id,
      ip,
      login,
      mechanism,
      reason: step.reason,
      ...(step.refusal ? { retryAfterMs: step.refusal.retryAfterMs } : {}),
    });
  }
  return {
    ok: false,
    mechanism,
    reason: step.refusal?.reason ?? step.reason,
    ...(login !== null ? { authenticationId: login } : {}),
    justLocked: verdict.justLocked,
    accountJustLocked: verdict.accountJustLocked,
  };
}

/** What the SASL layer would have ended with, had the guard refused inside it. */
function refusedStep(refusal: LoginRefusal): WireStep {
  return { type: 'failure', reason: 'refused', message: 'login guard', refusal };
}

/** SASL failures as SMTP replies (RFC 4954 6, RFC 3463). */
function authFailureReply(reason: string, refusal?: LoginRefusal): SmtpReply {
  if (refusal) return { code: 454, enhanced: '4.7.0', lines: [loginRefusalText(refusal.reason)] };
  switch (reason) {
    case 'malformed':
      return { code: 501, enhanced: '5.5.2', lines: ['Cannot decode response'] };
    case 'too-long':
      return { code: 500, enhanced: '5.5.6', lines: ['Authentication Exchange line is too long'] };
    case 'cancelled':
      return { code: 501, enhanced: '5.0.0', lines: ['Authentication cancelled'] };
    case 'encryption-required':
      return {
        code: 538,
        enhanced: '5.7.11',
        lines: ['Encryption required for requested authentication mechanism'],
      };
    case 'temporary':
      return { code: 454, enhanced: '4.7.0', lines: ['Temporary authentication failure'] };
    case 'unavailable':
      return { code: 504, enhanced: '5.5.4', lines: ['Unrecognized authentication type'] };
    default:
      return { code: 535, enhanced: '5.7.8', lines: ['Authentication credentials invalid'] };
  }
}
