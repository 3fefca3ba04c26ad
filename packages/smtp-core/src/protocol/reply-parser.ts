import type { SmtpReply } from './smtp-reply.js';

/**
 * The client side of the wire: replies (RFC 5321 section 4.2) as they arrive, a byte at a time or
 * many replies at once (PIPELINING), and the EHLO keywords in them. A reply line is
 * `DDD<SP>text` or, for all but the last line of a multi-line reply, `DDD-text`.
 */

export interface ReplyParserLimits {
  /**
   * Octets of one reply line, line ending included. RFC 5321 4.5.3.1.5 sets 512, but servers
   * send longer lines in practice (long EHLO lists, verbose rejections), so the default allows
   * 4096: enough for anything real, bounded against a server that never sends a line break.
   */
  readonly lineLength: number;
  /** Lines in one reply; the default, 256, is far beyond any EHLO answer seen in the wild. */
  readonly lines: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyParserLimits = { lineLength: 4096, lines: 256 };

/** Why a reply could not be read. After one, the stream is out of step: close the connection. */
export type ReplyError =
  | 'line-too-long'
  | 'too-many-lines'
  | 'bad-syntax'
  /** A continuation line whose code differs from the first line's. */
  | 'inconsistent-code';

export type ReplyEvent =
  | { readonly kind: 'reply'; readonly reply: SmtpReply }
  | { readonly kind: 'error'; readonly error: ReplyError; readonly line: string };

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

/**
 * Incremental reply reader. `push` returns every reply completed by the bytes given. Line ends
 * may be CRLF or a bare LF (servers that get it wrong still mean a line end). Memory is bounded by
 * the limits: an overlong line is reported as soon as it passes the limit and the rest of it is
 * dropped as it streams in, never buffered whole.
 */
export class ReplyParser {
  private readonly limits: ReplyParserLimits;
  private line: number[] = [];
  private overlong = false;
  private code: number | null = null;
  private lines: string[] = [];

  constructor(limits: Partial<ReplyParserLimits> = {}) {
    this.limits = { ...DEFAULT_REPLY_LIMITS, ...limits };
  }

  /** Whether part of a reply has arrived but not its end. */
  get pending(): boolean {
    return this.line.length > 0 || this.overlong || this.lines.length > 0;
  }

  push(bytes: Uint8Array): ReplyEvent[] {
    const events: ReplyEvent[] = [];
    for (const byte of bytes) {
      if (byte === 0x0a) {
        if (this.overlong) {
          this.overlong = false;
          continue;
        }
        const event = this.endLine();
        if (event) events.push(event);
        continue;
      }
      if (this.overlong) continue;
      if (this.line.length >= this.limits.lineLength - 1) {
        // Said at once, not at the line's end: a server may never send one.
        this.overlong = true;
        this.line = [];
        this.reset();
        events.push({ kind: 'error', error: 'line-too-long', line: '' });
        continue;
      }
      this.line.push(byte);
    }
    return events;
  }

  private endLine(): ReplyEvent | null {
    const raw = this.line;
    this.line = [];
    if (raw[raw.length - 1] === 0x0d) raw.pop();
    const text = cleanText(Buffer.from(raw).toString('utf8'));
    const match = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s.exec(text);
    if (!match) {
      this.reset();
      return { kind: 'error', error: 'bad-syntax', line: text };
    }
    const code = Number(match[1]);
    if (this.code !== null && code !== this.code) {
      this.reset();
      return { kind: 'error', error: 'inconsistent-code', line: text };
    }
    this.code = code;
    this.lines.push(match[3] ?? '');
    if (match[2] === '-') {
      if (this.lines.length >= this.limits.lines) {
        this.reset();
        return { kind: 'error', error: 'too-many-lines', line: text };
      }
      return null;
    }
    const reply = buildReply(code, this.lines);
    this.reset();
    return { kind: 'reply', reply };
  }

  private reset(): void {
    this.code = null;
    this.lines = [];
  }
}

/** Control characters in reply text become U+FFFD, so that nothing a server says can forge log or DSN lines. */
function cleanText(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '\uFFFD');
}

/**
 * The enhanced status code (RFC 3463) is taken from the first line when its class matches the
 * reply's first digit, and removed from every line that repeats it (RFC 2034 section 3).
 */
function buildReply(code: number, lines: readonly string[]): SmtpReply {
  const match = ENHANCED.exec(lines[0] ?? '');
  if (!match || Number(match[1]) !== Math.floor(code / 100)) return { code, lines: [...lines] };
  const enhanced = `${match[1]}.${Number(match[2])}.${Number(match[3])}`;
  const stripped = lines.map((line) => {
    const own = ENHANCED.exec(line);
    return own ? line.slice(own[0].length) : line;
  });
  return { code, enhanced, lines: stripped };
}

/** The text of a reply on one line, as logs and Diagnostic-Code fields show it. */
export function replyText(reply: SmtpReply): string {
  const text = reply.lines.join(' ').trim();
  return `${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''}${text ? ` ${text}` : ''}`;
}

/** What a server's EHLO (or LHLO) reply says it can do (RFC 5321 4.1.1.1). */
export interface ServerCapabilities {
  /** The name the server gave on the first line. */
  readonly domain: string;
  /** Keywords in upper case, each with its parameters as sent. */
  readonly extensions: ReadonlyMap<string, readonly string[]>;
}

/** Reads the EHLO keywords of a 250 reply; lines that are not `keyword *(SP param)` are ignored. */
export function parseEhloReply(reply: SmtpReply): ServerCapabilities {
  const [first = '', ...rest] = reply.lines;
  const extensions = new Map<string, string[]>();
  for (const line of rest) {
    // Old servers wrote `AUTH=LOGIN PLAIN` before RFC 2554 was final; read it as AUTH.
    const words = line.trim().split(/[ \t]+/);
    let keyword = (words.shift() ?? '').toUpperCase();
    if (keyword.startsWith('AUTH=')) {
      words.unshift(keyword.slice(5));
      keyword = 'AUTH';
    }
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(keyword)) continue;
    const params = words.filter((word) => word.length > 0);
    const known = extensions.get(keyword);
    if (known) {
      for (const param of params) if (!known.includes(param)) known.push(param);
    } else {
      extensions.set(keyword, params);
    }
  }
  return { domain: first.trim().split(/\s+/)[0] ?? '', extensions };
}

/**
 * The SIZE limit (RFC 1870): a number of octets, 0 for "no fixed limit" (SIZE without a number or
 * with 0), or null when SIZE is not offered.
 */
export function sizeLimit(capabilities: ServerCapabilities): number | null {
  const params = capabilities.extensions.get('SIZE');
  if (!params) return null;
  const value = Number(params[0] ?? '0');
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/** SASL mechanisms the server offers, upper case, in its order. */
export function authMechanisms(capabilities: ServerCapabilities): string[] {
  return (capabilities.extensions.get('AUTH') ?? []).map((mechanism) => mechanism.toUpperCase());
}
