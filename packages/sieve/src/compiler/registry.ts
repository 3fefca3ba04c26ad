import type {
  ActionDefinition,
  AddressPartDefinition,
  CommandDefinition,
  ComparatorDefinition,
  EnvelopePartDefinition,
  MatchTypeDefinition,
  SieveExtension,
  TagExtension,
  TestDefinition,
  VariableModifier,
  VariableNamespace,
} from './definitions.js';

/** Something an extension registered, with the extension it came from. */
export interface Registered<T> {
  readonly extension: SieveExtension;
  readonly item: T;
}

/**
 * The extensions a compiler and interpreter know, indexed by name. Which of them a script may
 * use is decided per script by its `require` (plus the always-enabled core). Immutable: `with`
 * and `without` make new registries, so one registry can be shared by many compilations.
 */
export class ExtensionRegistry {
  private readonly byCapability = new Map<string, SieveExtension>();
  private readonly commandIndex = new Map<string, Registered<CommandDefinition>[]>();
  private readonly testIndex = new Map<string, Registered<TestDefinition>[]>();
  private readonly comparatorIndex = new Map<string, Registered<ComparatorDefinition>>();
  private readonly matchTypeIndex = new Map<string, Registered<MatchTypeDefinition>[]>();
  private readonly addressPartIndex = new Map<string, Registered<AddressPartDefinition>[]>();
  private readonly envelopePartIndex = new Map<string, Registered<EnvelopePartDefinition>[]>();
  private readonly tagIndex = new Map<string, Registered<TagExtension>[]>();
  private readonly actionIndex = new Map<string, ActionDefinition>();
  private readonly namespaceIndex = new Map<string, Registered<VariableNamespace>[]>();
  private readonly modifierIndex = new Map<string, Registered<VariableModifier>[]>();

  constructor(readonly extensions: readonly SieveExtension[]) {
    for (const extension of extensions) {
      if (this.byCapability.has(extension.capability))
        throw new Error(`Sieve extension '${extension.capability}' registered twice`);
      this.byCapability.set(extension.capability, extension);
      const add = <T>(index: Map<string, Registered<T>[]>, name: string, item: T) => {
        const list = index.get(name);
        if (list) list.push({ extension, item });
        else index.set(name, [{ extension, item }]);
      };
      for (const command of extension.commands ?? []) add(this.commandIndex, command.name, command);
      for (const test of extension.tests ?? []) add(this.testIndex, test.name, test);
      for (const type of extension.matchTypes ?? []) add(this.matchTypeIndex, type.name, type);
      for (const part of extension.addressParts ?? []) add(this.addressPartIndex, part.name, part);
      for (const part of extension.envelopeParts ?? [])
        add(this.envelopePartIndex, part.name, part);
      for (const space of extension.variableNamespaces ?? [])
        add(this.namespaceIndex, space.name, space);
      for (const modifier of extension.variableModifiers ?? [])
        add(this.modifierIndex, modifier.name, modifier);
      for (const tag of extension.tagExtensions ?? [])
        for (const target of tag.targets) add(this.tagIndex, target, tag);
      for (const comparator of extension.comparators ?? [])
        this.comparatorIndex.set(comparator.name, { extension, item: comparator });
      for (const action of extension.actions ?? []) this.actionIndex.set(action.type, action);
    }
  }

  /** A registry with these extensions added (an extension of the same capability is replaced). */
  with(...extensions: readonly SieveExtension[]): ExtensionRegistry {
    const replaced = new Set(extensions.map((extension) => extension.capability));
    return new ExtensionRegistry([
      ...this.extensions.filter((extension) => !replaced.has(extension.capability)),
      ...extensions,
    ]);
  }

  /** A registry without these capabilities (a server that disables some). */
  without(...capabilities: readonly string[]): ExtensionRegistry {
    const removed = new Set(capabilities);
    return new ExtensionRegistry(
      this.extensions.filter((extension) => !removed.has(extension.capability)),
    );
  }

  extension(capability: string): SieveExtension | undefined {
    return this.byCapability.get(capability);
  }

  /** The capabilities a script may require, as ManageSieve's SIEVE capability lists them. */
  capabilities(): string[] {
    return this.extensions.filter((extension) => !extension.alwaysEnabled).map((e) => e.capability);
  }

  commands(name: string): readonly Registered<CommandDefinition>[] {
    return this.commandIndex.get(name) ?? [];
  }

  tests(name: string): readonly Registered<TestDefinition>[] {
    return this.testIndex.get(name) ?? [];
  }

  comparator(name: string): Registered<ComparatorDefinition> | undefined {
    return this.comparatorIndex.get(name);
  }

  matchTypes(name: string): readonly Registered<MatchTypeDefinition>[] {
    return this.matchTypeIndex.get(name) ?? [];
  }

  addressParts(name: string): readonly Registered<AddressPartDefinition>[] {
    return this.addressPartIndex.get(name) ?? [];
  }

  envelopeParts(name: string): readonly Registered<EnvelopePartDefinition>[] {
    return this.envelopePartIndex.get(name) ?? [];
  }

  /** Tags other extensions add to the command or test of that name. */
  tagExtensions(target: string): readonly Registered<TagExtension>[] {
    return this.tagIndex.get(target) ?? [];
  }

  action(type: string): ActionDefinition | undefined {
    return this.actionIndex.get(type);
  }

  namespaces(name: string): readonly Registered<VariableNamespace>[] {
    return this.namespaceIndex.get(name) ?? [];
  }

  variableModifiers(name: string): readonly Registered<VariableModifier>[] {
    return this.modifierIndex.get(name) ?? [];
  }
}
