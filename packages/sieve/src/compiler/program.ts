import type { SourcePosition } from '../protocol/diagnostic.js';
import type { Arguments } from './arguments.js';
import type { CommandDefinition, TestDefinition } from './definitions.js';
import type { ExtensionRegistry } from './registry.js';

/** A command with its definition resolved and its arguments matched. */
export interface CompiledCommand extends SourcePosition {
  readonly kind: 'command';
  readonly definition: CommandDefinition;
  readonly args: Arguments;
  /** What the definition's `validate` computed at compile time. */
  readonly data: unknown;
  readonly block: CompiledBlock | null;
}

/** `if` with its `elsif` branches and `else`, as one node. */
export interface CompiledIf extends SourcePosition {
  readonly kind: 'if';
  readonly branches: readonly { readonly test: CompiledTest; readonly block: CompiledBlock }[];
  readonly otherwise: CompiledBlock | null;
}

export type CompiledNode = CompiledCommand | CompiledIf;
export type CompiledBlock = readonly CompiledNode[];

export interface CompiledTest extends SourcePosition {
  readonly definition: TestDefinition;
  readonly args: Arguments;
  readonly data: unknown;
}

/**
 * A compiled script: typed instructions with their definitions resolved, run as many times as
 * needed without parsing or checking again.
 */
export interface CompiledScript {
  /** As given to the compiler (a file name without its extension, say); shown in errors. */
  readonly name: string;
  readonly commands: CompiledBlock;
  /** The capabilities the script required. */
  readonly capabilities: ReadonlySet<string>;
  /** Whether strings and `:matches` captures follow the variables extension. */
  readonly usesVariables: boolean;
  readonly registry: ExtensionRegistry;
}
