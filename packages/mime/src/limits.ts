/**
 * The limits the parser applies to hostile or broken input. Each keeps time and memory linear in
 * the size of the message; beyond a limit the message is still parsed, only less finely. The
 * structural limits are Dovecot's, so both servers show the same structure for the same message.
 */
export const MIME_LIMITS = {
  /**
   * Nesting depth of multiparts and encapsulated messages. A container deeper than this is shown
   * as an opaque `application/octet-stream` leaf, as Dovecot does.
   */
  maxDepth: 100,
  /** Parts in one message. Past it, boundaries are no longer recognised and the rest of the
   * message stays in the last part, as Dovecot does. */
  maxParts: 10_000,
  /** Fields indexed per header block; further fields still belong to the header's bytes. */
  maxHeaderFields: 10_000,
  /** Characters of a field name kept; a longer name is truncated (RFC 5322 lines stop at 998). */
  maxHeaderNameLength: 998,
  /** Characters of a boundary recognised (RFC 2046 allows 70); a longer one makes the multipart opaque. */
  maxBoundaryLength: 998,
} as const;
