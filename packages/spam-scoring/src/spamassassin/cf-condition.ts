/** What the `if` / `ifplugin` lines of a rule file are asked about. */
export interface CfEnvironment {
  /** SpamAssassin's version as `version` compares it: 4.000001 for 4.0.1. */
  readonly version: number;
  /** Plugins taken as loaded (full Perl names). */
  readonly plugins: ReadonlySet<string>;
  /** `can(...)` features taken as present (full Perl names). */
  readonly features: ReadonlySet<string>;
}

/**
 * Evaluates the expression of an `if` line: `plugin(Name)`, `can(Name)`, `version` and
 * `perl_version` compared with numbers, `!`, `&&`, `||` (also `and`/`or`/`not`) and
 * parentheses. Anything else is false: a block we cannot understand is not loaded, as
 * SpamAssassin does with a condition that fails to evaluate.
 */
export function evaluateCondition(expression: string, env: CfEnvironment): boolean {
  const tokens =
    expression.match(/\w+(?:::\w+)*\s*\([^)]*\)|[\d.]+|\w+|&&|\|\||[<>=!]=|[()!<>]/g) ?? [];
  let position = 0;
  const peek = () => tokens[position];
  const next = () => tokens[position++];

  function orExpression(): number {
    let value = andExpression();
    while (peek() === '||' || peek() === 'or') {
      next();
      const right = andExpression();
      value = value || right ? 1 : 0;
    }
    return value;
  }
  function andExpression(): number {
    let value = comparison();
    while (peek() === '&&' || peek() === 'and') {
      next();
      const right = comparison();
      value = value && right ? 1 : 0;
    }
    return value;
  }
  function comparison(): number {
    const left = unary();
    const operator = peek();
    if (operator && /^(?:[<>=!]=|[<>])$/.test(operator)) {
      next();
      const right = unary();
      switch (operator) {
        case '>=':
          return left >= right ? 1 : 0;
        case '<=':
          return left <= right ? 1 : 0;
        case '>':
          return left > right ? 1 : 0;
        case '<':
          return left < right ? 1 : 0;
        case '==':
          return left === right ? 1 : 0;
        default:
          return left !== right ? 1 : 0;
      }
    }
    return left;
  }
  function unary(): number {
    const token = next();
    if (token === undefined) return 0;
    if (token === '!' || token === 'not') return unary() ? 0 : 1;
    if (token === '(') {
      const value = orExpression();
      if (peek() === ')') next();
      return value;
    }
    if (token === 'version') return env.version;
    if (token === 'perl_version') return 5.036;
    if (/^[\d.]+$/.test(token)) return Number(token);
    const call = /^(\w+)\s*\(\s*([^)]*?)\s*\)$/.exec(token);
    if (call?.[1] === 'plugin') return env.plugins.has(call[2]!) ? 1 : 0;
    if (call?.[1] === 'can') return env.features.has(call[2]!) ? 1 : 0;
    return 0;
  }
  return orExpression() !== 0;
}
