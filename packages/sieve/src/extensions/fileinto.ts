import type { CommandDefinition, SieveExtension } from '../compiler/definitions.js';
import { FILEINTO_ACTION } from './actions.js';

/** A mailbox name a script may give: not empty, no control characters (checked again by the host). */
export function mailboxNameProblem(name: string): string | undefined {
  if (name === '') return 'the mailbox name is empty';
  if (/[\x00-\x1f\x7f]/.test(name))
    return `mailbox name '${name.replace(/[\x00-\x1f\x7f]/g, '?')}' contains a control character`;
  return undefined;
}

const fileinto: CommandDefinition = {
  name: 'fileinto',
  positional: [{ name: 'mailbox', kind: 'string' }],
  validate(args, context) {
    const mailbox = args.string(0);
    const problem = mailbox.parts === null ? mailboxNameProblem(mailbox.text) : undefined;
    if (problem) context.error(mailbox, problem);
  },
  execute(args, _data, runtime) {
    const mailbox = runtime.string(args.string(0));
    const problem = mailboxNameProblem(mailbox);
    if (problem) {
      runtime.fail(problem);
      return;
    }
    runtime.addAction(
      { type: 'fileinto', mailbox, copy: false, create: false, origin: args.at },
      args,
    );
  },
};

/** `fileinto` (RFC 5228 section 4.1). `:copy`, `:create` and `:flags` are tags other extensions add. */
export const fileintoExtension: SieveExtension = {
  capability: 'fileinto',
  commands: [fileinto],
  actions: [FILEINTO_ACTION],
};
