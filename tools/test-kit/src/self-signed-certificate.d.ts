export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
}
/**
 * A self-signed certificate for `localhost` and 127.0.0.1, made once per test process with the
 * system's openssl: what STARTTLS and implicit-TLS tests give the servers under test.
 */
export declare function selfSignedCertificate(): TestCertificate;
