import {
  X509Certificate,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseIpAddressExact } from '@mailyard/access-policy';
import { writeFileAtomically } from '@mailyard/mailstore-interface';
import { readOptional } from './data-directory.js';
import {
  bitString,
  boolean,
  certificateTime,
  explicit,
  implicitPrimitive,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  utf8String,
} from './der-writer.js';
import { StartupError } from './startup-error.js';

/** A certificate and its private key, PEM-encoded, as node:tls takes them. */
export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
}

export interface CertificateOptions {
  /** The common name, and the first subjectAltName. */
  readonly hostname: string;
  /** More names the certificate is good for; default `localhost`. */
  readonly dnsNames?: readonly string[];
  /** Addresses it is good for; default 127.0.0.1 and ::1, so that loopback clients can verify it. */
  readonly ipAddresses?: readonly string[];
  /** Days from `now`; Kerio's dialog proposes one year. */
  readonly validDays?: number;
  readonly now?: Date;
  /** Random bytes for the serial number; default node:crypto's. */
  readonly random?: (length: number) => Uint8Array;
}

const OID = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

const DAY = 24 * 60 * 60_000;

/**
 * A self-signed X.509 v3 server certificate (RFC 5280) over a new P-256 key, as Kerio makes one
 * on first run: node:crypto makes the key and the signature, the certificate itself is written
 * here in DER.
 */
export function createSelfSignedCertificate(options: CertificateOptions): TlsCredentials {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subjectPublicKeyInfo = publicKey.export({ type: 'spki', format: 'der' });
  const now = options.now ?? new Date();
  // Whole seconds: that is all a certificate's time can say.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 365) * DAY);
  // RFC 5280 4.1.2.2: positive, at most 20 octets; 16 random bytes with the top bit clear.
  const serial = Uint8Array.from((options.random ?? randomBytes)(16));
  serial[0] = serial[0]! & 0x7f;
  const name = sequence(
    set(sequence(objectIdentifier(OID.organizationName), utf8String('Mailyard self-signed'))),
    set(sequence(objectIdentifier(OID.commonName), utf8String(options.hostname))),
  );
  // RFC 7093 section 2 method: a hash of the whole SubjectPublicKeyInfo names the key.
  const keyId = createHash('sha1').update(subjectPublicKeyInfo).digest();
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const tbsCertificate = sequence(
    explicit(0, integer(2)), // v3
    integer(serial),
    signatureAlgorithm,
    name, // issuer: self-signed
    sequence(certificateTime(notBefore), certificateTime(notAfter)),
    name, // subject
    subjectPublicKeyInfo,
    explicit(3, sequence(...extensions(options, keyId))),
  );
  const signature = sign('sha256', tbsCertificate, privateKey); // ECDSA-Sig-Value, in DER
  const certificate = sequence(tbsCertificate, signatureAlgorithm, bitString(signature));
  return {
    cert: pem('CERTIFICATE', certificate),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function extensions(options: CertificateOptions, keyId: Uint8Array): Uint8Array[] {
  const extension = (oid: string, critical: boolean, value: Uint8Array) =>
    sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
  const dnsNames = [options.hostname, ...(options.dnsNames ?? ['localhost'])];
  const ipAddresses = options.ipAddresses ?? ['127.0.0.1', '::1'];
  const altNames = [
    ...[...new Set(dnsNames.map((name) => name.toLowerCase()))].map((name) =>
      implicitPrimitive(2, ia5Bytes(name)),
    ),
    ...ipAddresses.map((address) => implicitPrimitive(7, ipAddressBytes(address))),
  ];
  return [
    // Not a CA: the certificate vouches for this server only.
    extension(OID.basicConstraints, true, sequence()),
    // digitalSignature (bit 0): all an ECDHE-ECDSA handshake asks of the key.
    extension(OID.keyUsage, true, bitString(Uint8Array.of(0x80), 1)),
    extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...altNames)),
    extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyId))),
  ];
}

/** A dNSName GeneralName's contents: IA5String (ASCII; IDNs as A-labels). */
function ia5Bytes(name: string): Uint8Array {
  if (!/^[\x21-\x7e]+$/.test(name)) throw new RangeError(`not an ASCII host name: ${name}`);
  return Buffer.from(name, 'ascii');
}

/** An iPAddress GeneralName: the address in network byte order, 4 or 16 octets (RFC 5280 4.2.1.6). */
function ipAddressBytes(text: string): Uint8Array {
  const address = parseIpAddressExact(text);
  if (!address) throw new RangeError(`not an IP address: ${text}`);
  const length = address.family === 4 ? 4 : 16;
  const bytes = new Uint8Array(length);
  let value = address.value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

/**
 * The server's certificate from `sslcert/`: the one there, or a new self-signed one when there is
 * none (Kerio's first run). A certificate that is there but unusable is the administrator's to fix.
 */
export async function loadOrCreateCertificate(
  paths: { readonly certificate: string; readonly privateKey: string },
  hostname: string,
): Promise<TlsCredentials & { readonly created: boolean }> {
  const [cert, key] = await Promise.all([
    readOptional(paths.certificate),
    readOptional(paths.privateKey),
  ]);
  if (cert !== null && key !== null) {
    checkPair(paths.certificate, cert, key);
    return { cert, key, created: false };
  }
  if (cert !== null || key !== null) {
    const missing = cert === null ? paths.certificate : paths.privateKey;
    throw new StartupError(`${missing} is missing (remove both files to get a new certificate)`);
  }
  const created = createSelfSignedCertificate({ hostname });
  await mkdir(dirname(paths.certificate), { recursive: true });
  await writeFileAtomically(paths.privateKey, created.key);
  await writeFileAtomically(paths.certificate, created.cert);
  return { ...created, created: true };
}

function checkPair(file: string, cert: string, key: string): void {
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new StartupError(
      `${file}: not a usable certificate and key (${(error as Error).message})`,
    );
  }
  if (!matches) throw new StartupError(`${file} does not belong to its private key server.key`);
}
