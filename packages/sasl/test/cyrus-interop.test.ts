/**
 * A real client nobody here wrote: Cyrus SASL's `sasl-sample-client` (Debian sasl2-bin, with the
 * mechanism plugins of libsasl2-modules) authenticates against our server mechanisms. The sample
 * protocol is lines of `S: <base64>` and `C: <base64>`; the client asks its password on a
 * terminal, so it runs under a pseudo-terminal that Python's pty module provides.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Peer, describeWithPeer } from '@mailyard/test-kit';
import { expect, it } from 'vitest';
import { SaslServer, type WireStep, type SaslWireSession } from '../src/index.js';
import { memoryCredentials } from './credentials-fixture.js';

const CLIENT = '/usr/bin/sasl-sample-client';
const CYRUS_CLIENT: Peer = {
  name: `Cyrus SASL's sasl-sample-client (${CLIENT})`,
  available: existsSync(CLIENT),
  install: 'apt-get install sasl2-bin libsasl2-modules',
};

interface Outcome {
  /** Our server's last step. */
  server: WireStep | null;
  /** The client finished its side (for mutual mechanisms: it verified the server too). */
  clientComplete: boolean;
  transcript: string;
}

/** Runs one authentication of `user` with `password` through the Cyrus client. */
function authenticate(mechanism: string, password: string): Promise<Outcome> {
  const server = new SaslServer({
    credentials: memoryCredentials({ user: 'pencil' }),
    hostname: 'mail.example.com',
    service: 'imap',
  });
  const advertised = server.advertise({ secure: true });
  const args = ['-m', mechanism, '-s', 'imap', '-n', 'mail.example.com', '-a', 'user'];
  const child = spawn(
    'python3',
    ['-c', 'import pty, sys; pty.spawn(sys.argv[1:])', CLIENT, ...args],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let transcript = '';
    let pending = '';
    let session: SaslWireSession | null = null;
    let last: WireStep | null = null;
    let passwordSent = false;
    const send = (data: string) => child.stdin.write(`S: ${data}\n`);
    const finish = () => {
      clearTimeout(timer);
      child.kill();
      resolve({
        server: last,
        clientComplete: /Negotiation complete/.test(transcript),
        transcript,
      });
    };
    const answer = (step: WireStep) => {
      last = step;
      if (step.type === 'challenge') send(step.challenge);
      // The sample protocol has no outcome message: the exchange is over for us.
      else setTimeout(finish, 300);
    };
    const timer = setTimeout(finish, 10_000);

    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      transcript += text;
      pending += text;
      if (!passwordSent && transcript.includes('Password:')) {
        passwordSent = true;
        child.stdin.write(`${password}\n`);
      }
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).replace(/\r$/, '');
        pending = pending.slice(newline + 1);
        const match = /^C: ?(.*)$/.exec(line);
        if (!match) {
          if (/Negotiation complete|authentication failure|SASL\(/.test(line))
            setTimeout(finish, 200);
          continue;
        }
        const data = Buffer.from(match[1]!, 'base64');
        if (!session) {
          // The first client message is the mechanism name, a NUL, and the initial response.
          const nul = data.indexOf(0);
          const name = (nul < 0 ? data : data.subarray(0, nul)).toString();
          session = server.start(name, { secure: true });
          if (!session) return reject(new Error(`client chose ${name}`));
          void session
            .start(nul < 0 ? undefined : data.subarray(nul + 1).toString('base64') || '=')
            .then(answer);
        } else {
          void session.respond(data.toString('base64')).then(answer);
        }
      }
    });
    child.on('error', reject);
    setTimeout(() => send(Buffer.from(advertised.join(' ')).toString('base64')), 100);
  });
}

describeWithPeer(CYRUS_CLIENT, 'interop with Cyrus SASL’s client', () => {
  it.each(['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256'])(
    '%s authenticates a user with the right password',
    { timeout: 20_000 },
    async (mechanism) => {
      const outcome = await authenticate(mechanism, 'pencil');
      expect(outcome.server, outcome.transcript).toMatchObject({
        type: 'success',
        identity: { user: 'user@example.com' },
      });
      expect(outcome.clientComplete, outcome.transcript).toBe(true);
    },
  );

  it.each(['PLAIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-256'])(
    '%s refuses the wrong password',
    { timeout: 20_000 },
    async (mechanism) => {
      const outcome = await authenticate(mechanism, 'eraser');
      expect(outcome.server, outcome.transcript).toMatchObject({
        type: 'failure',
        reason: 'invalid-credentials',
      });
    },
  );
});
