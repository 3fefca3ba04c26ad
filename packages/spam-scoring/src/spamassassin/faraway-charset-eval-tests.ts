import { type MimePart, isMultipart } from '@mailyard/mime';
import type { SaConfig } from './cf-parser.js';
import type { SaMessageView } from './message-view.js';

/**
 * The "faraway charset" tests: text in a character set of a locale the site did not list in
 * `ok_locales` (CHARSET_FARAWAY, CHARSET_FARAWAY_HEADER, __MIME_CHARSET_FARAWAY,
 * __HTML_CHARSET_FARAWAY). SpamAssassin's default, `ok_locales all`, allows every set: then
 * none of them fires, whatever the message. SpamAssassin also adds the locale of the process
 * that runs it (LC_ALL, LANGUAGE, LC_MESSAGES or LANG) to the list; Mailyard reads no process
 * environment, so a site lists its own locale in `ok_locales`.
 */

type SaEval = (view: SaMessageView) => number;

/** Locales.pm's `%charsets_for_locale`: the sets that are no longer faraway for a locale. */
const CYRILLIC = ['KOI8R', 'KOI8U', 'KOI8T', 'ISOIR111', 'CP1251', 'GEORGIANPS', 'PT154', 'CP866'];
const CHARSETS_FOR_LOCALE: Readonly<Record<string, readonly string[]>> = {
  ja: [
    'EUCJP',
    'JISX020119760',
    'JISX020819830',
    'JISX020819900',
    'JISX020819970',
    'JISX021219900',
    'JISX021320001',
    'JISX021320002',
    'SHIFT_JIS',
    'SHIFTJIS',
    'ISO2022JP',
    'SJIS',
    'JIS7',
    'JISX0201',
    'JISX0208',
    'JISX0212',
  ],
  ko: ['EUCKR', 'KSC56011987'],
  ru: CYRILLIC,
  ka: CYRILLIC,
  tg: CYRILLIC,
  be: CYRILLIC,
  uk: CYRILLIC,
  bg: CYRILLIC,
  th: ['TIS620'],
  zh: [
    'GB1988',
    'GB2312',
    'GB231219800',
    'GB18030',
    'GBK',
    'BIG5HKSCS',
    'BIG5',
    'EUCTW',
    'ISO2022CN',
  ],
};

/** The sets every locale reads (Western, Unicode, Windows code pages), by their normalized name. */
const EVERYWHERE =
  /^(?:USASCII$|ASCII$|ISO8859|ISO10646|UTF|UCS|CP125|WINDOWS|IBM852$|UNICODE11UTF[78]|XUNKNOWN$|ISO$)/;

/**
 * Locales.pm's `is_charset_ok_for_locales`: the set's name in capitals and digits alone (a `3D`
 * that quoted-printable left before it dropped) is one every locale reads, or one of a listed
 * locale's (`zh_TW` counts as `zh`; `C` as `en`, which has none of its own).
 */
export function isCharsetOkForLocales(charset: string, locales: readonly string[]): boolean {
  const name = charset
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .replace(/^3D/, '');
  if (EVERYWHERE.test(name)) return true;
  return locales.some((locale) => {
    const language = locale === 'C' ? 'en' : (/^([a-z][a-z])/.exec(locale)?.[1] ?? locale);
    return CHARSETS_FOR_LOCALE[language]?.includes(name) ?? false;
  });
}

const allowsAll = (config: SaConfig) => config.okLocales.includes('all');

/** MIMEEval's get_charset_from_ct_line: quoted, then up to white space. */
function charsetOfContentType(value: string): string | null {
  return (
    /charset="([^"]+)"/i.exec(value)?.[1] ??
    /charset='([^']+)'/i.exec(value)?.[1] ??
    /charset=(\S+)/i.exec(value)?.[1] ??
    null
  );
}

/**
 * MIMEEval's `are_more_high_bits_set`: more than 3 octets above 0x7F, and no fewer of them than
 * of the others (koi8-r and its kind hold ASCII too: an English text in them is not faraway).
 */
function moreHighBitsSet(text: string): boolean {
  let high = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) high++;
  return text.length - high <= high && high > 3;
}

/**
 * `check_for_faraway_charset` (CHARSET_FARAWAY): the message's Content-Type names a faraway set
 * and its body text, as the body rules read it, is mostly octets above 0x7F.
 */
export function checkForFarawayCharset(_args: readonly string[], config: SaConfig): SaEval {
  return (view) => {
    if (allowsAll(config)) return 0;
    const contentType = view.header('Content-Type', null);
    const charset = contentType === null ? null : charsetOfContentType(contentType);
    if (charset === null || isCharsetOkForLocales(charset, config.okLocales)) return 0;
    return moreHighBitsSet(view.body().join('\n')) ? 1 : 0;
  };
}

/**
 * The charsets of `=?charset?X?...?=` in a From or Subject field as written, as HeaderEval finds
 * them with `=\?(.+?)\?.\?.*?\?=`: none crosses a line (Perl's `.`), each search goes on after
 * the last word found. Scanned with the next `?X?` and `?=` of each position known, not with
 * the pattern, which a long run of `=?` with no end would make quadratic.
 */
export function encodedWordCharsets(raw: string): string[] {
  const length = raw.length;
  // From each position: the next newline, the next `?X?` (X no newline), the next `?=`.
  const nextNewline = new Int32Array(length + 1);
  const nextMark = new Int32Array(length + 1);
  const nextEnd = new Int32Array(length + 1);
  nextNewline[length] = nextMark[length] = nextEnd[length] = length;
  for (let i = length - 1; i >= 0; i--) {
    const code = raw.charCodeAt(i);
    nextNewline[i] = code === NEWLINE ? i : nextNewline[i + 1]!;
    nextMark[i] =
      code === QUESTION_MARK &&
      i + 2 < length &&
      raw.charCodeAt(i + 1) !== NEWLINE &&
      raw.charCodeAt(i + 2) === QUESTION_MARK
        ? i
        : nextMark[i + 1]!;
    nextEnd[i] = code === QUESTION_MARK && raw.charCodeAt(i + 1) === EQUALS ? i : nextEnd[i + 1]!;
  }
  const charsets: string[] = [];
  let at = raw.indexOf('=?');
  while (at >= 0) {
    const lineEnd = nextNewline[at]!;
    // The charset has one character at least: its `?X?` starts past it.
    const mark = at + 3 <= length ? nextMark[at + 3]! : length;
    const end = mark + 3 <= length ? nextEnd[mark + 3]! : length;
    if (mark < lineEnd && end < lineEnd) {
      charsets.push(raw.slice(at + 2, mark));
      at = raw.indexOf('=?', end + 2);
    } else at = raw.indexOf('=?', at + 1);
  }
  return charsets;
}

const NEWLINE = 0x0a;
const QUESTION_MARK = 0x3f;
const EQUALS = 0x3d;

/** `check_for_faraway_charset_in_headers` (CHARSET_FARAWAY_HEADER): in From or Subject. */
export function checkForFarawayCharsetInHeaders(
  _args: readonly string[],
  config: SaConfig,
): SaEval {
  return (view) => {
    if (allowsAll(config)) return 0;
    for (const name of ['From', 'Subject']) {
      const raw = view.header(name, 'raw');
      if (raw === null) continue;
      for (const charset of encodedWordCharsets(raw))
        if (!isCharsetOkForLocales(charset, config.okLocales)) return 1;
    }
    return 0;
  };
}

/**
 * `html_charset_faraway` (__HTML_CHARSET_FARAWAY, in HTML_CHARSET_FARAWAY): never 1 in
 * SpamAssassin 4.0.1, whatever `ok_locales` says. HTMLEval reads the `charsets` of each HTML
 * part's results, but HTML.pm keeps the `<meta>` charsets beside its results, not in them
 * (`$self->{charsets}`, not `$self->{results}{charsets}`): the test finds none. Checked with
 * `spamassassin` on a GB2312 page under `ok_locales en` (faraway-charset.test.ts).
 */
export function htmlCharsetFaraway(): SaEval {
  return () => 0;
}

/**
 * `check_for_mime('mime_faraway_charset')` (__MIME_CHARSET_FARAWAY): any part of the message,
 * a multipart one too, declares a faraway charset (one with a letter in it).
 */
export function mimeFarawayCharset(config: SaConfig): SaEval {
  return (view) => {
    if (allowsAll(config)) return 0;
    const faraway = (part: MimePart): boolean => {
      const charset =
        part.contentType.parameters.find((p) => p.name.toLowerCase() === 'charset')?.value ?? '';
      if (/[a-z]/i.test(charset) && !isCharsetOkForLocales(charset, config.okLocales)) return true;
      if (isMultipart(part) && part.parts.some(faraway)) return true;
      return part.message !== undefined && part.message !== null && faraway(part.message.body);
    };
    return faraway(view.summary.body) ? 1 : 0;
  };
}
