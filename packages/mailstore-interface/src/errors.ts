/**
 * What can go wrong in a store, as codes a protocol maps onto its own replies (IMAP response
 * codes such as `[NONEXISTENT]`, `[OVERQUOTA]`, SMTP 452/552, POP3 `-ERR [IN-USE]`).
 */
export type MailStoreErrorCode =
  /** The mailbox, message or user does not exist (IMAP `[NONEXISTENT]`). */
  | 'not-found'
  /**
   * The message was expunged, by another session perhaps, while this one still had it in view
   * (IMAP `[EXPUNGEISSUED]`); its mailbox is still there.
   */
  | 'expunged'
  /** A mailbox of that name exists already (IMAP `[ALREADYEXISTS]`). */
  | 'already-exists'
  /** The operation would exceed the user's storage or message-count quota (`[OVERQUOTA]`). */
  | 'over-quota'
  /** The acting user lacks the ACL right the operation needs (`[NOPERM]`). */
  | 'permission-denied'
  /** The mailbox was recreated and UIDs from before are void (`[UIDVALIDITY]`-style resync). */
  | 'uidvalidity-changed'
  /** The name is not acceptable: empty, control characters, `.`/`..` components, too long. */
  | 'invalid-name'
  /** An argument other than a name is not acceptable: a malformed flag, an unknown right. */
  | 'invalid-argument'
  /** The operation is not possible on this mailbox: INBOX deletion, a non-selectable folder, ... */
  | 'not-allowed'
  /** The message is bigger than the store accepts at all (`[TOOBIG]`, SMTP 552). */
  | 'too-big'
  /** The store could not complete the operation; nothing was changed (`[SERVERBUG]`, 451). */
  | 'unavailable';

/** The one error type stores throw; `code` says which. */
export class MailStoreError extends Error {
  override readonly name = 'MailStoreError';

  constructor(
    readonly code: MailStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether `error` is a store error, optionally of the given code. */
export function isMailStoreError(
  error: unknown,
  code?: MailStoreErrorCode,
): error is MailStoreError {
  return error instanceof MailStoreError && (code === undefined || error.code === code);
}
