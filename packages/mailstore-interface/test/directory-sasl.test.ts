/** A Directory is the credential store of @mailyard/sasl as it is: every mechanism works against it. */
import { createHmac, randomBytes } from 'node:crypto';
import { SaslServer, deriveScramCredentials } from '@mailyard/sasl';
import { expect, it } from 'vitest';
import { MemoryDirectory } from '../src/index.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function directory(options: ConstructorParameters<typeof MemoryDirectory>[0] = {}) {
  const d = new MemoryDirectory({ deriveScram: deriveScramCredentials, ...options });
  await d.addDomain('example.com');
  await d.addUser('alice@example.com', { password: 'wonderland' });
  return d;
}

it('serves PLAIN with the account id, by name or full address', async () => {
  const server = new SaslServer({
    credentials: await directory(),
    hostname: 'mail.example.com',
    service: 'imap',
  });
  for (const login of ['alice', 'Alice@Example.com']) {
    const step = await server
      .start('PLAIN', { secure: true })!
      .start(b64(`\0${login}\0wonderland`));
    expect(step).toMatchObject({ type: 'success', identity: { user: 'alice@example.com' } });
  }
});

it('offers CRAM-MD5 only when passwords are kept reversibly, and then accepts it', async () => {
  const hashed = new SaslServer({
    credentials: await directory(),
    hostname: 'mail.example.com',
    service: 'imap',
    nonce: () => '1',
  });
  const cram = hashed.start('CRAM-MD5', { secure: true })!;
  const challenge = Buffer.from(
    ((await cram.start()) as { challenge: string }).challenge,
    'base64',
  ).toString();
  const digest = createHmac('md5', 'wonderland').update(challenge).digest('hex');
  expect(await cram.respond(b64(`alice ${digest}`))).toMatchObject({
    type: 'failure',
    reason: 'invalid-credentials',
  });

  const reversible = new SaslServer({
    credentials: await directory({ reversibleKey: randomBytes(32) }),
    hostname: 'mail.example.com',
    service: 'imap',
    nonce: () => '1',
  });
  const again = reversible.start('CRAM-MD5', { secure: true })!;
  const challenge2 = Buffer.from(
    ((await again.start()) as { challenge: string }).challenge,
    'base64',
  ).toString();
  const digest2 = createHmac('md5', 'wonderland').update(challenge2).digest('hex');
  expect(await again.respond(b64(`alice ${digest2}`))).toMatchObject({
    type: 'success',
    identity: { user: 'alice@example.com' },
  });
});

it('keeps SCRAM keys that the SCRAM mechanisms accept', async () => {
  const d = await directory();
  const stored = await d.scramCredentials('alice', 'SHA-256');
  expect(stored?.iterations).toBe(4096);
  const server = new SaslServer({ credentials: d, hostname: 'mail.example.com', service: 'imap' });
  expect(server.advertise({ secure: false })).toContain('SCRAM-SHA-256');
});
