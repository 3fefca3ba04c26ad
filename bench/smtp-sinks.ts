/**
 * The two Node SMTP servers the SMTP benchmark compares, each accepting and discarding every
 * message, as a process of its own: `tsx smtp-sinks.ts mailyard|smtp-server PORT`. It prints
 * `listening` once it is ready.
 *
 * Both do the same work: parse the session, read each message to its end, answer 250. Neither
 * does reverse DNS, TLS or AUTH; both keep their default limits otherwise.
 */
import { createSmtpServer } from '@mailyard/smtp-core';
import { SMTPServer } from 'smtp-server';

const [which, portText] = process.argv.slice(2);
const port = Number(portText);

if (which === 'mailyard') {
  const server = createSmtpServer({
    hostname: 'bench.test',
    listeners: [{ name: 'smtp', port }],
    hooks: {
      onMessage: async (_envelope, message) => {
        for await (const _ of message);
      },
    },
  });
  await server.listen();
} else if (which === 'smtp-server') {
  const server = new SMTPServer({
    disableReverseLookup: true,
    authOptional: true,
    hideSTARTTLS: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
} else {
  throw new Error(`unknown sink ${which}`);
}
console.log('listening');
// Exit normally on a signal, so that `node --cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
