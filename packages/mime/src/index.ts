export {
  FALLBACK_CHARSET,
  canonicalCharset,
  decodeCharset,
  isAscii,
  isValidUtf8,
} from './charset.js';
export type { ImapValue } from './imap-value.js';
