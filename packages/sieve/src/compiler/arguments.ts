import type { SourcePosition } from '../protocol/diagnostic.js';
import type {
  AddressPartDefinition,
  ComparatorDefinition,
  MatchTypeDefinition,
  TagExtension,
  VariableModifier,
} from './definitions.js';
import type { CompiledTest } from './program.js';
import type { CompiledValue, SieveString, SieveStringList } from './strings.js';

/** A tag's value: its argument, or `true` for a tag that takes none. */
export type TagValue = CompiledValue | true;

/** The chosen match type of a test, with its argument and (for constant keys) prepared keys. */
export interface CompiledMatch {
  readonly definition: MatchTypeDefinition;
  readonly argument: string | undefined;
  /** `definition.prepare` of the constant key list, or undefined when keys vary at run time. */
  readonly prepared: unknown;
  readonly preparedReady: boolean;
}

/**
 * The arguments of a command or test as the compiler matched them to its signature: the
 * interpreter reads them without checking anything again.
 */
export class Arguments implements SourcePosition {
  /** Where the command or test is, as a plain position (what actions carry as their origin). */
  readonly at: SourcePosition;

  constructor(
    readonly line: number,
    readonly column: number,
    readonly positional: readonly CompiledValue[],
    readonly tags: ReadonlyMap<string, TagValue>,
    readonly comparator: ComparatorDefinition,
    readonly match: CompiledMatch,
    readonly addressPart: AddressPartDefinition,
    readonly tests: readonly CompiledTest[],
    /** Tags other extensions added to this command, with their values (`:copy`). */
    readonly extensionTags: readonly (readonly [TagExtension, TagValue])[],
    /** The variable modifiers given (`set :lower`), highest precedence first. */
    readonly modifiers: readonly VariableModifier[] = [],
  ) {
    this.at = { line, column };
  }

  /** The positional string at `index`. */
  string(index: number): SieveString {
    return this.positional[index] as SieveString;
  }

  /** The positional string list at `index`. */
  stringList(index: number): SieveStringList {
    return this.positional[index] as SieveStringList;
  }

  number(index: number): number {
    return this.positional[index] as number;
  }

  has(tag: string): boolean {
    return this.tags.has(tag);
  }

  tagString(tag: string): SieveString | undefined {
    const value = this.tags.get(tag);
    return typeof value === 'object' && value.kind === 'string' ? value : undefined;
  }

  tagStringList(tag: string): SieveStringList | undefined {
    const value = this.tags.get(tag);
    return typeof value === 'object' && value.kind === 'string-list' ? value : undefined;
  }

  tagNumber(tag: string): number | undefined {
    const value = this.tags.get(tag);
    return typeof value === 'number' ? value : undefined;
  }
}
