import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, expect, it } from 'vitest';
import { LineConversation } from './harness/line-conversation.js';
import { eventually, readWithPoplib } from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
const alice = { user: 'alice@example.test', password: 'alice-secret' };
const running: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
});

describeWithCommand('python3', 'POP3 before SMTP, on by default', () => {
  it('lets the address of a POP3 login relay without AUTH, and the Security log says why', async () => {
    const server = await startServer(data, [
      ...EPHEMERAL_PORTS,
      '--user',
      `${alice.user}:${alice.password}`,
    ]);
    running.push(server);
    // docs/getting-started.md in its order: read the mailbox over POP3 first, then send.
    await readWithPoplib({
      port: server.ports.pop3s!,
      cafile: join(data, 'sslcert', 'server.crt'),
      ...alice,
    });
    const smtp = (await LineConversation.open(server.ports.smtp!, /^220 /m))!;
    await smtp.ask('EHLO client.test\r\n', /^250 /m);
    await smtp.ask('MAIL FROM:<bob@example.test>\r\n', /^250 /m);
    expect(await smtp.ask('RCPT TO:<someone@outside.test>\r\n', /^\d{3} /m)).toBe(
      '250 2.1.5 Ok\r\n',
    );
    await smtp.ask('QUIT\r\n', /^221 /m);
    const line = await eventually(async () => {
      const log = readFileSync(join(data, 'logs', 'security.log'), 'utf8');
      return /^\[[^\]]+\] Relay from IP address 127\.0\.0\.1, .*$/m.exec(log)?.[0];
    }, 'the Security log line of the relay');
    expect(line).toMatch(
      /\] Relay from IP address 127\.0\.0\.1, mail from <bob@example\.test> to <someone@outside\.test> allowed by POP3 before SMTP: alice@example\.test logged in over POP3 from this address$/,
    );
  });
});
