export {
  FALLBACK_CHARSET,
  canonicalCharset,
  decodeCharset,
  isAscii,
  isValidUtf8,
} from './charset.js';
