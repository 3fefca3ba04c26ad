import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineConversation } from './harness/line-conversation.js';
import { eventually } from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  runProgram,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const running: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop('SIGKILL')));
});
const start = async (data: string, args: readonly string[] = EPHEMERAL_PORTS) => {
  const server = await startServer(data, args);
  running.push(server);
  return server;
};

describe('mailyard-server, as scripts run it', () => {
  it('sets up a data directory on first run, prints the passwords, then one ready line', async () => {
    const data = temporaryDataDirectory();
    const server = await start(data);
    // stdout: the ready line, alone, with every listener on its own port.
    expect(server.stdout()).toMatch(
      /^ready smtp=\d+ smtps=\d+ submission=\d+ imap=\d+ imaps=\d+ pop3=\d+ pop3s=\d+ sieve=\d+\n$/,
    );
    expect(new Set(Object.values(server.ports)).size).toBe(8);
    expect(server.stderr()).toMatch(
      /first run: created 2 users; their passwords:\n.* {2}alice@example\.test {2}\S{16}\n.* {2}bob@example\.test {2}\S{16}\n/,
    );
    for (const file of [
      'mailserver.cfg',
      'users.cfg',
      'sslcert/server.crt',
      'sslcert/server.key',
    ]) {
      expect(existsSync(join(data, file))).toBe(true);
    }
    expect(existsSync(join(data, 'logs'))).toBe(true);
    expect(readFileSync(join(data, 'mailserver.cfg'), 'utf8')).toContain(
      '<variable name="QueueRetryMinutes">30</variable>',
    );
    const pem = readFileSync(join(data, 'sslcert/server.crt'), 'utf8');
    const certificate = new X509Certificate(pem);
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    await expect(server.stop('SIGTERM')).resolves.toEqual({ code: 0, signal: null });

    // The second run finds it all there: no new users, no new certificate.
    const again = await start(data);
    expect(again.stderr()).not.toContain('first run');
    expect(readFileSync(join(data, 'sslcert/server.crt'), 'utf8')).toBe(pem);
  });

  it('keeps --domain and --user in users.cfg, and leaves example.test out when a domain is given', async () => {
    const data = temporaryDataDirectory();
    const first = await start(data, [
      ...EPHEMERAL_PORTS,
      '--domain',
      'one.test',
      '--user',
      'carol@one.test:first:secret',
    ]);
    expect(first.stderr()).not.toContain('first run');
    await first.stop();
    const usersCfg = readFileSync(join(data, 'users.cfg'), 'utf8');
    expect(usersCfg).toContain('<variable name="Name">one.test</variable>');
    expect(usersCfg).toContain('<variable name="Name">carol</variable>');
    expect(usersCfg).not.toContain('example.test');
    expect(usersCfg).not.toContain('first:secret');
  });

  it('leaves out the listeners given as off', async () => {
    const data = temporaryDataDirectory();
    const server = await start(data, [
      '--smtp=0',
      '--smtps=off',
      '--submission=off',
      '--imap=off',
      '--imaps=off',
      '--pop3=0',
      '--pop3s=off',
      '--sieve=off',
    ]);
    expect(Object.keys(server.ports)).toEqual(['smtp', 'pop3']);
  });

  it('stops cleanly on SIGINT too', async () => {
    const server = await start(temporaryDataDirectory());
    await expect(server.stop('SIGINT')).resolves.toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain('SIGINT: stopping');
    expect(server.stderr()).toContain('mailyard-server: stopped');
  });

  it('prints its usage with --help and exits 0', async () => {
    const result = await runProgram(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: mailyard-server \[--data DIR\] \[--host ADDR\]/);
  });
});

describe('mailyard-server refusing to start', () => {
  it('exits non-zero on a bad flag, saying which', async () => {
    const result = await runProgram(['--smtp', 'twenty-five']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'mailyard-server: --smtp twenty-five: a port is a number from 0 to 65535, or "off"',
    );
    const unknown = await runProgram(['--smpt', '25']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(
      /^mailyard-server: unknown option --smpt \(the options are below\)\n\nUsage: mailyard-server /,
    );
    // Not parseArgs's advice about positional arguments, which this program has none of.
    expect(unknown.stderr).not.toContain('positional');
  });

  it('exits non-zero on a --user whose login is "." or "..", storing nothing of it', async () => {
    const data = temporaryDataDirectory();
    const result = await runProgram([
      '--data',
      data,
      ...EPHEMERAL_PORTS,
      '--user',
      '..@example.test:secret-1',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'mailyard-server: --user ..@example.test: a login name cannot be "." or ".."',
    );
    expect(existsSync(join(data, 'users.cfg'))).toBe(false); // nor the first run's accounts
    expect(existsSync(join(data, 'store', 'mail', 'example.test', '%2e.'))).toBe(false);
  });

  it('exits non-zero on a busy port, naming the listener', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const data = temporaryDataDirectory();
      const result = await runProgram([
        '--data',
        data,
        ...EPHEMERAL_PORTS,
        '--submission',
        String(port),
      ]);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `mailyard-server: cannot listen on 127.0.0.1:${port} (submission): the port is already in use`,
      );
    } finally {
      blocker.close();
    }
  });

  it('saves no --domain or --user of a start that failed on a busy port', async () => {
    const data = temporaryDataDirectory();
    const running = await start(data);
    await running.stop();
    const before = readFileSync(join(data, 'users.cfg'), 'utf8');
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runProgram([
        '--data',
        data,
        ...EPHEMERAL_PORTS,
        '--imap',
        String(port),
        '--domain',
        'later.test',
        '--user',
        'carol@later.test:secret',
      ]);
      expect(result.code).toBe(1);
      // The server that holds the port would not know carol: she is not in the file either.
      expect(readFileSync(join(data, 'users.cfg'), 'utf8')).toBe(before);
      expect(result.stderr).toContain(
        `cannot listen on 127.0.0.1:${port} (imap): the port is already in use`,
      );
      expect(result.stderr).toContain('users.cfg is as it was');
    } finally {
      blocker.close();
    }
  });

  it('keeps nothing of a first run that failed, so the next run is a first run that shows the passwords', async () => {
    const data = temporaryDataDirectory();
    const failed = await runProgram([
      '--data',
      data,
      ...EPHEMERAL_PORTS,
      '--user',
      'carol@nowhere.test:pw',
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'mailyard-server: --user carol@nowhere.test: nowhere.test is not a local domain (add it with --domain nowhere.test)',
    );
    expect(failed.stderr).not.toContain('first run');
    expect(existsSync(join(data, 'users.cfg'))).toBe(false);

    const next = await start(data);
    expect(next.stderr()).toMatch(
      /first run: created 2 users; their passwords:\n.* {2}alice@example\.test {2}\S{16}\n.* {2}bob@example\.test {2}\S{16}\n/,
    );
  });

  it('exits non-zero on a configuration it cannot read, and leaves it alone', async () => {
    const data = temporaryDataDirectory();
    mkdirSync(data, { recursive: true });
    const broken = '<config><variable name="MaxRecipients">100</variable>';
    writeFileSync(join(data, 'mailserver.cfg'), broken);
    const result = await runProgram(['--data', data, ...EPHEMERAL_PORTS]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/mailyard-server: .*mailserver\.cfg: line 1: /);
    expect(readFileSync(join(data, 'mailserver.cfg'), 'utf8')).toBe(broken);

    writeFileSync(
      join(data, 'mailserver.cfg'),
      '<config><variable name="MaxRecipients">lots</variable></config>',
    );
    const invalid = await runProgram(['--data', data, ...EPHEMERAL_PORTS]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(
      /mailserver\.cfg: MaxRecipients is a whole number from 0, not "lots"/,
    );

    writeFileSync(join(data, 'mailserver.cfg'), '<config></config>');
    // users.cfg cut short (a disk that filled up under another program, say).
    const cutShort =
      '<?xml version="1.0" encoding="utf-8"?>\n<config>\n  <list name="Domain">\n    <listitem>\n      <variable name="Name">example.test</variable>\n';
    writeFileSync(join(data, 'users.cfg'), cutShort);
    const truncated = await runProgram(['--data', data, ...EPHEMERAL_PORTS]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(
      /^mailyard-server: \S+\/users\.cfg: line 6: the file ends inside <listitem> inside <list> inside <config>: expected <\/listitem>, then <\/list>, then <\/config> \(is the file cut short\?\)\n$/,
    );
    expect(readFileSync(join(data, 'users.cfg'), 'utf8')).toBe(cutShort);

    rmSync(join(data, 'users.cfg'));
    mkdirSync(join(data, 'users.cfg')); // a directory where the file should be
    const unreadable = await runProgram(['--data', data, ...EPHEMERAL_PORTS]);
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.stderr).toMatch(/mailyard-server: cannot read .*users\.cfg: EISDIR/);
  });

  it('exits non-zero on an unknown --host address, naming it, the listener and the addresses it could be', async () => {
    // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): documentation only, an address of no machine.
    const result = await runProgram([
      '--data',
      temporaryDataDirectory(),
      ...EPHEMERAL_PORTS,
      '--host',
      '203.0.113.77',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^mailyard-server: cannot listen on 203\.0\.113\.77 \(smtp, any free port\): 203\.0\.113\.77 is not an address of this machine, whose addresses are [^;]*\b127\.0\.0\.1\b[^;]*; give --host one of them, or 0\.0\.0\.0 or :: for all of them/m,
    );
  });

  it('exits non-zero when --data names a file, saying so', async () => {
    const data = temporaryDataDirectory();
    mkdirSync(dirname(data), { recursive: true });
    writeFileSync(data, 'not a directory');
    const result = await runProgram(['--data', data, ...EPHEMERAL_PORTS]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `mailyard-server: the data directory ${data} is not a directory: it is a file (give --data a directory, or where one can be made)\n`,
    );
  });

  it('exits non-zero when it cannot write its logs or its store, naming the path, without a stack trace', async () => {
    // As root, permissions stop nothing: a file where a directory must be (and the reverse)
    // stops everyone.
    const data = temporaryDataDirectory();
    const first = await start(data);
    await first.stop();
    const run = () => runProgram(['--data', data, ...EPHEMERAL_PORTS]);

    rmSync(join(data, 'logs', 'mail.log'));
    mkdirSync(join(data, 'logs', 'mail.log'));
    const logFile = await run();
    expect(logFile.code).toBe(1);
    expect(logFile.stderr).toBe(
      `mailyard-server: cannot write the logs: EISDIR: illegal operation on a directory, open '${join(data, 'logs', 'mail.log')}'\n`,
    );
    rmSync(join(data, 'logs'), { recursive: true });
    writeFileSync(join(data, 'logs'), '');
    const logs = await run();
    expect(logs.code).toBe(1);
    expect(logs.stderr).toBe(
      `mailyard-server: cannot use the logs directory, ${join(data, 'logs')}: a file is in the way where a directory must be\n`,
    );
    rmSync(join(data, 'logs'));

    rmSync(join(data, 'store'), { recursive: true });
    writeFileSync(join(data, 'store'), '');
    const store = await run();
    expect(store.code).toBe(1);
    expect(store.stderr).toBe(
      `mailyard-server: cannot use the message store, ${join(data, 'store', 'mail')}: a file is in the way where a directory must be\n`,
    );
    rmSync(join(data, 'store'));
    mkdirSync(join(data, 'store', 'mail'), { recursive: true });
    writeFileSync(join(data, 'store', 'queue'), '');
    const queue = await run();
    expect(queue.code).toBe(1);
    expect(queue.stderr).toBe(
      `mailyard-server: cannot use the delivery queue, ${join(data, 'store', 'queue')}: a file is in the way where a directory must be\n`,
    );
  });
});

describe('mailyard-server when a log cannot be written any more', () => {
  it.runIf(existsSync('/dev/full'))('says so on stderr, once, and goes on serving', async () => {
    const data = temporaryDataDirectory();
    const first = await start(data);
    await first.stop();
    // /dev/full opens, and fails every write with ENOSPC: a disk that filled up.
    rmSync(join(data, 'logs', 'security.log'));
    symlinkSync('/dev/full', join(data, 'logs', 'security.log'));
    const server = await start(data);
    const relayAttempt = async () => {
      const smtp = (await LineConversation.open(server.ports.smtp!, /^220 /m))!;
      await smtp.ask('EHLO client.test\r\n', /^250 /m);
      await smtp.ask('MAIL FROM:<someone@outside.test>\r\n', /^250 /m);
      // Refused, with a Security log line that cannot be written.
      expect(await smtp.ask('RCPT TO:<else@outside.test>\r\n', /^\d{3} /m)).toMatch(/^554 /);
      await smtp.ask('QUIT\r\n', /^221 /m);
    };
    await relayAttempt();
    await eventually(
      async () => (server.stderr().includes('security.log: ENOSPC') ? true : undefined),
      'the failed write on stderr',
    );
    await relayAttempt(); // still serving
    expect(server.stderr().match(/cannot write \S+security\.log: ENOSPC/g)).toHaveLength(1);
    await expect(server.stop('SIGTERM')).resolves.toEqual({ code: 0, signal: null });
  });
});
