import type { CommandDefinition, SieveExtension, TestDefinition } from '../compiler/definitions.js';
import type { ExtensionRegistry } from '../compiler/registry.js';

/** Whether the registry has every capability (the core's own is not one a script can name). */
function hasAll(registry: ExtensionRegistry, capabilities: readonly string[]): boolean {
  return capabilities.every((capability) => {
    const extension = registry.extension(capability);
    return extension !== undefined && !extension.alwaysEnabled;
  });
}

/**
 * `ihave <capabilities>` (RFC 5463 section 4): true when the implementation has every one of
 * them. The block it guards may use them without `require`; when the implementation lacks one,
 * the block is not compiled at all, so it may use what this implementation does not know.
 */
const ihaveTest: TestDefinition = {
  name: 'ihave',
  positional: [{ name: 'capabilities', kind: 'string-list', literal: true }],
  guardBlock(args, registry) {
    const capabilities = args.stringList(0).constant ?? [];
    return hasAll(registry, capabilities) ? { enable: capabilities } : { skip: true };
  },
  evaluate(args, _data, runtime) {
    return hasAll(runtime.script.registry, runtime.stringList(args.stringList(0)));
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
