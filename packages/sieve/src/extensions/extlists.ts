// The extlists extension (RFC 6134): the `:list` match type and the `valid_ext_list` test, on
// lists the host keeps (an address book, a mailing-list roster): `host.listExists` and
// `host.listContains`. The list decides how its members compare, so `:list` takes no comparator.
import type {
  MatchTypeDefinition,
  SieveExtension,
  TestDefinition,
} from '../compiler/definitions.js';

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

/** The extlists extension (RFC 6134), without `redirect :list`. */
export const extlists: SieveExtension = {
  capability: 'extlists',
  matchTypes: [LIST as MatchTypeDefinition],
  tests: [validExtList],
};
