/**
 * Errors that say the connection went away (the server restarted, an administrator ended the
 * session, the socket broke), as opposed to the query failing. A pooled connection that died
 * while idle fails the next query sent on it; a read that failed so is safe to send again, on a
 * fresh connection.
 */
const CONNECTION_LOST = new Set([
  // SQLSTATE class 57: operator intervention (admin_shutdown, crash_shutdown, cannot_connect_now).
  '57P01',
  '57P02',
  '57P03',
  // postgres.js's own codes, and the socket's.
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNRESET',
  'EPIPE',
]);

export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_LOST.has(code);
}

/** Runs a read, and once more if the connection it ran on turned out to be dead. */
export async function readOnce<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isConnectionLost(error)) throw error;
    return read();
  }
}
