import { isMailStoreError } from '@mailyard/mailstore-interface';

/** A command's failure as the client is told it: status, response code, text. */
export interface Refusal {
  readonly status: 'NO' | 'BAD';
  /** An RFC 5530 / RFC 9051 response code, without brackets (`NONEXISTENT`, `COPYUID ...`). */
  readonly code: string | null;
  readonly text: string;
}

/** A refusal that handlers throw; the session turns it into the tagged reply. */
export class CommandRefused extends Error {
  override readonly name = 'CommandRefused';

  constructor(readonly refusal: Refusal) {
    super(refusal.text);
  }
}

export function refuse(status: 'NO' | 'BAD', text: string, code: string | null = null): never {
  throw new CommandRefused({ status, code, text });
}

/**
 * The reply for a store error (RFC 5530 response codes). `target` marks a failure about a
 * destination mailbox of APPEND, COPY or MOVE, where a missing one is `[TRYCREATE]`.
 */
export function storeRefusal(error: unknown, target = false): Refusal | null {
  if (error instanceof CommandRefused) return error.refusal;
  if (!isMailStoreError(error)) return null;
  switch (error.code) {
    case 'not-found':
      return target
        ? { status: 'NO', code: 'TRYCREATE', text: 'Mailbox does not exist' }
        : { status: 'NO', code: 'NONEXISTENT', text: 'Mailbox does not exist' };
    case 'expunged':
      return {
        status: 'NO',
        code: 'EXPUNGEISSUED',
        text: 'Some of the requested messages no longer exist',
      };
    case 'already-exists':
      return { status: 'NO', code: 'ALREADYEXISTS', text: 'Mailbox already exists' };
    case 'over-quota':
      return { status: 'NO', code: 'OVERQUOTA', text: 'Quota exceeded' };
    case 'permission-denied':
      return { status: 'NO', code: 'NOPERM', text: 'Permission denied' };
    case 'uidvalidity-changed':
      return { status: 'NO', code: 'NONEXISTENT', text: 'Mailbox was re-created' };
    case 'invalid-name':
      return { status: 'NO', code: 'CANNOT', text: 'Invalid mailbox name' };
    case 'invalid-argument':
      return { status: 'BAD', code: null, text: error.message };
    case 'not-allowed':
      return { status: 'NO', code: 'CANNOT', text: error.message };
    case 'too-big':
      return { status: 'NO', code: 'TOOBIG', text: 'Message too big' };
    case 'unavailable':
      return { status: 'NO', code: 'UNAVAILABLE', text: 'Temporary failure, try again later' };
  }
}
