import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The timestamp a server puts in its greeting for APOP (RFC 1939 7): `<unique@hostname>`, where
 * `unique` must never repeat (the session makes it from its random source and clock).
 */
export function apopTimestamp(unique: string, hostname: string): string {
  return `<${unique.replace(/[<>@\s]/g, '')}@${hostname.replace(/[<>\s]/g, '')}>`;
}

/** The timestamp in a server's greeting (`+OK ... <1896.697170952@dbc.mtview.ca.us>`), or null. */
export function greetingTimestamp(greeting: string): string | null {
  return /<[\x21-\x3b\x3d\x3f-\x7e]*@[\x21-\x3b\x3d\x3f-\x7e]*>/.exec(greeting)?.[0] ?? null;
}

/** APOP's digest: MD5 of the timestamp and the shared secret, in lower-case hex. */
export function apopDigest(timestamp: string, secret: string): string {
  return createHash('md5').update(timestamp, 'utf8').update(secret, 'utf8').digest('hex');
}

/** Whether a client's digest is right, compared in constant time. */
export function apopDigestMatches(timestamp: string, secret: string, digest: string): boolean {
  const expected = Buffer.from(apopDigest(timestamp, secret), 'latin1');
  const given = Buffer.from(digest.toLowerCase(), 'latin1');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
