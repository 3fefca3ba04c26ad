/**
 * A value in IMAP's response grammar (RFC 9051 section 4): a string, a number, NIL, or a
 * parenthesized list. The IMAP views of this package (ENVELOPE, BODY, BODYSTRUCTURE) are built as
 * trees of these, so that the IMAP engine's serializer alone decides between atom, quoted string
 * and literal on the wire, and so that tests compare structure, not quoting.
 */
export type ImapValue = string | number | null | readonly ImapValue[];
