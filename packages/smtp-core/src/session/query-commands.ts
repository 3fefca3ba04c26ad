import type { SessionContext } from './session-context.js';

/** VRFY, and EXPN where it is enabled: the application may answer; by default, nothing is told. */
export async function vrfy(session: SessionContext, argument: string): Promise<void> {
  const decision = await session.ask(() => session.hooks.onVrfy?.(argument, session.info));
  if (decision && decision.code >= 400) return session.refuse(decision);
  session.reply(
    // X.5.2 would say "syntax error" (RFC 3463 3.6); this is a success that tells nothing.
    decision ?? {
      code: 252,
      enhanced: '2.0.0',
      lines: ['Cannot VRFY user, but will accept message'],
    },
  );
}

/** ETRN (RFC 1985): asks the application to run its queue for a node; not under LMTP. */
export async function etrn(session: SessionContext, node: string): Promise<void> {
  const onEtrn = session.hooks.onEtrn;
  if (!onEtrn || session.options.lmtp)
    return session.refuse({ code: 502, enhanced: '5.5.1', lines: ['ETRN not supported'] });
  if (session.transaction)
    return session.refuse({
      code: 503,
      enhanced: '5.5.1',
      lines: ['ETRN not allowed in a transaction'],
    });
  const decision = await session.ask(() => onEtrn.call(session.hooks, node, session.info));
  if (decision && decision.code >= 400) return session.refuse(decision);
  session.reply(
    decision ?? { code: 250, enhanced: '2.0.0', lines: [`Queuing for node ${node} started`] },
  );
}
