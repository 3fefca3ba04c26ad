export {
  FALLBACK_CHARSET,
  canonicalCharset,
  decodeCharset,
  isAscii,
  isValidUtf8,
} from './charset.js';
export type { ImapValue, ImapViewOptions } from './imap-value.js';
export { MIME_LIMITS } from './limits.js';
export {
  type HeaderField,
  type HeaderBlockLayout,
  type HeaderStop,
  scanHeaderBlock,
} from './header-block.js';
export { decodeHeaderBytes, fieldValue, fieldValueBytes } from './header-value.js';
export { Headers, parseHeaders } from './headers.js';
export {
  type ContentDisposition,
  type ContentType,
  type MimeParameter,
  joinContinuations,
  parameterValue,
  parseContentDisposition,
  parseContentLanguage,
  parseContentType,
  parseToken,
} from './mime-parameters.js';
export {
  type TransferEncoding,
  decodeBase64,
  decodeQuotedPrintable,
  decodeTransferEncoding,
  transferEncodingOf,
} from './transfer-encoding.js';
export { type EncapsulatedMessage, type MimePart, isMultipart, mediaType } from './mime-part.js';
export { type MimeTree, parseMimeTree } from './mime-tree.js';
export { EMPTY_ENVELOPE, type Envelope, envelopeToImap, readEnvelope } from './envelope.js';
export { bodyStructure } from './body-structure.js';
export { type ByteRange, type SectionText, findSection, sectionRange } from './section.js';
export { partText } from './part-text.js';
export { type MessageSummary, summarize } from './summarize.js';
export {
  type AddressGrammar,
  type AddressListEntry,
  type GroupAddress,
  type MailboxAddress,
  type MailboxDefect,
  parseAddressList,
} from './address.js';
export { formatAddressList, formatLocalPart, formatMailbox } from './address-format.js';
export { domainToAscii, domainToUnicode } from './idn.js';
export { decodeEncodedWords } from './encoded-words.js';
export { envelopeAddressList } from './envelope-address.js';
export { type MailDate, formatImapDate, formatRfc5322Date, parseMailDate } from './mail-date.js';
export { baseSubject, isReplyOrForward } from './base-subject.js';
export { firstMessageId, parseMessageIds } from './message-id.js';
