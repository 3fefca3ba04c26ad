// The fcc extension (RFC 8580): `:fcc MAILBOX` on the actions that send a message of their own
// (notify here; vacation takes it too when registered), so the host stores a copy of what was
// sent in that mailbox (`action.fcc`).
import type { SieveExtension, TagExtension } from '../compiler/definitions.js';
import type { SieveAction } from '../interpreter/actions.js';
import { mailboxNameProblem } from './fileinto.js';

const fccTag: TagExtension = {
  targets: ['notify', 'vacation'],
  tag: { name: 'fcc', argument: { name: 'mailbox', kind: 'string' } },
  decorateAction(action, value, runtime) {
    const mailbox = String(value);
    const problem = mailboxNameProblem(mailbox);
    if (problem) {
      runtime.fail(`:fcc: ${problem}`);
      return action;
    }
    // Every action that sends a message takes it: one field, the same for all of them.
    return { ...action, fcc: { mailbox } } as SieveAction;
  },
};

/** The fcc extension (RFC 8580). */
export const fcc: SieveExtension = {
  capability: 'fcc',
  tagExtensions: [fccTag],
};
