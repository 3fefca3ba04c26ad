import type { EnvelopeRecipient } from '../envelope.js';
import { isAddressLiteral, isDomain, readPath } from './path-syntax.js';
import type { SmtpReply } from './smtp-reply.js';
import { decodeXtext } from './xtext.js';

/** MAIL FROM parameters this server understands (RFC 1870, 6152, 3030, 6531, 3461, 4954, 8689). */
export interface MailParameters {
  readonly size?: number;
  readonly body?: '7BIT' | '8BITMIME' | 'BINARYMIME';
  readonly smtpUtf8?: boolean;
  readonly ret?: 'FULL' | 'HDRS';
  readonly envelopeId?: string;
  /** `AUTH=` decoded from xtext; `''` for `AUTH=<>`. */
  readonly auth?: string;
  readonly requireTls?: boolean;
}

/** RCPT TO parameters (RFC 3461). */
export interface RcptParameters {
  readonly notify?: EnvelopeRecipient['notify'];
  readonly originalRecipient?: string;
}

export type SmtpCommand =
  | { readonly verb: 'EHLO' | 'HELO' | 'LHLO'; readonly domain: string }
  | {
      readonly verb: 'MAIL';
      readonly address: string;
      readonly parameters: MailParameters;
      readonly nonAscii: boolean;
    }
  | {
      readonly verb: 'RCPT';
      readonly address: string;
      readonly parameters: RcptParameters;
      readonly nonAscii: boolean;
    }
  | { readonly verb: 'DATA' | 'RSET' | 'NOOP' | 'QUIT' | 'STARTTLS' | 'HELP' }
  | { readonly verb: 'VRFY' | 'EXPN'; readonly argument: string }
  | { readonly verb: 'ETRN'; readonly node: string }
  | { readonly verb: 'AUTH'; readonly mechanism: string; readonly initialResponse?: string }
  | { readonly verb: 'BDAT'; readonly size: number; readonly last: boolean }
  | { readonly verb: 'unknown'; readonly name: string }
  /** A line of another protocol or of a message: an HTTP request, a header field. */
  | { readonly verb: 'non-smtp'; readonly name: string }
  | {
      readonly verb: 'error';
      readonly reply: SmtpReply;
      /**
       * What follows the line can no longer be told apart from commands (a BDAT whose chunk size
       * cannot be read): the session must close rather than read message bytes as commands.
       */
      readonly fatal?: boolean;
    };

const syntax = (text: string, enhanced = '5.5.4'): SmtpCommand => ({
  verb: 'error',
  reply: { code: 501, enhanced, lines: [text] },
});

/**
 * Verbs no SMTP client sends: HTTP's (a browser led to our port) and header field names (message
 * text pipelined behind a refused DATA), as Postfix's smtpd recognises them.
 */
const NON_SMTP = /^(?:CONNECT|GET|POST|[\x21-\x39\x3b-\x7e]+:.*)$/;

/** Significant digits a BDAT chunk size may have: beyond them no chunk can be counted exactly. */
const MAX_CHUNK_DIGITS = 15;

/**
 * One command line (without its CRLF) as a typed command, or the reply that refuses it. Verbs are
 * case-insensitive (RFC 5321 2.4); arguments are checked as strictly as the RFCs write them.
 */
export function parseCommand(line: string): SmtpCommand {
  if (line.includes('\0')) return syntax('NUL in command', '5.5.2');
  const space = line.indexOf(' ');
  const name = (space < 0 ? line : line.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : line.slice(space + 1);
  switch (name) {
    case 'EHLO':
    case 'HELO':
    case 'LHLO':
      return hello(name, rest.trim());
    case 'MAIL':
      return mail(rest);
    case 'RCPT':
      return rcpt(rest);
    case 'DATA':
    case 'RSET':
    case 'QUIT':
    case 'STARTTLS':
      // RFC 5321 4.1.1.4 and friends: these take no argument.
      return rest.trim() === '' ? { verb: name } : syntax(`${name} takes no argument`);
    case 'NOOP':
    case 'HELP':
      return { verb: name }; // the argument is allowed and ignored (RFC 5321 4.1.1.8, 4.1.1.9)
    case 'VRFY':
    case 'EXPN':
      return rest.trim() === ''
        ? syntax(`${name} needs an argument`)
        : { verb: name, argument: rest.trim() };
    case 'ETRN':
      return etrn(rest.trim());
    case 'AUTH':
      return auth(rest);
    case 'BDAT':
      return bdat(rest);
    default:
      return NON_SMTP.test(name) ? { verb: 'non-smtp', name } : { verb: 'unknown', name };
  }
}

function hello(verb: 'EHLO' | 'HELO' | 'LHLO', domain: string): SmtpCommand {
  if (domain === '') return syntax(`${verb} needs a domain or address literal`);
  // RFC 5321 4.1.4: a client name that isn't a domain is logged, not refused; only a name with
  // spaces or control characters is nonsense we won't carry into a Received header.
  if (/[\s\x00-\x1f\x7f]/.test(domain)) return syntax('Bad domain name');
  if (!isDomain(domain) && !isAddressLiteral(domain) && !/^[\x21-\x7e]+$/.test(domain)) {
    return syntax('Bad domain name');
  }
  return { verb, domain };
}

function mail(rest: string): SmtpCommand {
  const start = prefix(rest, 'FROM:');
  if (start < 0 || start === rest.length) return syntax('Syntax: MAIL FROM:<address> [parameters]');
  const path = readPath(rest, start, { allowNull: true, allowPostmaster: false });
  if (!path.ok) return syntax(`Bad sender address syntax (${path.reason})`, '5.1.7');
  if (!endsPath(rest, path.end)) return syntax('Bad sender address syntax', '5.1.7');
  const parameters = readParameters(rest.slice(path.end));
  if (!Array.isArray(parameters)) return parameters;
  const result: { -readonly [K in keyof MailParameters]: MailParameters[K] } = {};
  for (const [key, value] of parameters) {
    switch (key) {
      case 'SIZE':
        if (value === undefined || !/^\d{1,20}$/.test(value)) return syntax('Bad SIZE value');
        result.size = Number(value);
        break;
      case 'BODY': {
        if (value === undefined) return syntax('Bad BODY value');
        const body = value.toUpperCase();
        // BODY's values grow with extensions (RFC 6152, RFC 3030): one we lack is unsupported.
        if (body !== '7BIT' && body !== '8BITMIME' && body !== 'BINARYMIME')
          return unknownParameter(`BODY=${value}`);
        result.body = body;
        break;
      }
      case 'SMTPUTF8':
        if (value !== undefined) return syntax('SMTPUTF8 takes no value');
        result.smtpUtf8 = true;
        break;
      case 'REQUIRETLS':
        if (value !== undefined) return syntax('REQUIRETLS takes no value');
        result.requireTls = true;
        break;
      case 'RET': {
        const ret = value?.toUpperCase();
        if (ret !== 'FULL' && ret !== 'HDRS') return syntax('Bad RET value');
        result.ret = ret;
        break;
      }
      case 'ENVID': {
        const envelopeId = value === undefined ? null : decodeDsnText(value);
        if (envelopeId === null || envelopeId.length > 100) return syntax('Bad ENVID value');
        result.envelopeId = envelopeId;
        break;
      }
      case 'AUTH': {
        const submitter = value === undefined ? null : decodeXtext(value);
        if (submitter === null) return syntax('Bad AUTH value');
        result.auth = submitter === '<>' ? '' : submitter;
        break;
      }
      default:
        return unknownParameter(key);
    }
  }
  return { verb: 'MAIL', address: path.address, parameters: result, nonAscii: path.nonAscii };
}

function rcpt(rest: string): SmtpCommand {
  const start = prefix(rest, 'TO:');
  if (start < 0 || start === rest.length) return syntax('Syntax: RCPT TO:<address> [parameters]');
  const path = readPath(rest, start, { allowNull: false, allowPostmaster: true });
  if (!path.ok) return syntax(`Bad recipient address syntax (${path.reason})`, '5.1.3');
  if (!endsPath(rest, path.end)) return syntax('Bad recipient address syntax', '5.1.3');
  const parameters = readParameters(rest.slice(path.end));
  if (!Array.isArray(parameters)) return parameters;
  const result: { -readonly [K in keyof RcptParameters]: RcptParameters[K] } = {};
  for (const [key, value] of parameters) {
    switch (key) {
      case 'NOTIFY': {
        const notify = parseNotify(value);
        if (!notify) return syntax('Bad NOTIFY value');
        result.notify = notify;
        break;
      }
      case 'ORCPT': {
        const semicolon = value?.indexOf(';') ?? -1;
        const original = semicolon > 0 ? decodeDsnText(value!.slice(semicolon + 1)) : null;
        if (original === null || !/^[A-Za-z0-9-]+$/.test(value!.slice(0, semicolon))) {
          return syntax('Bad ORCPT value');
        }
        result.originalRecipient = `${value!.slice(0, semicolon)};${original}`;
        break;
      }
      default:
        return unknownParameter(key);
    }
  }
  return { verb: 'RCPT', address: path.address, parameters: result, nonAscii: path.nonAscii };
}

function parseNotify(value: string | undefined): EnvelopeRecipient['notify'] | null {
  if (value === undefined) return null;
  const words = value.toUpperCase().split(',');
  if (words.length === 1 && words[0] === 'NEVER') return 'NEVER';
  const allowed = new Set(['SUCCESS', 'FAILURE', 'DELAY']);
  if (!words.every((word) => allowed.has(word))) return null;
  // RFC 3461 4.1's `1#notify-list-element` lets a word repeat; it means the same once.
  return [...new Set(words)] as ('SUCCESS' | 'FAILURE' | 'DELAY')[];
}

/** ENVID and ORCPT text: xtext standing for printable characters only (RFC 3461 4.2, 4.4), so
 *  that no CR, LF or NUL rides along into a DSN, a log line or a queue file. */
function decodeDsnText(xtext: string): string | null {
  const text = decodeXtext(xtext);
  return text === null || /[\x00-\x08\x0a-\x1f\x7f]/.test(text) ? null : text;
}

function etrn(node: string): SmtpCommand {
  // RFC 1985 5: `domain`, `@domain` (with subdomains) or `#queue`.
  const name = node.startsWith('@') || node.startsWith('#') ? node.slice(1) : node;
  if (name === '' || (node.startsWith('#') ? !/^[\x21-\x7e]+$/.test(name) : !isDomain(name))) {
    return syntax('Syntax: ETRN [@|#]node');
  }
  return { verb: 'ETRN', node };
}

function auth(rest: string): SmtpCommand {
  const words = rest.trim().split(' ');
  const mechanism = words[0]?.toUpperCase() ?? '';
  if (!/^[A-Z0-9_-]{1,20}$/.test(mechanism) || words.length > 2)
    return syntax('Syntax: AUTH mechanism [initial-response]');
  return words[1] === undefined
    ? { verb: 'AUTH', mechanism }
    : { verb: 'AUTH', mechanism, initialResponse: words[1] };
}

/**
 * `BDAT chunk-size [LAST]`, chunk-size being `1*DIGIT` (RFC 3030 2), so leading zeros included.
 * A size that cannot be read, or counted, leaves no way to find where the chunk ends: fatal.
 */
function bdat(rest: string): SmtpCommand {
  const match = /^0*(\d+)(?: (LAST))?$/i.exec(rest.trim());
  if (!match) {
    return {
      verb: 'error',
      reply: { code: 501, enhanced: '5.5.4', lines: ['Syntax: BDAT size [LAST]'] },
      fatal: true,
    };
  }
  if (match[1]!.length > MAX_CHUNK_DIGITS) {
    return {
      verb: 'error',
      reply: { code: 552, enhanced: '5.3.4', lines: ['Chunk too big'] },
      fatal: true,
    };
  }
  return { verb: 'BDAT', size: Number(match[1]), last: match[2] !== undefined };
}

/** Where the path starts after `FROM:` / `TO:` (case-insensitive; spaces before `<` tolerated, as
 *  many clients send them and RFC 5321 appendix F.? leaves servers to be liberal there). */
function prefix(rest: string, keyword: string): number {
  if (rest.slice(0, keyword.length).toUpperCase() !== keyword) return -1;
  let at = keyword.length;
  while (rest[at] === ' ') at++;
  return at;
}

/** Whether the path read ends the address: parameters, if any, are a space away (RFC 5321
 *  4.1.1.2); `<a@b.example>x` is a mangled address, not an address and a parameter. */
function endsPath(text: string, end: number): boolean {
  return end === text.length || text[end] === ' ';
}

/** `KEY[=value]` words after the path (RFC 5321 4.1.2 Mail-parameters), keys upper-cased. */
function readParameters(text: string): [string, string | undefined][] | SmtpCommand {
  const seen = new Set<string>();
  const result: [string, string | undefined][] = [];
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const equals = word.indexOf('=');
    const key = (equals < 0 ? word : word.slice(0, equals)).toUpperCase();
    const value = equals < 0 ? undefined : word.slice(equals + 1);
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(key) || value === '') return syntax('Bad parameter syntax');
    if (value !== undefined && !/^[\x21-\x3c\x3e-\x7e\u0080-\uFFFF]+$/u.test(value))
      return syntax('Bad parameter value');
    if (seen.has(key)) return syntax(`Parameter ${key} given twice`);
    seen.add(key);
    result.push([key, value]);
  }
  return result;
}

function unknownParameter(key: string): SmtpCommand {
  return {
    verb: 'error',
    reply: { code: 555, enhanced: '5.5.4', lines: [`Unsupported parameter ${key}`] },
  };
}
