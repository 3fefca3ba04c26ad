/**
 * A value in IMAP's response grammar (RFC 9051 section 4): a string, a number, NIL, or a
 * parenthesized list. The IMAP views of this package (ENVELOPE, BODY, BODYSTRUCTURE) are built as
 * trees of these, so that the IMAP engine's serializer alone decides between atom, quoted string
 * and literal on the wire, and so that tests compare structure, not quoting. A string given as
 * octets (`Uint8Array`) is a header's own bytes that are not UTF-8, to be sent unchanged.
 */
export type ImapValue = string | Uint8Array | number | null | readonly ImapValue[];

/** How an IMAP view is to be built for a client. */
export interface ImapViewOptions {
  /**
   * The client enabled UTF-8 (UTF8=ACCEPT, IMAP4rev2): header text that is neither ASCII nor
   * UTF-8 is given decoded, as UTF-8. Otherwise it is given as the header's own octets, as
   * Dovecot gives it.
   */
  readonly utf8?: boolean;
}
