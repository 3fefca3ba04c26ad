// The extlists extension (RFC 6134): the `:list` match type and the `valid_ext_list` test, on
// lists the host keeps (an address book, a mailing-list roster): `host.listExists` and
// `host.listContains`. The list decides how its members compare, so `:list` takes no comparator.
import type {
  CommandDefinition,
  MatchTypeDefinition,
  SieveExtension,
  TestDefinition,
} from '../compiler/definitions.js';
import { redirect as coreRedirect, redirectTo } from './core.js';

/** A list name (RFC 6134 section 2.1): an absolute URI, or `:name` for the host's own lists. */
export function listNameProblem(name: string): string | undefined {
  if (/^:[^\s:]+(:[^\s:]+)*$/.test(name) || /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(name))
    return undefined;
  return `invalid list name '${name}': a URI, or a name starting with ':' such as :addrbook:default`;
}

const LIST: MatchTypeDefinition<readonly string[]> = {
  name: 'list',
  validateKey: (key) => listNameProblem(key),
  prepare: (keys) => keys,
  match(values, lists, _comparator, _argument, context) {
    context.step(values.length * lists.length);
    const host = context.host;
    if (!host.listContains) return false;
    for (const list of lists) {
      if (listNameProblem(list) !== undefined) continue;
      for (const value of values) if (host.listContains(list, value)) return true;
    }
    return false;
  },
};

const validExtList: TestDefinition = {
  name: 'valid_ext_list',
  positional: [{ name: 'ext-list-names', kind: 'string-list' }],
  validate(args, context) {
    for (const item of args.stringList(0).items) {
      // A constant name that is not a list name is an error; a computed one is simply invalid.
      const problem = item.parts === null ? listNameProblem(item.text) : undefined;
      if (problem) context.error(item, problem);
    }
  },
  evaluate(args, _data, runtime) {
    const host = runtime.host;
    if (!host.listExists) return false;
    return runtime
      .stringList(args.stringList(0))
      .every((list) => listNameProblem(list) === undefined && host.listExists!(list));
  },
};

/**
 * `redirect :list NAME` (RFC 6134 2.5): the message goes to every member of the list, as one
 * redirect per member, so the run's redirect budget (`maxRedirects`) and the rule against
 * redirecting twice to one address count each. Without `:list` it is the core's redirect; the
 * compiler takes this one over the core's when the script requires extlists.
 */
const redirectList: CommandDefinition = {
  name: 'redirect',
  positional: [{ name: 'address', kind: 'string' }],
  tags: [{ name: 'list' }],
  validate(args, context) {
    if (!args.has('list')) return coreRedirect.validate?.(args, context);
    const name = args.string(0);
    const problem = name.parts === null ? listNameProblem(name.text) : undefined;
    if (problem) context.error(name, `redirect :list: ${problem}`);
    return undefined;
  },
  execute(args, data, runtime) {
    if (!args.has('list')) {
      coreRedirect.execute(args, data, runtime, null);
      return;
    }
    const list = runtime.string(args.string(0));
    const problem = listNameProblem(list);
    const members = problem === undefined ? runtime.host.listMembers?.(list) : undefined;
    if (members === undefined) {
      runtime.fail(`redirect :list: ${problem ?? `there is no list '${list}'`}`);
      return;
    }
    runtime.step(members.length);
    for (const member of members) {
      redirectTo(member, args, runtime);
      if (runtime.unwinding !== null) return;
    }
  },
};

/** The extlists extension (RFC 6134). */
export const extlists: SieveExtension = {
  capability: 'extlists',
  commands: [redirectList],
  matchTypes: [LIST as MatchTypeDefinition],
  tests: [validExtList],
};
