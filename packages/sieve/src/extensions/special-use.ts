// The special-use extension (RFC 8579): `fileinto :specialuse` and the `specialuse_exists` test.
// The host resolves the attribute to a mailbox when it stores (`action.specialUse`), and answers
// `specialuse_exists` (`host.specialUseExists`).
import type { SieveExtension, TagExtension, TestDefinition } from '../compiler/definitions.js';
import { mailboxNameProblem } from './fileinto.js';

/** A special-use attribute (RFC 6154): a backslash and an atom, `\Junk`. */
export function specialUseProblem(attribute: string): string | undefined {
  return /^\\[A-Za-z0-9!#$&'+\-.^_`|~]+$/.test(attribute)
    ? undefined
    : `invalid special-use attribute '${attribute}': expected a backslash and a name, as \\Junk`;
}

const specialuseTag: TagExtension = {
  targets: ['fileinto'],
  tag: { name: 'specialuse', argument: { name: 'special-use-attr', kind: 'string' } },
  decorateAction(action, value, runtime) {
    if (action.type !== 'fileinto' || typeof value !== 'string') return action;
    const problem = specialUseProblem(value);
    if (problem) {
      runtime.fail(`fileinto: ${problem}`);
      return action;
    }
    return { ...action, specialUse: value };
  },
};

/** `specialuse_exists [MAILBOX] ATTRIBUTES`: the optional mailbox comes first, so both are lists. */
const specialuseExists: TestDefinition = {
  name: 'specialuse_exists',
  positional: [
    { name: 'mailbox', kind: 'string-list' },
    { name: 'special-use-attrs', kind: 'string-list', optional: true },
  ],
  validate(args, context) {
    const withMailbox = args.positional.length > 1;
    const attributes = args.stringList(withMailbox ? 1 : 0);
    for (const item of attributes.items) {
      const problem = item.parts === null ? specialUseProblem(item.text) : undefined;
      if (problem) context.error(item, problem);
    }
    if (withMailbox) {
      const mailbox = args.stringList(0);
      const only = mailbox.items[0];
      if (mailbox.items.length !== 1 || !only)
        context.error(mailbox, 'specialuse_exists: the mailbox is one string, not a list');
      else if (only.parts === null) {
        const problem = mailboxNameProblem(only.text);
        if (problem) context.error(only, problem);
      }
    }
  },
  evaluate(args, _data, runtime) {
    const withMailbox = args.positional.length > 1;
    const mailbox = withMailbox ? runtime.stringList(args.stringList(0))[0] : undefined;
    const attributes = runtime.stringList(args.stringList(withMailbox ? 1 : 0));
    const host = runtime.host;
    if (!host.specialUseExists) return false;
    return attributes.every(
      (attribute) =>
        specialUseProblem(attribute) === undefined &&
        (mailbox === undefined
          ? host.specialUseExists!(attribute)
          : host.specialUseExists!(attribute, mailbox)),
    );
  },
};

/** The special-use extension (RFC 8579). */
export const specialUse: SieveExtension = {
  capability: 'special-use',
  tests: [specialuseExists],
  tagExtensions: [specialuseTag],
};
