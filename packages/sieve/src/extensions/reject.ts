import type { CommandDefinition, SieveExtension } from '../compiler/definitions.js';
import { REJECT_ACTION } from './actions.js';

function rejectCommand(name: 'reject' | 'ereject'): CommandDefinition {
  return {
    name,
    positional: [{ name: 'reason', kind: 'string' }],
    execute(args, _data, runtime) {
      const reason = runtime.string(args.string(0));
      runtime.addAction(
        { type: 'reject', reason, extended: name === 'ereject', origin: args.at },
        args,
      );
    },
  };
}

/**
 * `reject` (RFC 5429 section 2.2): refuse the message and tell the sender, with an MDN or a DSN
 * after acceptance, or in the SMTP session when the host still can.
 */
export const reject: SieveExtension = {
  capability: 'reject',
  commands: [rejectCommand('reject')],
  actions: [REJECT_ACTION],
};

/** `ereject` (RFC 5429 section 2.1): refuse at the protocol level whenever possible. */
export const ereject: SieveExtension = {
  capability: 'ereject',
  commands: [rejectCommand('ereject')],
  actions: [REJECT_ACTION],
};
