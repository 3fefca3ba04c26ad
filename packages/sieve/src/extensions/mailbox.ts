import type { SieveExtension, TagExtension, TestDefinition } from '../compiler/definitions.js';
import { hostMailboxExists } from '../interpreter/host.js';
import { isInbox } from './actions.js';

/**
 * `mailboxexists <mailbox-names>` (RFC 5490 section 3.1): true when every named mailbox exists
 * (as the host says; INBOX always does).
 */
const mailboxexists: TestDefinition = {
  name: 'mailboxexists',
  positional: [{ name: 'mailbox-names', kind: 'string-list' }],
  evaluate(args, _data, runtime) {
    const names = runtime.stringList(args.stringList(0));
    runtime.step(names.length);
    return names.every((name) => isInbox(name) || hostMailboxExists(runtime.host, name));
  },
};

/** `fileinto :create` (RFC 5490 section 3.2): create the mailbox if it is missing. */
const createTag: TagExtension = {
  targets: ['fileinto'],
  tag: { name: 'create' },
  decorateAction: (action) => (action.type === 'fileinto' ? { ...action, create: true } : action),
};

/** The mailbox extension (RFC 5490 section 3). */
export const mailbox: SieveExtension = {
  capability: 'mailbox',
  tests: [mailboxexists],
  tagExtensions: [createTag],
};
