import { parseCommand } from '../protocol/command-parser.js';
import { authenticate } from './auth-command.js';
import { etrn, vrfy } from './query-commands.js';
import { mail, rcpt } from './envelope-commands.js';
import { hello } from './hello-command.js';
import { bdat, data } from './message-reception.js';
import type { SessionContext } from './session-context.js';
import { startTls } from './starttls-command.js';

/**
 * One command line from the client: parsed, checked against the limits every command counts
 * towards, and handed to the handler of its family; the one-line answers are given here.
 */
export async function runCommand(session: SessionContext, line: string): Promise<void> {
  const command = parseCommand(line);
  if (command.verb === 'error') {
    session.refuse(command.reply);
    if (command.fatal) {
      session.reply({
        code: 421,
        enhanced: '4.5.0',
        lines: [`${session.hostname} Cannot tell commands from message data, closing`],
      });
      session.close();
    }
    return;
  }
  if (command.verb === 'non-smtp') {
    // An HTTP request, or message text pipelined behind a DATA that was refused: whatever it
    // is, what follows is not meant as SMTP commands (Postfix hangs up too).
    session.logger.warn('non-SMTP command; closing', {
      session: session.id,
      command: command.name,
    });
    session.reply({
      code: 421,
      enhanced: '4.7.0',
      lines: [`${session.hostname} Non-SMTP command, closing`],
    });
    return session.close();
  }
  if (session.transaction === null && command.verb !== 'MAIL' && command.verb !== 'QUIT') {
    if (++session.commandsWithoutMail > session.limits.commandsBeforeMail) {
      session.reply({
        code: 421,
        enhanced: '4.7.0',
        lines: [`${session.hostname} Too many commands without a message`],
      });
      return session.close();
    }
  }
  switch (command.verb) {
    case 'EHLO':
    case 'HELO':
    case 'LHLO':
      return hello(session, command);
    case 'MAIL':
      return mail(session, command);
    case 'RCPT':
      return rcpt(session, command);
    case 'DATA':
      return data(session);
    case 'BDAT':
      return bdat(session, command.size, command.last);
    case 'RSET':
      session.abandonTransaction();
      return session.reply({ code: 250, enhanced: '2.0.0', lines: ['Ok'] });
    case 'NOOP':
      return session.reply({ code: 250, enhanced: '2.0.0', lines: ['Ok'] });
    case 'QUIT':
      return quit(session);
    case 'HELP':
      return session.reply({
        code: 214,
        enhanced: '2.0.0',
        lines: ['See RFC 5321 and https://www.rfc-editor.org/'],
      });
    case 'VRFY':
      return vrfy(session, command.argument);
    case 'EXPN':
      return session.options.expn
        ? vrfy(session, command.argument)
        : session.refuse({ code: 502, enhanced: '5.5.1', lines: ['EXPN is disabled'] });
    case 'ETRN':
      return etrn(session, command.node);
    case 'STARTTLS':
      return startTls(session);
    case 'AUTH':
      return authenticate(session, command.mechanism, command.initialResponse);
    default:
      return session.refuse({ code: 500, enhanced: '5.5.2', lines: ['Command unrecognized'] });
  }
}

/** After a refusing greeting, QUIT is answered and anything else is out of sequence (RFC 5321
 *  3.1), until the client leaves or the failed commands limit closes the connection. */
export function runCommandAfterRefusal(session: SessionContext, line: string): void {
  if (parseCommand(line).verb !== 'QUIT')
    return session.refuse({ code: 503, enhanced: '5.5.1', lines: ['Bad sequence of commands'] });
  quit(session);
}

function quit(session: SessionContext): void {
  session.reply({ code: 221, enhanced: '2.0.0', lines: [`${session.hostname} Bye`] });
  session.close();
}
