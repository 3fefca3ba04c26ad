export {
  type ReadmeExample,
  expectReadmeOutput,
  readReadmeExample,
  runReadmeExample,
} from './readme-example.js';
export { README_OUTPUTS } from './readme-outputs.js';
export { type NodeRun, runPlainNode } from './plain-node.js';
export {
  DOVECOT_IMAP,
  DovecotSandbox,
  appendCommands,
  describeWithDovecot,
  dovecotAvailable,
} from './dovecot-sandbox.js';
export { selfSignedCertificate, type TestCertificate } from './self-signed-certificate.js';
export { type Peer, describeWithPeer } from './peer.js';
export { commandAvailable, commandPeer, describeWithCommand } from './peer-command.js';
export {
  DOVECOT_POP3,
  DovecotPop3Server,
  type DovecotPop3Options,
  describeWithDovecotPop3,
  dovecotPop3Available,
} from './dovecot-pop3.js';
export { DovecotServer, dovecotServerAvailable } from './dovecot-server.js';
export {
  POSTFIX_SMTPD,
  PostfixSmtpd,
  type PostfixSmtpdOptions,
  describeWithPostfix,
  postfixAvailable,
} from './postfix-smtpd.js';
export { runUntilKilled } from './crash-worker.js';
export { freePort, startOnFreePorts } from './free-port.js';
export {
  type FileLimit,
  exhaustFileDescriptors,
  fileLimit,
  openDescriptors,
  setSoftFileLimit,
} from './file-descriptors.js';
export { RecordingLoginGuard, type TestRefusal } from './recording-login-guard.js';
export {
  DOVECOT_MANAGESIEVE,
  DovecotManageSieveServer,
  type DovecotManageSieveOptions,
  describeWithDovecotManageSieve,
  dovecotManageSieveAvailable,
} from './dovecot-managesieve.js';
export { POSTGRES, PostgresServer, describeWithPostgres } from './postgres-server.js';
export { type DnsServer, dnsmasqPeer, startDnsmasq } from './dnsmasq.js';
export { type ClamdServer, clamdPeer, startClamd } from './clamd.js';
