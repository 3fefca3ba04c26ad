import type { SessionContext } from './session-context.js';

/** STARTTLS (RFC 3207): upgrades the connection, then forgets all the client said before. */
export async function startTls(session: SessionContext): Promise<void> {
  if (session.secure || !session.connection.tlsAvailable) {
    return session.refuse({ code: 502, enhanced: '5.5.1', lines: ['STARTTLS not available'] });
  }
  if (session.transaction)
    return session.refuse({
      code: 503,
      enhanced: '5.5.1',
      lines: ['STARTTLS not allowed in a transaction'],
    });
  session.reply({ code: 220, enhanced: '2.0.0', lines: ['Ready to start TLS'] });
  // Anything the client pipelined after STARTTLS came in the clear: drop it (CVE-2011-0411).
  const dropped = session.decoder.discardBuffered();
  if (dropped > 0)
    session.logger.warn('input after STARTTLS discarded', { session: session.id, octets: dropped });
  session.state = 'tls';
  session.flush();
  try {
    await session.transport.startTls();
  } catch (error) {
    session.logger.warn('TLS handshake failed', { session: session.id, error: String(error) });
    return session.close();
  }
  // RFC 3207 4.2: the client must start over, from EHLO, forgetting all it knew.
  session.secure = true;
  session.clientName = null;
  session.extended = false;
  session.user = null;
  session.transaction = null;
  session.state = 'ready';
}
