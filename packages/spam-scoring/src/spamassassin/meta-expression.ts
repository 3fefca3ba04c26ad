/** A compiled meta expression: the rule names it reads, and its value given their hit counts. */
export interface MetaExpression {
  readonly dependencies: readonly string[];
  /**
   * Dependencies that only ever raise the value (never under `!`, after `-`, or compared with
   * `<`, `==`...): taking one of them as 0 can make the meta fire less, never more.
   */
  readonly monotone: ReadonlySet<string>;
  evaluate(hits: (name: string) => number): number;
}

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'rule'; name: string }
  | { kind: 'not'; operand: Node }
  | { kind: 'negate'; operand: Node }
  | { kind: 'binary'; operator: string; left: Node; right: Node };

const PRECEDENCE: Readonly<Record<string, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '>': 4,
  '<=': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
};

/**
 * Parses a `meta` rule's expression (rule names, numbers, `&& || ! + - * / < > <= >= == !=`,
 * parentheses) into a tree that is walked, never handed to `eval`. Throws a message when the
 * expression cannot be read.
 */
export function parseMetaExpression(source: string): MetaExpression {
  const tokens = source.match(/[A-Za-z_][\w.]*|\d+(?:\.\d+)?|&&|\|\||[<>=!]=|[-+*/()!<>]/g) ?? [];
  const rest = source.replace(/[A-Za-z_][\w.]*|\d+(?:\.\d+)?|&&|\|\||[<>=!]=|[-+*/()!<>]|\s+/g, '');
  if (rest !== '') throw new Error(`unexpected "${rest.slice(0, 10)}"`);
  let position = 0;
  const dependencies = new Set<string>();

  const primary = (): Node => {
    const token = tokens[position++];
    if (token === undefined) throw new Error('expression ends too soon');
    if (token === '(') {
      const inner = binary(0);
      if (tokens[position++] !== ')') throw new Error('missing )');
      return inner;
    }
    if (token === '!') return { kind: 'not', operand: primary() };
    if (token === '-') return { kind: 'negate', operand: primary() };
    if (/^\d/.test(token)) return { kind: 'number', value: Number(token) };
    if (/^[A-Za-z_]/.test(token)) {
      dependencies.add(token);
      return { kind: 'rule', name: token };
    }
    throw new Error(`unexpected "${token}"`);
  };
  const binary = (minimum: number): Node => {
    let left = primary();
    for (;;) {
      const operator = tokens[position];
      const precedence = operator === undefined ? undefined : PRECEDENCE[operator];
      if (precedence === undefined || precedence <= minimum) return left;
      position++;
      left = { kind: 'binary', operator: operator!, left, right: binary(precedence) };
    }
  };
  const tree = binary(0);
  if (position !== tokens.length) throw new Error(`unexpected "${tokens[position]}"`);
  const negative = new Set<string>();
  markNegative(tree, true, negative);
  const monotone = new Set([...dependencies].filter((name) => !negative.has(name)));
  return {
    dependencies: [...dependencies],
    monotone,
    evaluate: (hits) => evaluateNode(tree, hits),
  };
}

/** Collects the rules that occur where a higher count could lower the result. */
function markNegative(node: Node, positive: boolean, negative: Set<string>): void {
  switch (node.kind) {
    case 'number':
      return;
    case 'rule':
      if (!positive) negative.add(node.name);
      return;
    case 'not':
    case 'negate':
      return markNegative(node.operand, !positive, negative);
    case 'binary':
      switch (node.operator) {
        case '-':
        case '/':
          markNegative(node.left, positive, negative);
          return markNegative(node.right, !positive, negative);
        case '<':
        case '<=':
          markNegative(node.left, !positive, negative);
          return markNegative(node.right, positive, negative);
        case '==':
        case '!=':
          markNegative(node.left, false, negative);
          markNegative(node.left, true, negative);
          markNegative(node.right, false, negative);
          return markNegative(node.right, true, negative);
        default:
          markNegative(node.left, positive, negative);
          return markNegative(node.right, positive, negative);
      }
  }
}

function evaluateNode(node: Node, hits: (name: string) => number): number {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'rule':
      return hits(node.name);
    case 'not':
      return evaluateNode(node.operand, hits) ? 0 : 1;
    case 'negate':
      return -evaluateNode(node.operand, hits);
    case 'binary': {
      const left = evaluateNode(node.left, hits);
      if (node.operator === '&&') return left ? evaluateNode(node.right, hits) : 0;
      if (node.operator === '||') return left ? left : evaluateNode(node.right, hits);
      const right = evaluateNode(node.right, hits);
      switch (node.operator) {
        case '+':
          return left + right;
        case '-':
          return left - right;
        case '*':
          return left * right;
        case '/':
          return right === 0 ? 0 : left / right;
        case '<':
          return left < right ? 1 : 0;
        case '>':
          return left > right ? 1 : 0;
        case '<=':
          return left <= right ? 1 : 0;
        case '>=':
          return left >= right ? 1 : 0;
        case '==':
          return left === right ? 1 : 0;
        default:
          return left !== right ? 1 : 0;
      }
    }
  }
}
