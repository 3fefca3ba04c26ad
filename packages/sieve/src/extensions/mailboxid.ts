// The mailboxid extension (RFC 9042): `fileinto :mailboxid` and the `mailboxidexists` test, on
// the object ids of RFC 8474. The host stores into the mailbox with that id when it exists
// (`action.mailboxId`), else into the named mailbox.
import type { SieveExtension, TagExtension, TestDefinition } from '../compiler/definitions.js';

/** An RFC 8474 objectid: 1 to 255 of `A-Z a-z 0-9 _ -`. */
export function mailboxIdProblem(id: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,255}$/.test(id)
    ? undefined
    : `invalid mailbox id '${id}': 1 to 255 letters, digits, '_' or '-' (RFC 8474)`;
}

const mailboxidTag: TagExtension = {
  targets: ['fileinto'],
  tag: { name: 'mailboxid', argument: { name: 'mailboxid', kind: 'string' } },
  decorateAction(action, value, runtime) {
    if (action.type !== 'fileinto' || typeof value !== 'string') return action;
    const problem = mailboxIdProblem(value);
    if (problem) {
      runtime.fail(`fileinto: ${problem}`);
      return action;
    }
    return { ...action, mailboxId: value };
  },
};

const mailboxidExists: TestDefinition = {
  name: 'mailboxidexists',
  positional: [{ name: 'mailbox-objectids', kind: 'string-list' }],
  evaluate(args, _data, runtime) {
    const host = runtime.host;
    if (!host.mailboxIdExists) return false;
    // An id that is not valid names no mailbox.
    return runtime
      .stringList(args.stringList(0))
      .every((id) => mailboxIdProblem(id) === undefined && host.mailboxIdExists!(id));
  },
};

/** The mailboxid extension (RFC 9042). */
export const mailboxid: SieveExtension = {
  capability: 'mailboxid',
  tests: [mailboxidExists],
  tagExtensions: [mailboxidTag],
};
