/**
 * A POP3 command as the client sent it: RFC 1939 (USER, PASS, APOP, STAT, LIST, RETR, DELE,
 * NOOP, RSET, QUIT, TOP, UIDL), RFC 2449 (CAPA), RFC 5034 (AUTH), RFC 2595 (STLS) and RFC 6856
 * (UTF8). Message numbers are as sent; whether one exists is the session's business.
 */
export type Pop3Command =
  | { readonly name: 'USER'; readonly user: string }
  | { readonly name: 'PASS'; readonly password: string }
  | { readonly name: 'APOP'; readonly user: string; readonly digest: string }
  | { readonly name: 'STAT' }
  | { readonly name: 'LIST'; readonly message?: number }
  | { readonly name: 'RETR'; readonly message: number }
  | { readonly name: 'DELE'; readonly message: number }
  | { readonly name: 'NOOP' }
  | { readonly name: 'RSET' }
  | { readonly name: 'QUIT' }
  | { readonly name: 'TOP'; readonly message: number; readonly lines: number }
  | { readonly name: 'UIDL'; readonly message?: number }
  | { readonly name: 'CAPA' }
  | { readonly name: 'AUTH'; readonly mechanism?: string; readonly initialResponse?: string }
  | { readonly name: 'STLS' }
  | { readonly name: 'UTF8' };

export type Pop3CommandName = Pop3Command['name'];

export type ParsedCommand =
  | { readonly ok: true; readonly command: Pop3Command }
  | {
      readonly ok: false;
      /** The keyword in upper case (`''` for an empty line), for logs and counting. */
      readonly keyword: string;
      /** `unknown`: not a command we know; `syntax`: a known command with bad arguments. */
      readonly reason: 'unknown' | 'syntax';
      /** What to tell the client after `-ERR`. */
      readonly message: string;
    };

const KNOWN = new Set<string>([
  'USER',
  'PASS',
  'APOP',
  'STAT',
  'LIST',
  'RETR',
  'DELE',
  'NOOP',
  'RSET',
  'QUIT',
  'TOP',
  'UIDL',
  'CAPA',
  'AUTH',
  'STLS',
  'UTF8',
]);

/** Digits of a message number: 10 covers every 32-bit number; longer is not a message number. */
const MESSAGE_NUMBER = /^[0-9]{1,10}$/;
/**
 * TOP's line count: any run of digits is a non-negative number (RFC 1939); one beyond what a
 * body can hold means the whole body, so big ones are capped rather than refused.
 */
const LINE_COUNT = /^[0-9]+$/;
/** Control characters other than tab (and DEL) have no place in a command line. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one command line (without its line ending). Keywords are case-insensitive; arguments
 * are separated by spaces (RFC 1939 says one; runs are tolerated); PASS takes the rest of the
 * line verbatim, since passwords may hold spaces (RFC 1939 section 7); commands without
 * arguments ignore any they are given. Never throws.
 */
export function parseCommand(line: Uint8Array): ParsedCommand {
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    return syntax(keywordOf(line), 'command line is not valid UTF-8');
  }
  const space = text.indexOf(' ');
  const keyword = (space < 0 ? text : text.slice(0, space)).toUpperCase();
  if (CONTROL.test(text)) return syntax(KNOWN.has(keyword) ? keyword : '', 'control characters');
  if (!KNOWN.has(keyword)) {
    return {
      ok: false,
      keyword: /^[\x21-\x7e]{1,16}$/.test(keyword) ? keyword : '',
      reason: 'unknown',
      message: keyword === '' ? 'empty command' : 'unknown command',
    };
  }
  const rest = space < 0 ? '' : text.slice(space + 1);
  if (keyword === 'PASS') {
    return rest === ''
      ? syntax(keyword, 'PASS needs a password')
      : ok({ name: 'PASS', password: rest });
  }
  const args = rest.split(' ').filter((arg) => arg !== '');
  switch (keyword) {
    case 'USER':
      return args.length === 1
        ? ok({ name: 'USER', user: args[0]! })
        : syntax(keyword, 'USER needs one name');
    case 'APOP': {
      if (args.length !== 2 || !/^[0-9a-fA-F]{32}$/.test(args[1]!)) {
        return syntax(keyword, 'APOP needs a name and a 32-digit MD5 digest');
      }
      return ok({ name: 'APOP', user: args[0]!, digest: args[1]!.toLowerCase() });
    }
    case 'LIST':
    case 'UIDL': {
      if (args.length === 0) return ok({ name: keyword });
      const message = args.length === 1 ? messageNumber(args[0]!) : null;
      return message === null
        ? syntax(keyword, `${keyword} takes at most one message number`)
        : ok({ name: keyword, message });
    }
    case 'RETR':
    case 'DELE': {
      const message = args.length === 1 ? messageNumber(args[0]!) : null;
      return message === null
        ? syntax(keyword, `${keyword} needs a message number`)
        : ok({ name: keyword, message });
    }
    case 'TOP': {
      const message = args.length === 2 ? messageNumber(args[0]!) : null;
      const lines =
        args.length === 2 && LINE_COUNT.test(args[1]!)
          ? Math.min(Number(args[1]), Number.MAX_SAFE_INTEGER)
          : null;
      return message === null || lines === null
        ? syntax(keyword, 'TOP needs a message number and a line count')
        : ok({ name: 'TOP', message, lines });
    }
    case 'AUTH': {
      if (args.length > 2) return syntax(keyword, 'AUTH takes a mechanism and an initial response');
      if (args.length === 0) return ok({ name: 'AUTH' });
      if (!/^[A-Za-z0-9_-]{1,20}$/.test(args[0]!)) return syntax(keyword, 'not a SASL mechanism');
      return ok(
        args.length === 2
          ? { name: 'AUTH', mechanism: args[0]!.toUpperCase(), initialResponse: args[1]! }
          : { name: 'AUTH', mechanism: args[0]!.toUpperCase() },
      );
    }
    default:
      // STAT NOOP RSET QUIT CAPA STLS UTF8 take no arguments, and words after them are ignored:
      // the RFCs do not say what such a line means, and Dovecot runs the command.
      return ok({ name: keyword as 'STAT' | 'NOOP' | 'RSET' | 'QUIT' | 'CAPA' | 'STLS' | 'UTF8' });
  }
}

function messageNumber(arg: string): number | null {
  return MESSAGE_NUMBER.test(arg) ? Number(arg) : null;
}

function keywordOf(line: Uint8Array): string {
  const end = line.indexOf(0x20);
  const head = Buffer.from(line.subarray(0, end < 0 ? line.length : end)).toString('latin1');
  const keyword = head.toUpperCase();
  return KNOWN.has(keyword) ? keyword : '';
}

function ok(command: Pop3Command): ParsedCommand {
  return { ok: true, command };
}

function syntax(keyword: string, message: string): ParsedCommand {
  return { ok: false, keyword, reason: 'syntax', message };
}
