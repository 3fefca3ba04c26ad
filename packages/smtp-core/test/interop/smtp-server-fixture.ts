import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { selfSignedCertificate } from '@mailyard/test-kit';
import type { Envelope } from '../../src/envelope.js';
import {
  type SmtpServer,
  type SmtpServerOptions,
  createSmtpServer,
} from '../../src/node/smtp-server.js';
import { KerioSmtpPolicy } from '../../src/policy/kerio-smtp-policy.js';

export interface ReceivedMessage {
  readonly envelope: Envelope;
  readonly bytes: Buffer;
  readonly listener: string;
}

/**
 * A real SMTP server on loopback, as an application would wire it: the Kerio policy over a
 * directory with example.com (alice / wonderland, bob / builder), STARTTLS on `smtp`, implicit
 * TLS on `smtps`, AUTH required on `submission`, every accepted message kept in `messages`.
 */
export async function startTestServer(overrides: Partial<SmtpServerOptions> = {}) {
  const directory = new MemoryDirectory();
  await directory.addDomain('example.com');
  await directory.addUser('alice@example.com', { password: 'wonderland' });
  await directory.addUser('bob@example.com', { password: 'builder' });
  const security: string[] = [];
  const policy = new KerioSmtpPolicy({
    directory,
    relay: { authenticated: true },
    auth: {
      sasl: {
        credentials: directory,
        hostname: 'mx.example.com',
        service: 'smtp',
        mechanisms: ['PLAIN', 'LOGIN'],
      },
    },
    securityLog: (line) => security.push(line),
  });
  const messages: ReceivedMessage[] = [];
  const server: SmtpServer = createSmtpServer({
    hostname: 'mx.example.com',
    tls: selfSignedCertificate(),
    sasl: policy.sasl,
    limits: { messageSize: 1_000_000, ...policy.limits },
    hooks: policy.hooks({
      onMessage: async (envelope, message, session) => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of message) chunks.push(chunk);
        messages.push({ envelope, bytes: Buffer.concat(chunks), listener: session.listener });
      },
    }),
    listeners: [
      { name: 'smtp', port: 0, tls: 'starttls' },
      { name: 'smtps', port: 0, tls: 'implicit' },
      { name: 'submission', port: 0, tls: 'starttls', requireAuth: true },
    ],
    ...overrides,
  });
  const bound = await server.listen();
  const ports = Object.fromEntries(bound.map(({ name, port }) => [name, port])) as Record<
    string,
    number
  >;
  return { server, ports, messages, security, directory };
}

/** The message as the client sent it: what follows the Received header our server put in front. */
export function withoutOurReceived(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  const match = /^Received: from [^\r]*\r\n(?:\t[^\r]*\r\n)*/.exec(text);
  return match ? text.slice(match[0].length) : text;
}
