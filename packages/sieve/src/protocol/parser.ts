import type {
  ArgumentNode,
  CommandNode,
  ScriptNode,
  StringListNode,
  StringNode,
  TestNode,
} from './ast.js';
import { DiagnosticSink, type SieveDiagnostic, type SourcePosition } from './diagnostic.js';
import { Lexer } from './lexer.js';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from './parse-limits.js';
import { type Token, describeToken } from './token.js';
import { decodeScriptBytes } from './script-text.js';

export interface ParseResult {
  readonly script: ScriptNode;
  /** Every error and warning found, in the order found (by position within each pass). */
  readonly diagnostics: readonly SieveDiagnostic[];
}

/** Thrown inside the parser only, to unwind to the enclosing command and resynchronise there. */
const RECOVER = Symbol('recover');

/**
 * Parses a script (RFC 5228 section 8) to a syntax tree. Synchronous and pure; never throws. After
 * an error it skips to the end of the command (`;`, or past its block) and goes on, so one run
 * reports every syntax error. Nesting beyond the limits is an error, never deep recursion.
 */
export function parseScript(
  source: string | Uint8Array,
  limits: Partial<ParseLimits> = {},
): ParseResult {
  const effective: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...limits };
  const sink = new DiagnosticSink(effective.maxErrors);
  const text = typeof source === 'string' ? source : decodeScriptBytes(source, sink);
  if (text.length > effective.maxScriptSize) {
    sink.error(
      { line: 1, column: 1 },
      `script of ${text.length} characters is larger than the limit of ${effective.maxScriptSize}`,
    );
    return { script: { type: 'script', commands: [] }, diagnostics: sink.diagnostics };
  }
  const parser = new Parser(new Lexer(text, sink, effective), sink, effective);
  const commands = parser.parseCommands(0, false);
  return { script: { type: 'script', commands }, diagnostics: sink.diagnostics };
}

class Parser {
  private token: Token;

  constructor(
    private readonly lexer: Lexer,
    private readonly sink: DiagnosticSink,
    private readonly limits: ParseLimits,
  ) {
    this.token = lexer.next();
  }

  private advance(): Token {
    const token = this.token;
    this.token = this.lexer.next();
    return token;
  }

  private fail(at: SourcePosition, message: string): never {
    this.sink.error(at, message);
    throw RECOVER;
  }

  private expectation(what: string): never {
    return this.fail(this.token, `expected ${what}, found ${describeToken(this.token)}`);
  }

  /** Commands up to the end of the script, or up to the `}` that closes the block. */
  parseCommands(blockDepth: number, inBlock: boolean): CommandNode[] {
    const commands: CommandNode[] = [];
    for (;;) {
      if (this.sink.full) {
        this.skipToEnd();
        return commands;
      }
      const token = this.token;
      if (token.kind === 'end') {
        return commands;
      }
      if (token.kind === '}') {
        if (inBlock) return commands;
        this.sink.error(token, "unexpected '}' outside any block");
        this.advance();
        continue;
      }
      try {
        commands.push(this.parseCommand(blockDepth));
      } catch (error) {
        if (error !== RECOVER) throw error;
        this.recover();
      }
    }
  }

  private parseCommand(blockDepth: number): CommandNode {
    const start = this.token;
    if (start.kind !== 'identifier') return this.expectation('a command');
    this.advance();
    const { args, tests, testList } = this.parseArguments(0);
    let block: CommandNode[] | null = null;
    const end = this.token;
    if (end.kind === ';') {
      this.advance();
    } else if (end.kind === '{') {
      block = this.parseBlock(blockDepth + 1);
    } else {
      this.expectation(`';' or '{' after command '${start.name}'`);
    }
    return {
      type: 'command',
      name: start.name,
      arguments: args,
      tests,
      testList,
      block,
      line: start.line,
      column: start.column,
    };
  }

  private parseBlock(depth: number): CommandNode[] {
    const open = this.advance();
    if (depth > this.limits.maxBlockNesting) {
      this.sink.error(
        open,
        `blocks nested too deeply (the limit is ${this.limits.maxBlockNesting} levels)`,
      );
      this.skipBalanced('{', '}', 1);
      return [];
    }
    const commands = this.parseCommands(depth, true);
    if (this.token.kind !== '}') {
      this.sink.error(open, "block not closed: '{' without '}'");
      return commands;
    }
    this.advance();
    return commands;
  }

  private parseArguments(testDepth: number): {
    args: ArgumentNode[];
    tests: TestNode[];
    testList: boolean;
  } {
    const args: ArgumentNode[] = [];
    for (;;) {
      const token = this.token;
      if (token.kind === 'string') {
        this.advance();
        args.push(stringNode(token));
      } else if (token.kind === 'number') {
        this.advance();
        args.push({ type: 'number', value: token.value, line: token.line, column: token.column });
      } else if (token.kind === 'tag') {
        this.advance();
        args.push({ type: 'tag', name: token.name, line: token.line, column: token.column });
      } else if (token.kind === '[') {
        args.push(this.parseStringList());
      } else {
        break;
      }
    }
    if (this.token.kind === 'identifier') {
      return { args, tests: [this.parseTest(testDepth + 1)], testList: false };
    }
    if (this.token.kind === '(') {
      return { args, tests: this.parseTestList(testDepth + 1), testList: true };
    }
    return { args, tests: [], testList: false };
  }

  private parseStringList(): StringListNode {
    const open = this.advance();
    const items: StringNode[] = [];
    for (;;) {
      const token = this.token;
      if (token.kind !== 'string') {
        return this.expectation(
          items.length === 0 ? 'a string in the string list' : "a string after ','",
        );
      }
      this.advance();
      items.push(stringNode(token));
      if (this.token.kind === ',') {
        this.advance();
        continue;
      }
      if (this.token.kind === ']') {
        this.advance();
        return { type: 'string-list', items, line: open.line, column: open.column };
      }
      return this.expectation("',' or ']' in the string list");
    }
  }

  private checkTestDepth(depth: number, at: SourcePosition): void {
    if (depth > this.limits.maxTestNesting) {
      this.fail(at, `tests nested too deeply (the limit is ${this.limits.maxTestNesting} levels)`);
    }
  }

  private parseTest(depth: number): TestNode {
    const start = this.token;
    if (start.kind !== 'identifier') return this.expectation('a test');
    this.checkTestDepth(depth, start);
    this.advance();
    const { args, tests, testList } = this.parseArguments(depth);
    return {
      type: 'test',
      name: start.name,
      arguments: args,
      tests,
      testList,
      line: start.line,
      column: start.column,
    };
  }

  private parseTestList(depth: number): TestNode[] {
    const open = this.advance();
    this.checkTestDepth(depth, open);
    const tests: TestNode[] = [];
    for (;;) {
      tests.push(this.parseTest(depth));
      if (this.token.kind === ',') {
        this.advance();
        continue;
      }
      if (this.token.kind === ')') {
        this.advance();
        return tests;
      }
      return this.expectation("',' or ')' in the test list");
    }
  }

  /**
   * After an error: skip to the end of the command, that is past the next `;` or past a whole
   * block, or up to a `}` that closes the enclosing block. Iterative, whatever the nesting.
   */
  private recover(): void {
    for (;;) {
      const kind = this.token.kind;
      if (kind === 'end' || kind === '}') return;
      this.advance();
      if (kind === ';') return;
      if (kind === '{') {
        this.skipBalanced('{', '}', 1);
        return;
      }
    }
  }

  /** Skips up to and past the bracket that closes `depth` open ones. */
  private skipBalanced(open: '{' | '(', close: '}' | ')', depth: number): void {
    while (depth > 0) {
      const kind = this.token.kind;
      if (kind === 'end') return;
      if (kind === open) depth++;
      else if (kind === close) depth--;
      this.advance();
    }
  }

  private skipToEnd(): void {
    while (this.token.kind !== 'end') this.advance();
  }
}

function stringNode(token: Token & { kind: 'string' }): StringNode {
  return {
    type: 'string',
    value: token.value,
    multiline: token.multiline,
    line: token.line,
    column: token.column,
  };
}
