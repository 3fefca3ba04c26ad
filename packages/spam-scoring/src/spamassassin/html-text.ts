import { decodeHTML } from 'entities';
import { textToBinaryString } from './binary-string.js';

export interface RenderedHtml {
  /** The visible text, with line breaks where blocks end (as SpamAssassin renders it). */
  readonly text: string;
  /** Link targets: `href`, `src`, `action`, `background` attribute values. */
  readonly links: readonly string[];
}

const BREAKS = new Set([
  'br',
  'div',
  'tr',
  'li',
  'td',
  'th',
  'dt',
  'dd',
  'table',
  'hr',
  'title',
  'option',
]);
const PARAGRAPHS = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'ul',
  'ol',
]);
const INVISIBLE = new Set(['script', 'style', 'head', 'object', 'applet', 'embed']);
const LINK_ATTRIBUTES =
  /\b(?:href|src|action|background)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/**
 * HTML to the text SpamAssassin's body rules read: tags removed, block ends as line breaks,
 * scripts, styles and comments dropped, entities decoded (to UTF-8 octets). One pass, linear in
 * the input: tags are found with `indexOf`, never with a backtracking pattern over the document.
 * The input is a binary string (octets); so is the output.
 */
export function renderHtml(html: string): RenderedHtml {
  const pieces: string[] = [];
  const links: string[] = [];
  let skipUntil: string | null = null;
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf('<', i);
    if (open < 0) {
      if (skipUntil === null) pieces.push(textNode(html.slice(i)));
      break;
    }
    if (skipUntil === null && open > i) pieces.push(textNode(html.slice(i, open)));
    if (html.startsWith('<!--', open)) {
      const end = html.indexOf('-->', open + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const close = html.indexOf('>', open + 1);
    if (close < 0) break;
    const tag = html.slice(open + 1, close);
    i = close + 1;
    const name = /^\/?\s*([a-zA-Z][\w:-]*)/.exec(tag)?.[1]?.toLowerCase();
    if (name === undefined) {
      // A declaration (`<!DOCTYPE ...>`) or processing instruction (`<?xml ...?>`) is markup,
      // not text, to HTML::Parser; any other `<` not opening a tag is text.
      if (skipUntil === null && !/^[!?]/.test(tag))
        pieces.push(decodeEntities(html.slice(open, close + 1)));
      continue;
    }
    const closing = tag.startsWith('/');
    if (skipUntil !== null) {
      if (closing && name === skipUntil) skipUntil = null;
      continue;
    }
    if (INVISIBLE.has(name) && !closing && !tag.endsWith('/')) {
      skipUntil = name;
      continue;
    }
    if (!closing)
      for (const m of tag.matchAll(LINK_ATTRIBUTES))
        links.push(decodeEntities(m[1] ?? m[2] ?? m[3] ?? ''));
    if (PARAGRAPHS.has(name)) pieces.push('\n\n');
    else if (BREAKS.has(name)) pieces.push('\n');
    else if (name === 'img' && !closing) {
      const alt = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
      if (alt) pieces.push(decodeEntities(alt[1] ?? alt[2] ?? ''));
    }
  }
  return { text: pieces.join(''), links };
}

/**
 * A run of text between tags as SpamAssassin's HTML.pm displays it: entities decoded, then every
 * run of ASCII white space (line breaks included) one space. Only tags break lines, so a
 * document's own line breaks (`1gate\r\n</html>\r\n5297...`) never end a paragraph.
 */
function textNode(text: string): string {
  return decodeEntities(text).replace(/[ \t\n\r\f\x0b]+/g, ' ');
}

function decodeEntities(text: string): string {
  // Entity by entity: the text around them is octets already and must not be re-encoded.
  return text.includes('&')
    ? text.replace(
        /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g,
        (entity) => textToBinaryString(decodeHTML(entity).replaceAll('\u00a0', ' ')),
      )
    : text;
}
