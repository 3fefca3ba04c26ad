import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  countsAsLoginFailure,
  loginRefusalText,
  type LoginGuard,
  type LoginRefusal,
  type SaslCredentials,
  SaslServer,
} from '../src/index.js';
import { memoryCredentials } from './credentials-fixture.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A guard that records what it was asked, and refuses the logins it is told to. */
function recordingGuard(refuse: Record<string, LoginRefusal> = {}) {
  const admitted: string[] = [];
  let release: (() => void) | null = null;
  let holding = false;
  const guard: LoginGuard = {
    checkAddress: () => null,
    admit: async (ip, login) => {
      admitted.push(`${ip} ${login}`);
      if (holding) await new Promise<void>((resolve) => (release = resolve));
      return refuse[login] ?? null;
    },
    recordFailure: async () => ({ justLocked: false, accountJustLocked: false }),
    recordSuccess: async () => undefined,
  };
  return {
    guard,
    admitted,
    hold: () => (holding = true),
    release: () => release?.(),
  };
}

/** Credentials that count the secret lookups they answer. */
function countingCredentials() {
  const inner = memoryCredentials({ tim: 'tanstaaftanstaaf', user: 'pencil' });
  const lookups: string[] = [];
  const credentials: SaslCredentials = {
    ...inner,
    verifyPassword: (login, password) => {
      lookups.push(`password ${login}`);
      return inner.verifyPassword(login, password);
    },
    plaintextPassword: (login) => {
      lookups.push(`plaintext ${login}`);
      return inner.plaintextPassword!(login);
    },
    scramCredentials: (login, hash) => {
      lookups.push(`scram ${login}`);
      return inner.scramCredentials!(login, hash);
    },
  };
  return { credentials, lookups };
}

const THROTTLED: LoginRefusal = { reason: 'throttled', retryAfterMs: 5_000 };

function server(credentials: SaslCredentials) {
  return new SaslServer({
    credentials,
    hostname: 'mail.example.com',
    service: 'imap',
    nonce: () => 'servernonce',
  });
}

describe('a guarded exchange', () => {
  it('asks the guard with the PLAIN authcid before the password is checked, once', async () => {
    const { credentials, lookups } = countingCredentials();
    const { guard, admitted } = recordingGuard();
    const plain = server(credentials).start(
      'PLAIN',
      { secure: true },
      { loginGuard: guard, remoteAddress: '192.0.2.7' },
    )!;
    expect(await plain.start(b64('\0tim\0tanstaaftanstaaf'))).toMatchObject({ type: 'success' });
    expect(admitted).toEqual(['192.0.2.7 tim']);
    expect(lookups).toEqual(['password tim']);
  });

  it('ends the exchange as refused, with the refusal, and never reads the secret', async () => {
    const { credentials, lookups } = countingCredentials();
    const { guard } = recordingGuard({ tim: THROTTLED });
    const plain = server(credentials).start(
      'PLAIN',
      { secure: true },
      { loginGuard: guard, remoteAddress: '192.0.2.7' },
    )!;
    expect(await plain.start(b64('\0tim\0tanstaaftanstaaf'))).toEqual({
      type: 'failure',
      reason: 'refused',
      message: 'login guard: throttled',
      authenticationId: 'tim',
      refusal: THROTTLED,
    });
    expect(lookups).toEqual([]);
  });

  it('asks after LOGIN’s password arrives, when the user is known', async () => {
    const { credentials, lookups } = countingCredentials();
    const { guard, admitted } = recordingGuard({ tim: THROTTLED });
    const login = server(credentials).start(
      'LOGIN',
      { secure: true },
      { loginGuard: guard, remoteAddress: '192.0.2.7' },
    )!;
    await login.start();
    await login.respond(b64('tim'));
    expect(admitted).toEqual([]);
    expect(await login.respond(b64('guess'))).toMatchObject({
      type: 'failure',
      reason: 'refused',
      refusal: THROTTLED,
    });
    expect(admitted).toEqual(['192.0.2.7 tim']);
    expect(lookups).toEqual([]);
  });

  it('asks SCRAM at the client-first message, before the stored keys are read', async () => {
    const { credentials, lookups } = countingCredentials();
    const { guard, admitted } = recordingGuard({ user: THROTTLED });
    const scram = server(credentials).start(
      'SCRAM-SHA-256',
      { secure: false },
      { loginGuard: guard, remoteAddress: '2001:db8::1' },
    )!;
    expect(await scram.start(b64('n,,n=user,r=clientnonce'))).toMatchObject({
      type: 'failure',
      reason: 'refused',
      authenticationId: 'user',
    });
    expect(admitted).toEqual(['2001:db8::1 user']);
    expect(lookups).toEqual([]);
  });

  it('asks CRAM-MD5 before the plaintext password is read', async () => {
    const { credentials, lookups } = countingCredentials();
    const { guard, admitted } = recordingGuard();
    const cram = server(credentials).start(
      'CRAM-MD5',
      { secure: true },
      { loginGuard: guard, remoteAddress: '192.0.2.7' },
    )!;
    const challenge = await cram.start();
    const text = Buffer.from((challenge as { challenge: string }).challenge, 'base64').toString();
    const digest = createHmac('md5', 'tanstaaftanstaaf').update(text).digest('hex');
    expect(await cram.respond(b64(`tim ${digest}`))).toMatchObject({ type: 'success' });
    expect(admitted).toEqual(['192.0.2.7 tim']);
    expect(lookups).toEqual(['plaintext tim']);
  });

  it('checks the credential only once the guard lets it, however long that takes', async () => {
    const { credentials, lookups } = countingCredentials();
    const held = recordingGuard();
    held.hold();
    const plain = server(credentials).start(
      'PLAIN',
      { secure: true },
      { loginGuard: held.guard, remoteAddress: '192.0.2.7' },
    )!;
    const step = plain.start(b64('\0tim\0wrong'));
    // The guard has the attempt and has not answered: the password has not been looked at.
    await expect.poll(() => held.admitted.length).toBe(1);
    expect(lookups).toEqual([]);
    held.release();
    expect(await step).toMatchObject({ type: 'failure', reason: 'invalid-credentials' });
    expect(lookups).toEqual(['password tim']);
  });

  it('leaves credentials of a class their `this`, and absent lookups absent', async () => {
    class Store {
      readonly secret = 'pencil';
      async verifyPassword(login: string, password: string) {
        return password === this.secret ? { id: login } : null;
      }
    }
    const { guard } = recordingGuard();
    const sasl = server(new Store());
    // Without plaintextPassword and scramCredentials, CRAM-MD5 and SCRAM are not available.
    expect(sasl.advertise({ secure: true })).toEqual(['LOGIN', 'PLAIN']);
    const cram = sasl.start(
      'CRAM-MD5',
      { secure: true },
      { loginGuard: guard, remoteAddress: '192.0.2.7' },
    )!;
    expect(await cram.start()).toMatchObject({ type: 'failure', reason: 'unavailable' });
    const plain = sasl.start(
      'PLAIN',
      { secure: true },
      { loginGuard: guard, remoteAddress: '192.0.2.7' },
    )!;
    expect(await plain.start(b64('\0u\0pencil'))).toMatchObject({ type: 'success' });
  });
});

describe('what the engines share about failures and refusals', () => {
  it('counts wrong credentials and broken exchanges towards lockouts, not cancels', () => {
    const counted = [
      'invalid-credentials',
      'authorization-denied',
      'malformed',
      'too-long',
      'channel-binding',
      'cancelled',
      'encryption-required',
      'unavailable',
      'temporary',
      'refused',
    ].filter((reason) =>
      countsAsLoginFailure(reason as Parameters<typeof countsAsLoginFailure>[0]),
    );
    expect(counted).toEqual([
      'invalid-credentials',
      'authorization-denied',
      'malformed',
      'too-long',
      'channel-binding',
    ]);
  });

  it('says why a login was refused, and that it is for later', () => {
    expect(loginRefusalText('address-locked')).toBe(
      'Too many failed logins from your address; try again later',
    );
    expect(loginRefusalText('account-locked')).toBe(
      'Account locked after too many failed logins; try again later',
    );
    expect(loginRefusalText('throttled')).toBe(
      'Too many failed logins for this account; try again later',
    );
  });
});
