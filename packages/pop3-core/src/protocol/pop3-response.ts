/**
 * Extended response codes (RFC 2449 section 8, RFC 3206, RFC 6856): machine-readable reasons in
 * brackets after `-ERR`, so that a client can tell "wrong password" from "try again later".
 */
export type Pop3ResponseCode =
  /** Another session has the maildrop (RFC 2449 8.1.2). */
  | 'IN-USE'
  /** Logged in too soon after the last login (RFC 2449 8.1.1). */
  | 'LOGIN-DELAY'
  /** A temporary failure on our side: try again later (RFC 3206 4). */
  | 'SYS/TEMP'
  /** A permanent failure on our side: do not retry (RFC 3206 4). */
  | 'SYS/PERM'
  /** The credentials, or the way they were offered, are not acceptable (RFC 3206 5). */
  | 'AUTH'
  /** The message needs UTF-8 support the client has not announced (RFC 6856 3). */
  | 'UTF8';

const CRLF = '\r\n';

/** Status text may not break the line: control characters become spaces. */
function clean(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, ' ');
}

/** `+OK text` (or a bare `+OK`). */
export function okLine(text = ''): Buffer {
  return Buffer.from(text === '' ? `+OK${CRLF}` : `+OK ${clean(text)}${CRLF}`);
}

/** `-ERR [CODE] text`. */
export function errLine(text: string, code?: Pop3ResponseCode): Buffer {
  const prefix = code === undefined ? '' : `[${code}] `;
  return Buffer.from(`-ERR ${prefix}${clean(text)}${CRLF}`);
}

/**
 * A SASL challenge (RFC 5034 4): `+ ` and the base64 text. The space is sent for an empty
 * challenge too, which every client we know accepts and RFC 5034's grammar allows.
 */
export function continuationLine(base64: string): Buffer {
  return Buffer.from(`+ ${base64}${CRLF}`);
}

/**
 * A whole multi-line response from text lines (CAPA, LIST, UIDL, AUTH listings): the status
 * line, each line dot-stuffed, the terminating `.`. Message text goes through
 * `MessageEncoder` instead, which streams.
 */
export function multilineResponse(status: string, lines: readonly string[]): Buffer {
  let text = `+OK${status === '' ? '' : ` ${clean(status)}`}${CRLF}`;
  for (const line of lines) {
    const safe = clean(line);
    text += `${safe.startsWith('.') ? '.' : ''}${safe}${CRLF}`;
  }
  return Buffer.from(`${text}.${CRLF}`);
}
