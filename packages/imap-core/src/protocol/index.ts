export * from './command.js';
export type { SearchDate, SearchKey } from './search-key.js';
export * from './sequence-set.js';
export { DEFAULT_PARSER_LIMITS, type ParserLimits } from './parser-limits.js';
export {
  CommandReader,
  type FramedCommand,
  type FramedLiteral,
  type FramingProblem,
  type LiteralRequest,
  type ReaderEvent,
} from './command-reader.js';
export { ImapSyntaxError } from './command-cursor.js';
export { parseCommand, type ParseResult } from './command-parser.js';
export { parseDateText, parseDateTime, startOfDay } from './imap-date.js';
export { decodeModifiedUtf7, encodeModifiedUtf7 } from './modified-utf7.js';
export {
  MAX_QUOTED_LENGTH,
  type OutputChunk,
  ResponseBuilder,
  type StreamedLiteral,
  type StringRules,
  quote,
  responseText,
  valueBytes,
} from './response-builder.js';
