import type { SimpleCommand } from '../../protocol/command.js';
import type { SessionContext } from '../session-context.js';

/**
 * IDLE (RFC 2177, RFC 9051 6.3.13): changes to the selected mailbox are reported as they happen,
 * expunges included, until the client sends DONE.
 */
export async function idle(session: SessionContext, command: SimpleCommand): Promise<void> {
  await session.sendLine('+ idling');
  for (;;) {
    if (session.isClosed) return;
    await session.reportChanges(true);
    const line = session.pollLine();
    if (line === 'too-long') {
      await session.finish(command, 'BAD', 'Expected DONE');
      return;
    }
    if (line !== null) {
      const done = Buffer.from(line).toString('latin1').toUpperCase() === 'DONE';
      await session.finish(command, done ? 'OK' : 'BAD', done ? 'Idle completed' : 'Expected DONE');
      return;
    }
    await session.waitForActivity();
  }
}
