/**
 * Literals at least one of which every match of a Perl pattern must contain, or null when that
 * cannot be told for sure. Rules are prefiltered with them: a text containing none of them
 * (`includes`, native and fast) cannot match, so the regex is not run on it. Read: runs of plain
 * ASCII characters at the top level, and groups that must match, whose alternatives each give
 * their own literals (`\b(?:viagra|cialis)\b` requires "viagra" or "cialis"). Anything optional
 * ends a run, so the answer is certain. Literals shorter than 3 characters are not worth it.
 */
export function requiredLiterals(pattern: string): string[] | null {
  if (pattern.includes('\\Q') || pattern.includes('(?x') || pattern.includes('(?|')) return null;
  return requirementOf(pattern, 0);
}

function requirementOf(pattern: string, depth: number): string[] | null {
  if (depth > 8) return null;
  const alternatives = splitTopLevel(pattern);
  if (alternatives.length > 1) {
    const all: string[] = [];
    for (const alternative of alternatives) {
      const requirement = requirementOf(alternative, depth + 1);
      if (!requirement) return null;
      all.push(...requirement);
    }
    return all.length <= 64 ? all : null;
  }
  const candidates: string[][] = [];
  let run = '';
  const end = () => {
    if (run.length >= 3) candidates.push([run]);
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    let literal: string | null = null;
    let next = i + 1;
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) return null;
      next = escapeEnd(pattern, i);
      if (/[^a-zA-Z0-9\s]/.test(e)) literal = e;
    } else if (c === '[') {
      i = quantifierEnd(pattern, skipClass(pattern, i) + 1) - 1;
      end();
      continue;
    } else if (c === '(') {
      const close = skipGroup(pattern, i);
      if (close < 0) return null;
      const after = quantifierEnd(pattern, close + 1);
      const optional = /^(?:[?*]|\{0*[,}])/.test(pattern.slice(close + 1, after));
      const inner = groupBody(pattern.slice(i + 1, close));
      if (!optional && inner !== null) {
        const requirement = requirementOf(inner, depth + 1);
        if (requirement) candidates.push(requirement);
      }
      i = after - 1;
      end();
      continue;
    } else if (/[A-Za-z0-9 !"#%&',\-/:;<=>@_`~]/.test(c)) {
      literal = c;
    }
    const after = quantifierEnd(pattern, next);
    if (literal === null) {
      end();
    } else if (after === next) {
      run += literal;
    } else {
      // Repeated or optional: at most its first copy is certain, and only when it must appear.
      if (!/^(?:[?*]|\{0*[,}])/.test(pattern.slice(next))) run += literal;
      end();
    }
    i = after - 1;
  }
  end();
  // The best requirement: the one whose shortest literal is longest.
  let best: string[] | null = null;
  const strength = (r: string[]) => Math.min(...r.map((l) => l.length)) - r.length / 100;
  for (const candidate of candidates)
    if (!best || strength(candidate) > strength(best)) best = candidate;
  return best;
}

/** A group's pattern without its opening syntax; null for lookarounds and flag-only groups. */
function groupBody(inside: string): string | null {
  if (!inside.startsWith('?')) return inside;
  if (inside.startsWith('?:')) return inside.slice(2);
  if (/^\?P?<[A-Za-z_]\w*>/.test(inside)) return inside.replace(/^\?P?<[A-Za-z_]\w*>/, '');
  return null;
}

function splitTopLevel(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') i = skipClass(pattern, i);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(pattern.slice(start));
  return parts;
}

function skipClass(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      if (close > 0) i = close + 1;
    } else if (pattern[i] === ']') return i;
  }
  return pattern.length;
}

function skipGroup(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') i = skipClass(pattern, i);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      // A quantifier after the group does not matter: the run ends here either way.
      return i;
    }
  }
  return -1;
}

/** Just past a quantifier (`?`, `*`, `+`, `{n}`, `{n,m}`, each maybe lazy) at `at`, or `at`. */
function quantifierEnd(pattern: string, at: number): number {
  const match = /^(?:[?*+]|\{\d*(?:,\d*)?\})[?+]?/.exec(pattern.slice(at, at + 24));
  return match ? at + match[0].length : at;
}

/** Just past the escape that starts at `at` (`\x{263a}`, `\x41`, `\p{L}`, `\cA`, `\012`...). */
function escapeEnd(pattern: string, at: number): number {
  const rest = pattern.slice(at + 1, at + 16);
  const match =
    /^(?:x(?:\{[^}]*\}|[0-9a-fA-F]{0,2})|[pPNgk](?:\{[^}]*\}|<[^>]*>|.)|c.|[0-7]{1,3}|.)/s.exec(
      rest,
    );
  return at + 1 + (match ? match[0].length : 1);
}
