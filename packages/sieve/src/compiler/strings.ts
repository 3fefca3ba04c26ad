import type { SourcePosition } from '../protocol/diagnostic.js';

/** A `${...}` reference inside a string, resolved when the string is used (RFC 5229). */
export interface VariableReference {
  /** The namespace (`env` of `${env.name}`), lower case, or null for plain and match variables. */
  readonly namespace: string | null;
  /** The name within the namespace, lower case (variable names ignore case). */
  readonly name: string;
  /** For a match variable (`${0}` to `${9}` and beyond): its number. */
  readonly matchIndex: number | null;
}

export type TemplatePart = string | VariableReference;

/**
 * A string argument as compiled. Without the variables extension (or with no `${...}` in it) it
 * is a constant, read at no cost; otherwise its parts are joined at run time.
 */
export interface SieveString extends SourcePosition {
  readonly kind: 'string';
  /** The value (constant), or the source text after encoded characters (template). */
  readonly text: string;
  /** null for a constant. */
  readonly parts: readonly TemplatePart[] | null;
}

export interface SieveStringList extends SourcePosition {
  readonly kind: 'string-list';
  readonly items: readonly SieveString[];
  /** The values when every item is a constant, else null. */
  readonly constant: readonly string[] | null;
}

export type CompiledValue = SieveString | SieveStringList | number;

const NAME_PART = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Splits a string into literal parts and variable references (RFC 5229 section 3). A `${` that
 * does not start a well-formed reference stays as written. Returns null when there is none.
 */
export function parseTemplate(text: string): TemplatePart[] | null {
  let open = text.indexOf('${');
  if (open < 0) return null;
  const parts: TemplatePart[] = [];
  let literalStart = 0;
  let found = false;
  while (open >= 0) {
    const close = text.indexOf('}', open + 2);
    if (close < 0) break;
    const reference = parseReference(text.slice(open + 2, close));
    if (!reference) {
      open = text.indexOf('${', open + 2);
      continue;
    }
    found = true;
    if (open > literalStart) parts.push(text.slice(literalStart, open));
    parts.push(reference);
    literalStart = close + 1;
    open = text.indexOf('${', literalStart);
  }
  if (!found) return null;
  if (literalStart < text.length) parts.push(text.slice(literalStart));
  return parts;
}

/** `name`, `ns.name`, or a number (a match variable); null when it is none of these. */
export function parseReference(inner: string): VariableReference | null {
  if (/^[0-9]+$/.test(inner)) {
    // `${0001}` is `${1}`; a number too long to be an index refers to no match value.
    const digits = inner.replace(/^0+(?=.)/, '');
    return { namespace: null, name: inner, matchIndex: digits.length > 5 ? 99999 : Number(digits) };
  }
  const pieces = inner.split('.');
  if (!pieces.every((piece) => NAME_PART.test(piece))) return null;
  const lower = pieces.map((piece) => piece.toLowerCase());
  if (lower.length === 1) return { namespace: null, name: lower[0]!, matchIndex: null };
  return { namespace: lower[0]!, name: lower.slice(1).join('.'), matchIndex: null };
}

/** Whether `name` is a valid name for `set` (an identifier, or namespace.name). */
export function isVariableName(name: string): boolean {
  return name.split('.').every((piece) => NAME_PART.test(piece));
}
