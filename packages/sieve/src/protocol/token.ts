import type { SourcePosition } from './diagnostic.js';

/** The lexical items of RFC 5228 section 8.1. */
export type Token =
  | (SourcePosition & { readonly kind: 'identifier'; readonly name: string })
  | (SourcePosition & { readonly kind: 'tag'; readonly name: string })
  | (SourcePosition & { readonly kind: 'number'; readonly value: number })
  | (SourcePosition & {
      readonly kind: 'string';
      readonly value: string;
      readonly multiline: boolean;
    })
  | (SourcePosition & { readonly kind: Punctuation })
  | (SourcePosition & { readonly kind: 'end' });

export type Punctuation = '[' | ']' | '{' | '}' | '(' | ')' | ',' | ';';

export type TokenKind = Token['kind'];

/** How a token is named in error messages. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'identifier':
      return `identifier '${token.name}'`;
    case 'tag':
      return `tag ':${token.name}'`;
    case 'number':
      return `number ${token.value}`;
    case 'string':
      return 'string';
    case 'end':
      return 'end of script';
    default:
      return `'${token.kind}'`;
  }
}
