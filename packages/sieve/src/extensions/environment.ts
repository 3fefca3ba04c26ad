import type { SieveExtension, TestDefinition } from '../compiler/definitions.js';

/** What `name` and `version` say when the host does not (RFC 5183 section 4.1). */
const IMPLEMENTATION: Readonly<Record<string, string>> = {
  name: 'Mailyard Sieve',
  version: '0.1',
};

/**
 * `environment [COMPARATOR] [MATCH-TYPE] <name> <key-list>` (RFC 5183 section 4): compares an
 * item the host knows (`domain`, `host`, `location`, `phase`, `remote-host`, `remote-ip`, ...).
 * An item nobody knows makes the test false.
 */
const environmentTest: TestDefinition = {
  name: 'environment',
  comparator: true,
  matchType: true,
  positional: [
    { name: 'name', kind: 'string' },
    { name: 'key-list', kind: 'string-list' },
  ],
  keyList: 1,
  evaluate(args, _data, runtime) {
    const name = runtime.string(args.string(0)).toLowerCase();
    const value = runtime.host.environment?.(name) ?? IMPLEMENTATION[name];
    if (value === undefined) return false;
    return runtime.matches(args, [value], args.stringList(1));
  },
};

/** The environment extension (RFC 5183). Its items come from the host's `environment(name)`. */
export const environment: SieveExtension = {
  capability: 'environment',
  tests: [environmentTest],
};
