import { decodeHTML } from 'entities';
import { textToBinaryString } from './binary-string.js';
import { DisplayedText } from './html-displayed-text.js';
import { DECODED_RAW_TEXT, INVISIBLE_RAW_TEXT, RAW_TEXT, RawTextEnds } from './html-raw-text.js';
import { TextStyleTracker } from './html-text-style.js';
import { MAX_URI_LENGTH } from './uri-canonicalize.js';
import { baseHrefOf, targetUri } from './uri-resolve.js';

export interface RenderedHtml {
  /** The text, with line breaks where blocks end (as SpamAssassin renders it). */
  readonly text: string;
  /**
   * Link targets as HTML.pm's html_uri takes them (`a href`, `img src`, `form action`, `td
   * background`, a meta refresh's URL...), resolved against the `<base href>` before them.
   */
  readonly links: readonly string[];
}

// The whitespace HTML.pm's html_whitespace puts for a tag, at its opening and its closing alike;
// any other tag (table, tr, ul, option...) puts none, and the text on both sides runs on.
/** A line break (within the paragraph). */
const BREAKS = new Set(['br', 'div']);
/** A space: cells, list items and headings do not break the line in SpamAssassin's text. */
const SPACES = new Set(['li', 'th', 'td', 'dt', 'dd', 'embed', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** A blank line: the paragraph ends. */
const PARAGRAPHS = new Set([
  'p',
  'hr',
  'blockquote',
  'pre',
  'listing',
  'plaintext',
  'xmp',
  'title',
]);
/** The attribute HTML.pm's html_uri reads a link from, by tag. */
const LINK_ATTRIBUTE: Readonly<Record<string, string>> = {
  body: 'background',
  table: 'background',
  tr: 'background',
  td: 'background',
  a: 'href',
  area: 'href',
  link: 'href',
  img: 'src',
  frame: 'src',
  iframe: 'src',
  embed: 'src',
  script: 'src',
  bgsound: 'src',
  form: 'action',
  base: 'href',
};
const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** A tag's attributes, names in lower case, values with entities decoded (the first kept). */
function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const body = tag.replace(/^\s*[a-zA-Z][\w:-]*/, '');
  for (const m of body.matchAll(ATTRIBUTE)) {
    const name = m[1]!.toLowerCase();
    if (!attributes.has(name)) attributes.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attributes;
}

/**
 * The links HTML.pm's html_uri takes from one opening tag, in order, given the base so far;
 * returns the new base when the tag is a `<base href>` browsers honour.
 */
function linksOfTag(name: string, tag: string, base: string, links: string[]): string | undefined {
  const wanted = LINK_ATTRIBUTE[name];
  const isRefresh = name === 'meta';
  if (wanted === undefined && !isRefresh) return undefined;
  const attributes = attributesOf(tag);
  const push = (value: string) => {
    // canon_uri: no leading or trailing white space (nor no-break space), at most 8,192 octets.
    const uri = value
      .replace(/^[\t\n\x0b\f\r \xa0]+|(?<![\t\n\x0b\f\r \xa0])[\t\n\x0b\f\r \xa0]+$/g, '')
      .slice(0, MAX_URI_LENGTH);
    if (uri === '') return;
    if (/^(?:data|mailto|file|cid|tel):/i.test(uri)) links.push(uri);
    else {
      const target = targetUri(base, uri);
      if (target !== '') links.push(target);
    }
  };
  if (isRefresh) {
    const content = attributes.get('content');
    if (
      /refresh/i.test(attributes.get('http-equiv') ?? '') &&
      content &&
      /\burl\s*=/i.test(content)
    )
      push(content.replace(/^.*\burl\s*=\s*/i, '').replace(/\s*;.*/, ''));
    return undefined;
  }
  let value = attributes.get(wanted!);
  if (value === undefined) return undefined;
  if (name === 'a' || name === 'area' || name === 'link')
    value = value.replace(/\xef\xbb\xbf/g, '');
  push(value);
  if (name === 'a' || name === 'area' || name === 'link') {
    const safe = attributes.get('data-saferedirecturl');
    if (safe !== undefined) push(safe);
  }
  if (name !== 'base') return undefined;
  const href = value.replace(
    /^[\t\n\x0b\f\r \xa0]+|(?<![\t\n\x0b\f\r \xa0])[\t\n\x0b\f\r \xa0]+$/g,
    '',
  );
  return href === '' ? undefined : (baseHrefOf(href) ?? undefined);
}

/**
 * HTML to the text SpamAssassin's body rules read: tags removed, block ends as line breaks,
 * scripts, styles and comments dropped, entities decoded (to UTF-8 octets), the content of an
 * iframe, a textarea, a title... as it is written, tags and all (HTML::Parser's raw text), put
 * together as HTML.pm's display_text does (html-displayed-text.ts). One pass, linear in the
 * input: tags are found with `indexOf`, never with a backtracking pattern over the document.
 * The input is a binary string (octets); so is the output.
 */
export function renderHtml(html: string): RenderedHtml {
  const displayed = new DisplayedText();
  const style = new TextStyleTracker();
  // `raw` as written, for the style's blank test; `rendered` with entities decoded.
  const addText = (raw: string, rendered: string) => displayed.text(rendered, style.text(raw));
  // A raw element's content (RAW_TEXT) is one text; only a textarea's and a title's entities
  // are decoded. A script's or a style's is not shown.
  const addRawText = (name: string, raw: string) => {
    if (INVISIBLE_RAW_TEXT.has(name)) return;
    addText(raw, DECODED_RAW_TEXT.has(name) ? textNode(raw) : squeezeSpaces(raw));
  };
  const links: string[] = [];
  let base = '';
  let rawUntil: string | null = null;
  const rawEnds = new RawTextEnds(html);
  const quotesEnd = { '"': html.lastIndexOf('"'), "'": html.lastIndexOf("'") };
  let i = 0;
  while (i < html.length) {
    if (rawUntil !== null) {
      // Up to the closing tag, which is then read as a tag; never closed, to the end.
      const end = rawEnds.end(rawUntil, i);
      if (end < 0 && rawUntil === 'title') {
        // A title never closed is closed by HTML::Parser at the first tag after its text.
        const next = html.indexOf('<', i);
        const textEnd = next < 0 ? html.length : next;
        if (textEnd > i) addRawText('title', html.slice(i, textEnd));
        displayed.whitespace('\n\n');
        rawUntil = null;
        i = textEnd;
        continue;
      }
      const textEnd = end < 0 ? html.length : end;
      if (textEnd > i) addRawText(rawUntil, html.slice(i, textEnd));
      rawUntil = null;
      i = textEnd;
      continue;
    }
    const open = html.indexOf('<', i);
    if (open < 0) {
      addText(html.slice(i), textNode(html.slice(i)));
      break;
    }
    if (open > i) addText(html.slice(i, open), textNode(html.slice(i, open)));
    if (html.startsWith('<!--', open)) {
      const end = html.indexOf('-->', open + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    // HTML::Parser opens markup at `<` only before a tag name (a letter, `_` or `:`), `/`, `!`
    // or `?`; any other `<` is text (`a <3 b`, `< B>`, `<<HTML>`'s first `<`).
    const next = html[open + 1] ?? '';
    if (!/[a-zA-Z_:/!?]/.test(next)) {
      addText('<', '<');
      i = open + 1;
      continue;
    }
    const close = /[a-zA-Z_:]/.test(next)
      ? startTagEnd(html, open, quotesEnd)
      : html.indexOf('>', open + 1);
    // Markup never closed hides the rest of the document.
    if (close < 0) break;
    const tag = html.slice(open + 1, close);
    i = close + 1;
    // A declaration (`<!DOCTYPE ...>`), a processing instruction (`<?xml ...?>`) or an end tag
    // without a name (`</ b>`, `</3>`) is markup with nothing to show.
    const name = /^\/?([a-zA-Z_:][\w:.-]*)/.exec(tag)?.[1]?.toLowerCase();
    if (name === undefined) continue;
    const closing = tag.startsWith('/');
    if (!closing) base = linksOfTag(name, tag, base, links) ?? base;
    if (closing) style.close(name);
    else style.open(name, tag);
    if (PARAGRAPHS.has(name)) displayed.whitespace('\n\n');
    else if (BREAKS.has(name)) displayed.whitespace('\n');
    else if (SPACES.has(name)) displayed.whitespace(' ');
    // An image's alt text is not text to HTML.pm (`spamassassin -t` shows none), so not here.
    // Self-closing or not: `<script src=x />` hides the rest of the document from HTML.pm too.
    if (!closing && RAW_TEXT.has(name)) rawUntil = name;
  }
  return { text: displayed.result(), links };
}

/**
 * Where a start tag at `open` ends: the first `>` outside a quoted attribute value, as
 * HTML::Parser reads `<a href="mailto:x%20<x@y>">` (spam-1/00387: ended at the first `>`, the
 * link was cut at `<x@y`, and HTTP_ESCAPED_HOST fired on it). A quote opens a value only after
 * `=`; a value whose quote is never closed leaves the tag without an end (-1), so it hides the
 * rest of the document, as HTML::Parser leaves it (SpamAssassin renders nothing after it).
 * `lastQuote` holds each quote's last position in the document, so an unclosed one is known
 * without reading to the end again (linear however many tags leave one open).
 */
export function startTagEnd(
  html: string,
  open: number,
  lastQuote: Record<'"' | "'", number>,
): number {
  let afterEquals = false;
  for (let at = open + 1; at < html.length; at++) {
    const c = html[at]!;
    if (c === '>') return at;
    if (c === '=') {
      afterEquals = true;
      continue;
    }
    if (afterEquals && (c === '"' || c === "'")) {
      const closing = at < lastQuote[c] ? html.indexOf(c, at + 1) : -1;
      if (closing < 0) return -1;
      at = closing;
    }
    if (!/[ \t\n\r\f]/.test(c)) afterEquals = false;
  }
  return -1;
}

/**
 * A run of text between tags as SpamAssassin's HTML.pm displays it: entities decoded, then every
 * run of ASCII white space (line breaks included) one space. Only tags break lines, so a
 * document's own line breaks (`1gate\r\n</html>\r\n5297...`) never end a paragraph.
 */
function textNode(text: string): string {
  return squeezeSpaces(decodeEntities(text));
}

function squeezeSpaces(text: string): string {
  return text.replace(/[ \t\n\r\f\x0b]+/g, ' ');
}

function decodeEntities(text: string): string {
  // Entity by entity: the text around them is octets already and must not be re-encoded.
  return text.includes('&')
    ? text.replace(
        /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g,
        decodeEntity,
      )
    : text;
}

/**
 * One entity as HTML::Parser decodes it, in UTF-8: a number is that code point, where HTML5
 * reads 0x80 to 0x9F as Windows-1252 (`&#149;` is U+0095 there, not the bullet U+2022).
 */
function decodeEntity(entity: string): string {
  const numeric = /^&#(?:([0-9]+)|[xX]([0-9a-fA-F]+))/.exec(entity);
  const code = numeric ? parseInt(numeric[1] ?? numeric[2]!, numeric[1] ? 10 : 16) : NaN;
  if (code >= 0x80 && code <= 0x9f) return textToBinaryString(String.fromCharCode(code));
  return textToBinaryString(decodeHTML(entity).replaceAll('\u00a0', ' '));
}
