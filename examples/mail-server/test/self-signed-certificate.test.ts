import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { promisify } from 'node:util';
import { describeWithCommand } from '@mailyard/test-kit';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSelfSignedCertificate,
  loadOrCreateCertificate,
} from '../src/self-signed-certificate.js';
import { StartupError } from '../src/startup-error.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const now = new Date('2026-03-01T12:00:00.750Z');
const credentials = createSelfSignedCertificate({
  hostname: 'mail.example.test',
  now,
  random: (length) => new Uint8Array(length).fill(0xab),
});
const workDirectory = mkdtempSync(join(tmpdir(), 'mailyard-cert-test-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

describe('the self-signed certificate', () => {
  it("is read by Node's X509Certificate as written", () => {
    const certificate = new X509Certificate(credentials.cert);
    expect(certificate.subject).toBe('O=Mailyard self-signed\nCN=mail.example.test');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.subjectAltName).toBe(
      'DNS:mail.example.test, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(new Date(certificate.validFrom).toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(new Date(certificate.validTo).toISOString()).toBe('2027-03-01T12:00:00.000Z');
    // The top bit is cleared: serial numbers are positive.
    expect(certificate.serialNumber).toBe('2BABABABABABABABABABABABABABABAB');
    expect(certificate.ca).toBe(false);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth (Node lists EKUs)
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(credentials.key))).toBe(true);
    expect(certificate.checkHost('mail.example.test')).toBe('mail.example.test');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.checkHost('other.example.test')).toBeUndefined();
  });

  it('names any host, serial and validity it is given', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.date({ min: new Date('1990-01-01'), max: new Date('2080-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 20_000 }),
        (hostname, serial, start, validDays) => {
          const made = createSelfSignedCertificate({
            hostname,
            now: start,
            validDays,
            random: () => serial,
          });
          const certificate = new X509Certificate(made.cert);
          expect(certificate.subject).toBe(`O=Mailyard self-signed\nCN=${hostname}`);
          expect(certificate.checkHost(hostname)).toBe(hostname);
          const notBefore = Math.floor(start.getTime() / 1000) * 1000;
          expect(Date.parse(certificate.validFrom)).toBe(notBefore);
          expect(Date.parse(certificate.validTo)).toBe(notBefore + validDays * 86_400_000);
          const expected = Uint8Array.from(serial);
          expected[0] = expected[0]! & 0x7f;
          expect(BigInt(`0x${certificate.serialNumber}`)).toBe(
            BigInt(`0x${Buffer.from(expected).toString('hex')}`),
          );
          expect(certificate.verify(certificate.publicKey)).toBe(true);
        },
      ),
      // Each run makes a key pair: enough runs to cover UTCTime and GeneralizedTime years.
      { seed: 17, numRuns: Math.min(runs, 40) },
    );
  });

  it('carries a TLS handshake that verifies it, by name and by address', async () => {
    const server = createServer({ cert: credentials.cert, key: credentials.key }, (socket) =>
      socket.end('hello\n'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const handshake = (servername?: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          ca: credentials.cert,
          ...(servername ? { servername } : {}),
        });
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(`${socket.authorized ? 'authorized' : 'not'} ${text}`));
        socket.on('error', reject);
      });
    try {
      await expect(handshake('mail.example.test')).resolves.toBe('authorized hello\n');
      await expect(handshake('localhost')).resolves.toBe('authorized hello\n');
      await expect(handshake()).resolves.toBe('authorized hello\n'); // 127.0.0.1 in the SAN
      await expect(handshake('elsewhere.test')).rejects.toThrow(/Hostname\/IP does not match/);
    } finally {
      server.close();
    }
  });
});

describeWithCommand('openssl', 'the self-signed certificate, read by openssl', () => {
  it('is what `openssl x509 -noout -text` says it is, and verifies against itself', () => {
    const file = join(workDirectory, 'server.crt');
    writeFileSync(file, credentials.cert);
    const text = execFileSync('openssl', ['x509', '-in', file, '-noout', '-text']).toString();
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('Issuer: O = Mailyard self-signed, CN = mail.example.test');
    expect(text).toContain('Not Before: Mar  1 12:00:00 2026 GMT');
    expect(text).toContain('Public-Key: (256 bit)');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text).toMatch(
      /X509v3 Subject Alternative Name:\s+DNS:mail\.example\.test, DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/,
    );
    expect(execFileSync('openssl', ['verify', '-CAfile', file, file]).toString()).toBe(
      `${file}: OK\n`,
    );
  });
});

describeWithCommand('python3', "the self-signed certificate, checked by Python's ssl", () => {
  it('passes a verifying client handshake', async () => {
    const server = createServer({ cert: credentials.cert, key: credentials.key }, (socket) =>
      socket.end('hello\n'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const caFile = join(workDirectory, 'ca.pem');
    writeFileSync(caFile, credentials.cert);
    const script = `
import socket, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(('127.0.0.1', int(sys.argv[2]))) as raw:
    with context.wrap_socket(raw, server_hostname='mail.example.test') as tls:
        print(tls.version(), tls.recv(100).decode().strip())
`;
    try {
      const { stdout } = await promisify(execFile)('python3', ['-c', script, caFile, String(port)]);
      expect(stdout).toMatch(/^TLSv1\.[23] hello\n$/);
    } finally {
      server.close();
    }
  });
});

describe('the certificate in the data directory', () => {
  const paths = (name: string) => ({
    certificate: join(workDirectory, name, 'sslcert', 'server.crt'),
    privateKey: join(workDirectory, name, 'sslcert', 'server.key'),
  });

  it('is made on first run, key readable by its owner only, and kept afterwards', async () => {
    const first = await loadOrCreateCertificate(paths('first'), 'mx.example.test');
    expect(first.created).toBe(true);
    expect(new X509Certificate(first.cert).subject).toContain('CN=mx.example.test');
    expect(statSync(paths('first').privateKey).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateCertificate(paths('first'), 'other-name.test');
    expect(again).toEqual({ cert: first.cert, key: first.key, created: false });
  });

  it('is refused when the key does not belong to it, or one of the two files is missing', async () => {
    const mixed = paths('mixed');
    await loadOrCreateCertificate(mixed, 'a.test');
    writeFileSync(mixed.privateKey, createSelfSignedCertificate({ hostname: 'b.test' }).key);
    await expect(loadOrCreateCertificate(mixed, 'a.test')).rejects.toThrow(
      new StartupError(`${mixed.certificate} does not belong to its private key server.key`),
    );
    rmSync(mixed.privateKey);
    await expect(loadOrCreateCertificate(mixed, 'a.test')).rejects.toThrow(
      `${mixed.privateKey} is missing (remove both files to get a new certificate)`,
    );
    writeFileSync(mixed.privateKey, 'not a key');
    await expect(loadOrCreateCertificate(mixed, 'a.test')).rejects.toThrow(
      /server\.crt: not a usable certificate and key/,
    );
  });
});
