import type { Token } from './command-reader.js';

/** A command as RFC 5804 2 defines it, its arguments read and typed. */
export type ManageSieveCommand =
  | {
      readonly name: 'AUTHENTICATE';
      readonly mechanism: string;
      /** As the client sent it: base64, or `""` for an empty initial response. */
      readonly initialResponse?: string;
    }
  | { readonly name: 'STARTTLS' }
  | { readonly name: 'LOGOUT' }
  | { readonly name: 'CAPABILITY' }
  | { readonly name: 'UNAUTHENTICATE' }
  | { readonly name: 'LISTSCRIPTS' }
  | { readonly name: 'NOOP'; readonly tag?: Uint8Array }
  | { readonly name: 'HAVESPACE'; readonly script: Uint8Array; readonly size: number }
  | { readonly name: 'PUTSCRIPT'; readonly script: Uint8Array; readonly content: Buffer }
  | { readonly name: 'CHECKSCRIPT'; readonly content: Buffer }
  | { readonly name: 'GETSCRIPT'; readonly script: Uint8Array }
  | { readonly name: 'DELETESCRIPT'; readonly script: Uint8Array }
  /** An empty name deactivates (RFC 5804 2.8). */
  | { readonly name: 'SETACTIVE'; readonly script: Uint8Array }
  | { readonly name: 'RENAMESCRIPT'; readonly from: Uint8Array; readonly to: Uint8Array };

export type ManageSieveCommandName = ManageSieveCommand['name'];

export type ParsedCommand =
  | { readonly ok: true; readonly command: ManageSieveCommand }
  | {
      readonly ok: false;
      /** `unknown`: no such command; `syntax`: a known one with the wrong arguments. */
      readonly reason: 'unknown' | 'syntax';
      readonly name: string | null;
      readonly message: string;
    };

/** What each command takes: `s` a string, `n` a number; optional ones after a `?`. */
const SIGNATURES: Readonly<Record<ManageSieveCommandName, string>> = {
  AUTHENTICATE: 's?s',
  STARTTLS: '',
  LOGOUT: '',
  CAPABILITY: '',
  UNAUTHENTICATE: '',
  LISTSCRIPTS: '',
  NOOP: '?s',
  HAVESPACE: 'sn',
  PUTSCRIPT: 'ss',
  CHECKSCRIPT: 's',
  GETSCRIPT: 's',
  DELETESCRIPT: 's',
  SETACTIVE: 's',
  RENAMESCRIPT: 'ss',
};

/** RFC 5804 4: `number = 1*DIGIT ; A 32-bit unsigned number`. */
const MAX_NUMBER = 4_294_967_295;

/** Reads a line's tokens as a command (names are case-insensitive, RFC 5804 4). */
export function parseCommand(tokens: readonly Token[]): ParsedCommand {
  const first = tokens[0];
  if (first?.kind !== 'atom') {
    return { ok: false, reason: 'unknown', name: null, message: 'Expected a command' };
  }
  const name = first.text.toUpperCase();
  if (!Object.hasOwn(SIGNATURES, name)) {
    return { ok: false, reason: 'unknown', name, message: 'Unknown command' };
  }
  const signature = SIGNATURES[name as ManageSieveCommandName];
  const required = signature.split('?')[0]!.length;
  const kinds = signature.replace('?', '');
  const args = tokens.slice(1);
  const bad = (message: string): ParsedCommand => ({ ok: false, reason: 'syntax', name, message });
  if (args.length < required || args.length > kinds.length) return bad('Wrong number of arguments');
  const strings: Buffer[] = [];
  let number = 0;
  for (const [i, arg] of args.entries()) {
    if (kinds[i] === 's') {
      if (arg.kind !== 'string') return bad('Expected a string');
      strings.push(arg.bytes);
    } else {
      if (arg.kind !== 'atom' || !/^\d{1,10}$/.test(arg.text) || Number(arg.text) > MAX_NUMBER) {
        return bad('Expected a number');
      }
      number = Number(arg.text);
    }
  }
  const command = build(name as ManageSieveCommandName, strings, number);
  return command ? { ok: true, command } : bad('Invalid arguments');
}

function build(
  name: ManageSieveCommandName,
  s: Buffer[],
  number: number,
): ManageSieveCommand | null {
  switch (name) {
    case 'AUTHENTICATE': {
      const mechanism = s[0]!.toString('latin1');
      if (!/^[A-Za-z0-9_-]{1,20}$/.test(mechanism)) return null;
      return s[1] === undefined
        ? { name, mechanism }
        : { name, mechanism, initialResponse: s[1].toString('latin1') };
    }
    case 'STARTTLS':
    case 'LOGOUT':
    case 'CAPABILITY':
    case 'UNAUTHENTICATE':
    case 'LISTSCRIPTS':
      return { name };
    case 'NOOP':
      return s[0] === undefined ? { name } : { name, tag: s[0] };
    case 'HAVESPACE':
      return { name, script: s[0]!, size: number };
    case 'PUTSCRIPT':
      return { name, script: s[0]!, content: s[1]! };
    case 'CHECKSCRIPT':
      return { name, content: s[0]! };
    case 'GETSCRIPT':
    case 'DELETESCRIPT':
    case 'SETACTIVE':
      return { name, script: s[0]! };
    case 'RENAMESCRIPT':
      return { name, from: s[0]!, to: s[1]! };
  }
}
