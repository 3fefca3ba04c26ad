import type { SourcePosition } from './diagnostic.js';

/**
 * The syntax tree of a Sieve script (RFC 5228 section 8.2). Every node carries the line and
 * column where it starts. Identifiers are kept as written; the compiler compares them without
 * regard to case, as Sieve does.
 */
export interface ScriptNode {
  readonly type: 'script';
  readonly commands: readonly CommandNode[];
}

export interface CommandNode extends SourcePosition {
  readonly type: 'command';
  readonly name: string;
  readonly arguments: readonly ArgumentNode[];
  /** The test, or the tests of a test list, after the arguments. */
  readonly tests: readonly TestNode[];
  /** Whether the tests were written as a parenthesised test list. */
  readonly testList: boolean;
  /** The block, or null for a command ended by ';'. */
  readonly block: readonly CommandNode[] | null;
}

export interface TestNode extends SourcePosition {
  readonly type: 'test';
  readonly name: string;
  readonly arguments: readonly ArgumentNode[];
  readonly tests: readonly TestNode[];
  readonly testList: boolean;
}

export type ArgumentNode = StringNode | StringListNode | NumberNode | TagNode;

export interface StringNode extends SourcePosition {
  readonly type: 'string';
  readonly value: string;
  /** Written as `text:` ... `.` rather than quoted. */
  readonly multiline: boolean;
}

export interface StringListNode extends SourcePosition {
  readonly type: 'string-list';
  readonly items: readonly StringNode[];
}

export interface NumberNode extends SourcePosition {
  readonly type: 'number';
  /** The value with its K, M or G quantifier applied. */
  readonly value: number;
}

export interface TagNode extends SourcePosition {
  readonly type: 'tag';
  /** Without the colon, as written. */
  readonly name: string;
}
