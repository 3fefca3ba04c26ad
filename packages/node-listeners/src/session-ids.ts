import { randomBytes } from 'node:crypto';

/**
 * Names connections for logs: a random prefix per server (two servers, or two runs of one, never
 * share a name) and a counter, `3fa9c1000000`, `3fa9c1000001`, ... Short enough to read in a log
 * line, and every line of one session carries the same one.
 */
export function sessionIds(): () => string {
  const prefix = randomBytes(3).toString('hex');
  let counter = 0;
  return () => `${prefix}${(counter++).toString(16).padStart(6, '0')}`;
}
