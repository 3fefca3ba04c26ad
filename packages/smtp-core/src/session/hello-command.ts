import type { SmtpCommand } from '../protocol/command-parser.js';
import type { SessionContext } from './session-context.js';

/** EHLO, HELO, or LHLO under LMTP: the client names itself and starts over (RFC 5321 4.1.4). */
export async function hello(
  session: SessionContext,
  command: Extract<SmtpCommand, { verb: 'EHLO' | 'HELO' | 'LHLO' }>,
): Promise<void> {
  const lmtp = session.options.lmtp ?? false;
  if ((command.verb === 'LHLO') !== lmtp) {
    return session.refuse({
      code: 500,
      enhanced: '5.5.1',
      lines: [lmtp ? 'This is LMTP: say LHLO' : 'Command unrecognized'],
    });
  }
  const decision = await session.ask(() => session.hooks.onHelo?.(command.domain, session.info));
  if (decision && decision.code >= 400) return session.refuse(decision);
  session.abandonTransaction();
  session.clientName = command.domain;
  session.extended = command.verb !== 'HELO';
  if (!session.extended) return session.reply({ code: 250, lines: [session.hostname] });
  session.reply({
    code: 250,
    lines: [`${session.hostname} greets ${command.domain}`, ...extensions(session)],
  });
}

/** The EHLO keywords, in the order they were standardised. */
function extensions(session: SessionContext): string[] {
  const list = ['PIPELINING'];
  const { messageSize } = session.limits;
  list.push(messageSize > 0 ? `SIZE ${messageSize}` : 'SIZE');
  list.push('8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'DSN', 'CHUNKING', 'BINARYMIME');
  if (session.connection.tlsAvailable && !session.secure) list.push('STARTTLS');
  if (session.secure) list.push('REQUIRETLS');
  const mechanisms = session.sasl?.advertise({ secure: session.secure }) ?? [];
  if (mechanisms.length > 0 && session.user === null) list.push(`AUTH ${mechanisms.join(' ')}`);
  if (session.hooks.onEtrn && !session.options.lmtp) list.push('ETRN');
  return list;
}
