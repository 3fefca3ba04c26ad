import type { CommandDefinition, SieveExtension, TestDefinition } from '../compiler/definitions.js';

/**
 * `ihave <capabilities>` (RFC 5463 section 4): true when the implementation has every one of
 * them. (The compile-time side of RFC 5463, a block under `ihave` using what it names without
 * `require`, is not done: a script still requires what it uses.)
 */
const ihaveTest: TestDefinition = {
  name: 'ihave',
  positional: [{ name: 'capabilities', kind: 'string-list' }],
  evaluate(args, _data, runtime) {
    const registry = runtime.script.registry;
    return runtime.stringList(args.stringList(0)).every((capability) => {
      const extension = registry.extension(capability);
      return extension !== undefined && !extension.alwaysEnabled;
    });
  },
};

/** `error <message>` (RFC 5463 section 5): ends the run with a runtime error. */
const errorCommand: CommandDefinition = {
  name: 'error',
  positional: [{ name: 'message', kind: 'string' }],
  execute: (args, _data, runtime) => runtime.fail(runtime.string(args.string(0))),
};

/** The ihave extension (RFC 5463). */
export const ihave: SieveExtension = {
  capability: 'ihave',
  tests: [ihaveTest],
  commands: [errorCommand],
};
