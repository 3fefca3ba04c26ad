/**
 * The raw URIs a line of rendered text spells out, found as SpamAssassin 4.0.1's `_tbirdurire`
 * finds them (PerMsgStatus.pm, a hybrid of Thunderbird's and Outlook Express's linkifying): at
 * each place, in order, a known scheme or prefix (`http://`, `ftp://`, `www.`, `www1.`,
 * `ftp.`), then a mail address (`mailto:...` or `local@domain`), then a bare host name ending
 * in a TLD the rule files list, each running to the next delimiter; the search goes on after
 * each match, so an address inside a link is not found again.
 *
 * Written by hand, not as the regular expression: it has look-behinds, and its bare-host
 * branch backtracks over every dot of up to 252 characters. Here each branch is decided from
 * the run of characters it may take (each run's end known for every place of the line by one
 * pass from the right, made when a branch first asks), so the work is linear in the text: a
 * bare host's candidates are tried only from a place right after a delimiter that cannot be
 * part of a host, so the host runs tried never overlap.
 */

/** A table of the octets a pattern's character class holds (the text is octets). */
function octetClass(pattern: RegExp): Uint8Array {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++)
    table[code] = pattern.test(String.fromCharCode(code)) ? 1 : 0;
  return table;
}

const SPACES = '\\t\\n\\x0b\\f\\r \\x1b\\xa0';
/** Where a URI may end: `><"\`}]{[|`, white space, ESC and the no-break space. */
const END = octetClass(new RegExp(`[><"\`}\\]{[|${SPACES}]`));
/** Where an address may end: the above, `,`, `(`, `'` and any octet over 0x7F. */
const MAIL_END = octetClass(new RegExp(`[><"\`}\\]{[|${SPACES},('\\x80-\\xff]`));
/** Where an address's local part ends: where an address ends, or at its `@`. */
const LOCAL_END = octetClass(new RegExp(`[><"\`}\\]{[|${SPACES},('\\x80-\\xff@]`));
/** Where a URI may start besides a word boundary: `><"'\`,{[(|`, white space, ESC, no-break space. */
const START = octetClass(new RegExp(`[><"'\`,{[(|${SPACES}]`));
/** What may come right before a bare host name (or the text's start). */
const BARE_START = octetClass(new RegExp(`[!"#$&'()*+,/:;<=>?@[\\\\\\]^\`{|}~${SPACES}]`));
const WORD = octetClass(/[A-Za-z0-9_]/);
const NOT_HOST = octetClass(/[^A-Za-z0-9._-]/);
const NOT_TLD = octetClass(/[^A-Za-z0-9-]/);
const ALNUM = octetClass(/[A-Za-z0-9]/);

const isWord = (text: string, at: number) =>
  at >= 0 && at < text.length && WORD[text.charCodeAt(at)] === 1;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

const KNOWN_SCHEME = /^(?:(?:https?|ftp):\/\/|(?:www\d{0,2}|ftp)\.)/i;

/** One raw URI and how it was written: `host` is the bare host name of a schemeless one. */
export interface RawTextUri {
  readonly text: string;
  readonly kind: 'scheme' | 'mail' | 'schemeless';
  readonly host?: string;
}

/**
 * For each place, where the run of characters `ends` does not hold ends: the run's end, found
 * once from the right so that every branch reads it in constant time.
 */
function runEnds(text: string, ends: Uint8Array): Int32Array {
  const end = new Int32Array(text.length + 1);
  end[text.length] = text.length;
  for (let i = text.length - 1; i >= 0; i--) end[i] = ends[text.charCodeAt(i)] ? i : end[i + 1]!;
  return end;
}

const longest = new WeakMap<ReadonlySet<string>, number>();

/** The length of the longest TLD of a list, found once per list. */
function longestOf(tlds: ReadonlySet<string>): number {
  let length = longest.get(tlds);
  if (length === undefined) {
    length = 0;
    for (const tld of tlds) length = Math.max(length, tld.length);
    longest.set(tlds, length);
  }
  return length;
}

/** Scans one line of text; `tlds` holds the valid TLDs in lower case (`util_rb_tld`). */
export function rawTextUris(text: string, tlds: ReadonlySet<string>): RawTextUri[] {
  const found: RawTextUri[] = [];
  // Every branch needs a `.`, an `@` or a `:` (`://`, `mailto:`): most lines of text have none.
  if (!/[.@:]/.test(text)) return found;
  const hasAt = text.includes('@');
  // Each array is built on the first question it answers (a line without a link builds none).
  const lazily = (ends: Uint8Array) => {
    let built: Int32Array | undefined;
    return () => (built ??= runEnds(text, ends));
  };
  const uriEnd = lazily(END);
  const mailEnd = lazily(MAIL_END);
  const localEnd = lazily(LOCAL_END);
  const hostEnd = lazily(NOT_HOST);
  const tldEnd = lazily(NOT_TLD);
  const longestTld = longestOf(tlds);
  const endsHere = (at: number) => at === text.length || END[text.charCodeAt(at)] === 1;

  /** A run from `from` of 1 to `max` characters ending where `end` says, to a delimiter. */
  const run = (from: number, end: () => Int32Array, max: number) => {
    const to = end()[from]!;
    return to > from && to - from <= max ? to : -1;
  };

  const knownScheme = (at: number) => {
    if (!/[hfwHFW]/.test(text[at]!)) return -1;
    const prefix = KNOWN_SCHEME.exec(text.slice(at, at + 8));
    return prefix ? run(at + prefix[0].length, uriEnd, 2048) : -1;
  };

  const mail = (at: number) => {
    if (/[mM]/.test(text[at]!) && text.slice(at, at + 7).toLowerCase() === 'mailto:') {
      const to = run(at + 7, mailEnd, 2048);
      if (to >= 0) return to;
    }
    if (!hasAt) return -1;
    const at2 = run(at, localEnd, 251);
    return at2 >= 0 && text[at2] === '@' ? run(at2 + 1, mailEnd, 251) : -1;
  };

  /** After a host's TLD: an optional dot, an optional `:port`, an optional `/path`, a delimiter. */
  const tail = (from: number) => {
    for (const dot of text[from] === '.' ? [1, 0] : [0]) {
      const afterDot = from + dot;
      const ports: number[] = [];
      if (text[afterDot] === ':') {
        let digits = 0;
        while (digits < 5 && isDigit(text[afterDot + 1 + digits])) digits++;
        for (let n = digits; n >= 1; n--) ports.push(afterDot + 1 + n);
      }
      ports.push(afterDot);
      for (const afterPort of ports) {
        if (text[afterPort] === '/') {
          const to = run(afterPort + 1, uriEnd, 2048);
          if (to >= 0) return to;
        }
        if (endsHere(afterPort)) return afterPort;
      }
    }
    return -1;
  };

  /** A bare host name: the longest one (of at most 252 characters before its TLD) a tail follows. */
  const schemeless = (at: number): [end: number, host: string] | null => {
    if (ALNUM[text.charCodeAt(at)] !== 1) return null;
    const last = Math.min(hostEnd()[at]! - 1, at + 252);
    for (let dot = last; dot > at; dot--) {
      if (text[dot] !== '.') continue;
      const tldStart = dot + 1;
      const tldStop = tldEnd()[tldStart]!;
      if (tldStop === tldStart || tldStop - tldStart > longestTld) continue;
      if (!tlds.has(text.slice(tldStart, tldStop).toLowerCase())) continue;
      if (text[tldStop] === '.' && ALNUM[text.charCodeAt(tldStop + 1)] === 1) continue;
      const to = tail(tldStop);
      if (to >= 0) return [to, text.slice(at, tldStop)];
    }
    return null;
  };

  for (let at = 0; at < text.length;) {
    const before = at > 0 ? text.charCodeAt(at - 1) : -1;
    const boundary =
      isWord(text, at - 1) !== isWord(text, at) ||
      START[before] === 1 ||
      (at >= 3 && text[at - 3] === '\x1b' && text[at - 2] === '(' && text[at - 1] !== '\n');
    if (boundary) {
      let to = knownScheme(at);
      if (to >= 0) found.push({ text: text.slice(at, to), kind: 'scheme' });
      else if ((to = mail(at)) >= 0) found.push({ text: text.slice(at, to), kind: 'mail' });
      else if (at === 0 || BARE_START[before] === 1) {
        const bare = schemeless(at);
        if (bare) {
          to = bare[0];
          found.push({ text: text.slice(at, to), kind: 'schemeless', host: bare[1] });
        }
      }
      if (to > at) {
        at = to;
        continue;
      }
    }
    at++;
  }
  return found;
}
