// The clamd adapter against a real clamd (Debian's clamav-daemon) that loads a signature of our
// own: there is no internet here for signature updates, and none is needed.
import {
  type ClamdServer,
  clamdPeer,
  describeWithPeer,
  freePort,
  startClamd,
} from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClamdError, ClamdScanner } from '../src/index.js';

const SIGNATURE_TEXT = 'MAILYARD-TEST-VIRUS-SIGNATURE-0123456789';

describeWithPeer(
  clamdPeer,
  'the clamd adapter against a real clamd with a signature of ours',
  () => {
    let clamd: ClamdServer;
    let port: number;

    beforeAll(async () => {
      clamd = await startClamd({ 'Mailyard.Test.Signature': SIGNATURE_TEXT }, [
        'StreamMaxLength 64K',
      ]);
      port = clamd.port;
      // clamd binds its socket just after it says its database is loaded: PING until it answers.
      const scanner = new ClamdScanner({ port });
      for (let attempt = 0; attempt < 100 && !(await scanner.ping()); attempt++)
        await new Promise((resolve) => setTimeout(resolve, 100));
    }, 120_000);

    afterAll(async () => {
      await clamd?.stop();
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
  },
);
