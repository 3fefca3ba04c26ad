import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../src/log-line.js';

describe('Error, Warning and Debug log lines', () => {
  it('tags the service and writes the fields as name=value, quoting where needed', () => {
    expect(
      formatLogLine('imap', 'imap: command failed', {
        session: '3fa9c1000002',
        command: 'UID FETCH',
        error: new RangeError('Maximum call stack size exceeded'),
        missing: undefined,
        uids: [1, 2],
      }),
    ).toBe(
      '{imap} imap: command failed; session=3fa9c1000002 command="UID FETCH" ' +
        'error="RangeError: Maximum call stack size exceeded" uids=[1,2]',
    );
    expect(formatLogLine('store', 'folder index rebuilt')).toBe('{store} folder index rebuilt');
  });

  it('cannot be split or forged by what a client sent', () => {
    const line = formatLogLine('imap', 'imap: failed login', {
      login: 'alice\r\n[01/Jan/2026 00:00:00] {imap} imap: login; user=admin',
      remote: '192.0.2.1',
    });
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toBe(
      '{imap} imap: failed login; login="alice\\r\\n[01/Jan/2026 00:00:00] {imap} imap: login; ' +
        'user=admin" remote=192.0.2.1',
    );
    expect(formatLogLine('smtp', 'bad\nmessage\u2028', { x: 'a\u2029b' })).toBe(
      '{smtp} bad\\u000amessage\\u2028; x="a\\u2029b"',
    );
  });
});
