import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
let cached = null;
/**
 * A self-signed certificate for `localhost` and 127.0.0.1, made once per test process with the
 * system's openssl: what STARTTLS and implicit-TLS tests give the servers under test.
 */
export function selfSignedCertificate() {
    if (cached)
        return cached;
    const dir = mkdtempSync(join(tmpdir(), 'mailyard-cert-'));
    try {
        execFileSync('openssl', [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '2',
            '-subj',
            '/CN=localhost',
            '-addext',
            'subjectAltName=DNS:localhost,IP:127.0.0.1',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
        ], { stdio: 'ignore' });
        cached = {
            key: readFileSync(join(dir, 'key.pem'), 'utf8'),
            cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
        };
        return cached;
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
//# sourceMappingURL=self-signed-certificate.js.map