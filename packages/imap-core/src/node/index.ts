export {
  DEFAULT_IMAP_TIMEOUTS,
  type ImapListener,
  type ImapServer,
  type ImapServerOptions,
  type ImapTimeouts,
  createImapServer,
} from './imap-server.js';
