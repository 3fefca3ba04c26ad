// The clamd adapter against a real clamd (Debian's clamav-daemon) that loads a signature of our
// own: there is no internet here for signature updates, and none is needed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandAvailable, describeWithPeer, freePort } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClamdError, ClamdScanner } from '../src/index.js';

const clamd = {
  name: "ClamAV's clamd",
  available: commandAvailable('clamd') || commandAvailable('/usr/sbin/clamd'),
  install: 'apt-get install clamav-daemon',
};
const SIGNATURE_TEXT = 'MAILYARD-TEST-VIRUS-SIGNATURE-0123456789';

describeWithPeer(clamd, 'the clamd adapter against a real clamd with a signature of ours', () => {
  let child: ChildProcess;
  let port: number;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailyard-clamd-'));
    await writeFile(
      join(dir, 'mailyard.ndb'),
      `Mailyard.Test.Signature:0:*:${Buffer.from(SIGNATURE_TEXT).toString('hex')}\n`,
    );
    port = await freePort();
    await writeFile(
      join(dir, 'clamd.conf'),
      [
        `DatabaseDirectory ${dir}`,
        `TCPSocket ${port}`,
        'TCPAddr 127.0.0.1',
        'Foreground yes',
        'StreamMaxLength 64K',
        ...(process.getuid?.() === 0 ? ['User root'] : []),
      ].join('\n'),
    );
    child = spawn(
      commandAvailable('clamd') ? 'clamd' : '/usr/sbin/clamd',
      ['-c', join(dir, 'clamd.conf')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // clamd says it is about to serve once its database is loaded; then PING until it answers.
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Self checking every')) resolve();
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => reject(new Error(`clamd exited (${code}): ${output}`)));
    });
    const scanner = new ClamdScanner({ port });
    for (let attempt = 0; attempt < 100 && !(await scanner.ping()); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
  }, 120_000);

  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('answers PING', async () => {
    expect(await new ClamdScanner({ port }).ping()).toBe(true);
  });

  it('finds the signature in a message, also inside a base64 attachment, in small chunks', async () => {
    const scanner = new ClamdScanner({ port, chunkBytes: 7 });
    const attachment = Buffer.from(SIGNATURE_TEXT).toString('base64');
    const message = [
      'From: a@example.net',
      'Subject: invoice',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'See attached.',
      '--b',
      'Content-Type: application/octet-stream; name="invoice.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      '--b--',
      '',
    ].join('\r\n');
    expect(await scanner.scan(new TextEncoder().encode(message))).toEqual({
      infected: true,
      signature: 'Mailyard.Test.Signature.UNOFFICIAL',
    });
    expect(await scanner.scan(new TextEncoder().encode('Subject: hi\r\n\r\nclean\r\n'))).toEqual({
      infected: false,
    });
  });

  it("fails a message over clamd's StreamMaxLength (it cannot be scanned), rather than call it clean", async () => {
    const big = new Uint8Array(200 * 1024).fill(0x61);
    await expect(new ClamdScanner({ port }).scan(big)).rejects.toThrow(ClamdError);
  });

  it('fails when clamd cannot be reached, and PING says false', async () => {
    const nobody = new ClamdScanner({ port: await freePort(), timeoutMs: 2000 });
    expect(await nobody.ping()).toBe(false);
    await expect(nobody.scan(new Uint8Array([1, 2, 3]))).rejects.toThrow(/ECONNREFUSED/);
  });
});
