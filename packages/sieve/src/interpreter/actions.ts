import type { SourcePosition } from '../protocol/diagnostic.js';
import type { VacationAction } from '../extensions/vacation.js';
import type { DuplicateAction } from '../extensions/duplicate.js';
import type { NotifyAction } from '../extensions/enotify.js';
import type { SieveMessage } from './message.js';

/** Where an action was taken in the script. */
export interface ActionOrigin {
  /** The line and column of the command that took it (0 for the implicit keep). */
  readonly origin: SourcePosition;
  /**
   * The message this action stores or sends, when the script had changed it by then
   * (editheader, RFC 5293); absent, the message as it came in.
   */
  readonly message?: SieveMessage;
}

/** Store in INBOX: explicit `keep`, or the implicit keep when `implicit` is true. */
export interface KeepAction extends ActionOrigin {
  readonly type: 'keep';
  readonly implicit: boolean;
  /** IMAP flags to set on the stored message (imap4flags), when an extension sets them. */
  readonly flags?: readonly string[];
}

/** Store in a mailbox (RFC 5228 section 4.1). */
export interface FileintoAction extends ActionOrigin {
  readonly type: 'fileinto';
  /** The mailbox name as the script gives it (UTF-8; the host maps it onto its store). */
  readonly mailbox: string;
  /** `:copy` (RFC 3894): the implicit keep stays in force. */
  readonly copy: boolean;
  /** `:create` (RFC 5490): create the mailbox if it does not exist. */
  readonly create: boolean;
  readonly flags?: readonly string[];
  /**
   * `:specialuse` (RFC 8579): store in the mailbox with this special-use attribute when one
   * exists, else in `mailbox` (created with that attribute, given `:create`).
   */
  readonly specialUse?: string;
  /** `:mailboxid` (RFC 9042): store in the mailbox with this object id when it exists. */
  readonly mailboxId?: string;
}

/** Send the message on to another address (RFC 5228 section 4.2). */
export interface RedirectAction extends ActionOrigin {
  readonly type: 'redirect';
  readonly address: string;
  readonly copy: boolean;
  /** redirect-dsn (RFC 6009): DSN NOTIFY (`NEVER`, or some of SUCCESS, FAILURE, DELAY). */
  readonly dsnNotify?: readonly string[];
  /** redirect-dsn (RFC 6009): DSN RET. */
  readonly dsnReturn?: 'FULL' | 'HDRS';
  /** redirect-deliverby (RFC 6009): the DELIVERBY deadline, mode and trace (RFC 2852). */
  readonly deliverBy?: {
    /** When the deadline passes (`:bytimerelative` is counted from the run's `host.now()`). */
    readonly deadline?: Date;
    readonly mode: 'notify' | 'return';
    readonly trace: boolean;
  };
}

/** Drop the message silently (RFC 5228 section 4.4). */
export interface DiscardAction extends ActionOrigin {
  readonly type: 'discard';
}

/**
 * Refuse the message (RFC 5429): `reject` sends a bounce (an MDN or a DSN) after acceptance, or
 * refuses it in the SMTP session if the host can; `ereject` (`extended`) prefers the SMTP refusal.
 */
export interface RejectAction extends ActionOrigin {
  readonly type: 'reject';
  readonly reason: string;
  readonly extended: boolean;
}

/**
 * Every action type by name. Extensions declare theirs by augmenting this interface
 * (`declare module '@mailyard/sieve' { interface SieveActionTypes { vacation: VacationAction } }`),
 * so `SieveAction` stays a discriminated union that narrows on `type`.
 */
export interface SieveActionTypes {
  keep: KeepAction;
  fileinto: FileintoAction;
  redirect: RedirectAction;
  discard: DiscardAction;
  reject: RejectAction;
  vacation: VacationAction;
  duplicate: DuplicateAction;
  /** enotify's (declared here rather than by augmentation, so the bundled types carry it). */
  notify: NotifyAction;
}

export type SieveAction = SieveActionTypes[keyof SieveActionTypes];
