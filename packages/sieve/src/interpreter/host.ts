/**
 * What the interpreter asks of the application that runs it. The interpreter does no I/O: every
 * fact about the world outside the message comes through here, synchronously. An application
 * whose facts live behind asynchronous I/O loads what a run needs before it (the user's mailbox
 * names, say); a run takes microseconds, and nothing here is asked in a loop the script controls
 * beyond its step budget. Every method is optional; the defaults say what happens without it.
 */
export interface SieveHost {
  /** Whether the user's mailbox exists (`mailboxexists`, `fileinto` checks). Default: only INBOX. */
  mailboxExists?(name: string): boolean;
  /** The current time (`currentdate`, vacation periods). Default: the system clock. */
  now?(): Date;
  /** An environment item (RFC 5183: `domain`, `host`, `location`, `name`, ...). Default: none. */
  environment?(name: string): string | undefined;
  /**
   * Duplicate tracking (RFC 7352): whether a message with this id was seen for this handle and
   * its record has not expired. Only asked: a run that completes has a `duplicate` action per
   * id checked, which the host records (for `periodSeconds` from now) when it carries the
   * actions out, so a failed run marks nothing (RFC 7352 section 3). Default: never seen.
   */
  duplicateSeen?(id: string, handle: string): boolean;
  /** Per-mailbox (mailbox given) or server metadata (RFC 5490). Default: none. */
  metadata?(mailbox: string | null, annotation: string): string | undefined;
  /**
   * Whether a mailbox with that special-use attribute exists (RFC 8579), or, with `mailbox`,
   * whether that mailbox exists and has it. Default: false.
   */
  specialUseExists?(attribute: string, mailbox?: string): boolean;
  /** Whether a mailbox with that object id (RFC 8474 MAILBOXID) exists (RFC 9042). Default: false. */
  mailboxIdExists?(id: string): boolean;
  /** Whether the host has that external list (extlists, RFC 6134). Default: false. */
  listExists?(list: string): boolean;
  /**
   * Whether the value is a member of that external list (extlists' `:list`), as the list
   * compares its members (addresses without regard to case, say). Default: false.
   */
  listContains?(list: string, value: string): boolean;
  /**
   * The addresses of that external list, for `redirect :list` (RFC 6134 2.5); undefined when the
   * host has no such list (a runtime error). Default: no lists.
   */
  listMembers?(list: string): readonly string[] | undefined;
  /**
   * The source of a script `include` names (RFC 6609), from the user's scripts (`personal`) or
   * the administrator's (`global`); undefined when there is none. The include extension compiles
   * it once per run and caches nothing across runs; a host that wants that keeps compiled
   * scripts itself. Default: none.
   */
  includedScript?(name: string, location: 'personal' | 'global'): string | Uint8Array | undefined;
  /**
   * Vacation response tracking (RFC 5230 4.2): whether a reply with this handle went to this
   * sender (lower case) within the last `periodSeconds`. Only asked, never told: whoever carries
   * out a vacation action that has a reply records `action.tracking` once the reply is on its
   * way. Default: never replied (every message is answered).
   */
  vacationReplied?(sender: string, handle: string, periodSeconds: number): boolean;
  /**
   * The user's own addresses the host knows (primary and aliases), besides the envelope
   * recipient: vacation answers only mail addressed to one of them (RFC 5230 4.5). Default: none.
   */
  userAddresses?(): readonly string[];
}

/** The host used when none is given: a user with only an INBOX, the system clock, nothing else. */
export const DEFAULT_HOST: SieveHost = {};

export function hostMailboxExists(host: SieveHost, name: string): boolean {
  return host.mailboxExists ? host.mailboxExists(name) : name.toUpperCase() === 'INBOX';
}
