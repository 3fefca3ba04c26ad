export { expectReadmeOutput, readReadmeExample, runReadmeExample, } from './readme-example.js';
export { README_OUTPUTS } from './readme-outputs.js';
export { runPlainNode } from './plain-node.js';
export { DOVECOT_IMAP, DovecotSandbox, appendCommands, describeWithDovecot, dovecotAvailable, } from './dovecot-sandbox.js';
export { selfSignedCertificate } from './self-signed-certificate.js';
export { describeWithPeer } from './peer.js';
export { commandAvailable, commandPeer, describeWithCommand } from './peer-command.js';
export { DOVECOT_POP3, DovecotPop3Server, describeWithDovecotPop3, dovecotPop3Available, } from './dovecot-pop3.js';
export { DovecotServer, dovecotServerAvailable } from './dovecot-server.js';
export { POSTFIX_SMTPD, PostfixSmtpd, describeWithPostfix, postfixAvailable, } from './postfix-smtpd.js';
export { runUntilKilled } from './crash-worker.js';
export { freePort, startOnFreePorts } from './free-port.js';
export { exhaustFileDescriptors, fileLimit, openDescriptors, setSoftFileLimit, } from './file-descriptors.js';
export { RecordingLoginGuard } from './recording-login-guard.js';
export { DOVECOT_MANAGESIEVE, DovecotManageSieveServer, describeWithDovecotManageSieve, dovecotManageSieveAvailable, } from './dovecot-managesieve.js';
export { POSTGRES, PostgresServer, describeWithPostgres } from './postgres-server.js';
export { dnsmasqPeer, startDnsmasq } from './dnsmasq.js';
export { clamdPeer, startClamd } from './clamd.js';
//# sourceMappingURL=index.js.map