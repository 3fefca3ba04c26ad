import { RecordingLoginGuard } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { TestClient, engine, plainLogin } from './session-harness.js';

describe('ManageSieve with a login guard', () => {
  it('tells the guard of every outcome, and answers its refusals NO (TRYLATER) without checking the password', async () => {
    const guard = new RecordingLoginGuard({
      addressLimit: 2,
      refuse: { 'bob@example.com': { reason: 'account-locked', retryAfterMs: 1000 } },
    });
    const reasons: string[] = [];
    const { engine: e } = await engine({
      loginGuard: guard,
      limits: { failedLogins: 10 },
      hooks: { onLoginFailed: (failure) => void reasons.push(failure.reason) },
    });
    const client = new TestClient(e);
    await client.start();
    expect(await client.send(plainLogin('bob@example.com', 'builder'))).toBe(
      'NO (TRYLATER) "Account locked after too many failed logins; try again later"\r\n',
    );
    expect(await client.send(plainLogin('alice@example.com', 'wonderland'))).toBe(
      'OK "Logged in"\r\n',
    );
    await client.send('UNAUTHENTICATE\r\n');
    expect(await client.send(plainLogin('alice@example.com', 'nope'))).toBe(
      'NO "Authentication failed"\r\n',
    );
    // A broken exchange counts as a failure too; a cancel does not.
    expect(await client.send('AUTHENTICATE "PLAIN"\r\n')).toBe('""\r\n');
    expect(await client.send('"*"\r\n')).toBe('NO "Authentication cancelled"\r\n');
    expect(await client.send('AUTHENTICATE "PLAIN" "not base64!"\r\n')).toMatch(
      /^NO "Authentication failed: /,
    );
    // Two failures from the address: it is locked now, before any credential is read.
    expect(await client.send(plainLogin('alice@example.com', 'wonderland'))).toBe(
      'NO (TRYLATER) "Too many failed logins from your address; try again later"\r\n',
    );
    expect(guard.calls).toEqual([
      'admit 192.0.2.7 bob@example.com',
      'admit 192.0.2.7 alice@example.com',
      'success 192.0.2.7 alice@example.com',
      'admit 192.0.2.7 alice@example.com',
      'failure 192.0.2.7 alice@example.com',
      'failure 192.0.2.7 -',
    ]);
    expect(reasons).toEqual([
      'account-locked',
      'invalid-credentials',
      'malformed',
      'address-locked',
    ]);
  });
});
