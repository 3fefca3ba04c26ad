/**
 * What the command reader and parser accept before they refuse. Every bound keeps the memory a
 * connection can make the server hold, and the time one command can take to parse, proportional
 * to a limit rather than to what a client cares to send.
 */
export interface ParserLimits {
  /**
   * Octets in one line of a command, literal markers included, CRLF excluded. Dovecot's
   * `imap_max_line_length` is 64 KiB too; RFC 7162 asks for at least 8,192.
   */
  readonly maxLineLength: number;
  /**
   * Octets in a literal of any command but APPEND (a LOGIN password, a SEARCH string). APPEND's
   * message literals are bounded by the session's `appendLimit` instead.
   */
  readonly maxLiteralSize: number;
  /** Octets in one command, lines and literals together, APPEND's message literals excluded. */
  readonly maxCommandSize: number;
  /**
   * Nesting of parentheses (search keys, fetch items, lists) and of SEARCH's NOT and OR, counted
   * together: the depth of every tree the parser builds, and so of every recursion over one.
   * Dovecot's MIME depth limit is 100 too; clients that OR many terms build chains this deep.
   */
  readonly maxNestingDepth: number;
  /** Arguments (atoms, strings, numbers, list items) in one command. */
  readonly maxArguments: number;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxLineLength: 65_536,
  maxLiteralSize: 1_048_576,
  maxCommandSize: 2_097_152,
  maxNestingDepth: 100,
  maxArguments: 10_000,
};
