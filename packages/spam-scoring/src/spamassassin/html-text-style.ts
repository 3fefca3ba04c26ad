import colorNames from 'color-name';
import { decodeHTML } from 'entities';

/**
 * The text style SpamAssassin's HTML parser keeps while it reads a part (HTML.pm's
 * `text_style`): a stack of foreground colour, background colour, font size and the `display`
 * and `visibility` a style sets, pushed by the tags that change them and popped by their
 * closings, checked at each piece of text. It gives HTMLEval's `font_low_contrast` (text in a
 * colour too close to its background), `font_invalid_color` (a colour no browser can read) and
 * `max_size` (the largest font size), and tells which text is invisible (`html_font_invisible`:
 * those colours, a font size of 1 or less, `display: none`, `visibility: hidden`), which the
 * renderer's white-space trims leave alone (html-displayed-text.ts).
 *
 * Its quirks are SpamAssassin's, on purpose, since the rules' scores were fitted to them: a
 * `bgcolor` attribute does not change the background (only a `style` does), so light text
 * on a `<body bgcolor=black>` counts as low contrast, as it does there.
 */

interface TextStyle {
  readonly tag: string;
  readonly fg: string;
  readonly bg: string;
  readonly size: number;
  /** The `display` and `visibility` a style attribute gave, as written (inherited). */
  readonly display?: string;
  readonly visibility?: string;
}

/** The tags whose attributes change the style, and the attributes each may use. */
const STYLE_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  basefont: ['color', 'face', 'size'],
  body: ['text', 'bgcolor', 'link', 'alink', 'vlink', 'background'],
  font: ['color', 'face', 'size'],
  marquee: ['bgcolor', 'background'],
  table: ['bgcolor', 'style'],
  td: ['bgcolor', 'style'],
  tr: ['bgcolor', 'style'],
  span: ['style'],
  p: ['style'],
  div: ['style'],
  a: ['style'],
  big: [],
  small: [],
};

/** Attributes of a tag (the text between `<` and `>`), names in lower case, first one kept. */
export function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  // Past the tag's name.
  pattern.lastIndex = /^\s*[^\s/>]+/.exec(tag)?.[0].length ?? 0;
  for (let m = pattern.exec(tag); m !== null; m = pattern.exec(tag)) {
    const name = m[1]!.toLowerCase();
    const raw = m[2] ?? m[3] ?? m[4] ?? name;
    if (!attributes.has(name)) attributes.set(name, raw.includes('&') ? decodeHTML(raw) : raw);
  }
  return attributes;
}

function twoHexDigits(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/**
 * A colour as `#rrggbb`, or 'invalid' (HTML.pm's `name_to_rgb`): a name, `#` and hex digits
 * (cut to 6 or 3, padded, 3 doubled), or `rgb()` in numbers or percents.
 */
export function colorToRgb(value: string): string {
  // Perl's \s, not JavaScript's wider trim().
  let color = value.toLowerCase().replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
  if (Object.hasOwn(colorNames, color) && color !== 'rebeccapurple')
    return `#${colorNames[color as keyof typeof colorNames].map(twoHexDigits).join('')}`;
  if (!/^[#a-f0-9]*$|rgb\([\d%, ]*\)/.test(color)) return 'invalid';
  // A number over 255 keeps its three hex digits, as Perl's sprintf gives them.
  const percents = /rgb\((\d+)%,\s*(\d+)%,\s*(\d+)%\s*\)/.exec(color);
  if (percents)
    color = `#${percents
      .slice(1)
      .map((p) => twoHexDigits(Math.trunc((Number(p) / 100) * 255)))
      .join('')}`;
  const numbers = /rgb\((\d+),\s*(\d+),\s*(\d+)\s*\)/.exec(color);
  if (numbers)
    color = `#${numbers
      .slice(1)
      .map((n) => twoHexDigits(Number(n)))
      .join('')}`;
  if (!color.startsWith('#')) return 'invalid';
  let hex = color.replace(/[^a-f0-9]/g, '');
  if (hex.length > 6) hex = hex.slice(0, 6);
  if (hex.length > 3 && hex.length < 6) hex = hex.slice(0, 3);
  if (hex.length % 3) hex += '0'.repeat(3 - (hex.length % 3));
  if (hex.length === 3) hex = hex.replace(/(.)/g, '$1$1');
  return `#${hex}`;
}

/** A `color:` value of a style: `rgb(...)` read number by number, capped at 255. */
function styleColor(value: string): string {
  if (!value.includes('rgb')) return colorToRgb(value);
  const parts = value.replace(/[^0-9,]/g, '').split(',');
  return `#${[0, 1, 2].map((i) => twoHexDigits(Math.min(Number(parts[i] || 0), 255))).join('')}`;
}

/** The values of a CSS `background`'s last layer (commas and spaces outside brackets split). */
function backgroundValues(background: string): string[] {
  let layer: string[] = [];
  let token = '';
  let depth = 0;
  let quote = '';
  for (const ch of background) {
    if (quote) {
      token += ch;
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      token += ch;
      quote = ch;
    } else if (ch === '(') {
      token += ch;
      depth = 1;
    } else if (depth > 0) {
      token += ch;
      if (ch === ')') {
        layer.push(token);
        token = '';
        depth = 0;
      }
    } else if (ch === ' ' || ch === ',') {
      if (token !== '') layer.push(token);
      token = '';
      if (ch === ',') layer = [];
    } else token += ch;
  }
  if (token !== '') layer.push(token);
  return layer;
}

/**
 * Text made only of these is not checked: Perl's `\s` on octets, after HTML.pm turned each
 * `&nbsp;` (that spelling only) into a space before parsing. Its pattern also drops the UTF-8
 * no-break space (C2 A0), but the parser hands it characters, so a no-break space written as
 * octets or as `&#160;` is one character there, not blank: white `&#160;` is low contrast to
 * `spamassassin -t` (test/html-text-style.test.ts asks it).
 */
const BLANK = /^[ \t\n\r\f\v]*$/;

/** The text as HTML.pm's blank test sees it: `&nbsp;` a space, other references decoded. */
function decodedForBlankTest(text: string): string {
  if (!text.includes('&')) return text;
  return decodeHTML(text.replaceAll('&nbsp;', ' '));
}

export class TextStyleTracker {
  fontLowContrast = false;
  fontInvalidColor = false;
  maxSize = 3;
  private basefont = 3;
  private readonly stack: TextStyle[] = [{ tag: 'default', fg: '#000000', bg: '#ffffff', size: 3 }];

  /** A start tag (`name` lower case, `tag` the text between `<` and `>`). */
  open(name: string, tag: string): void {
    const allowed = STYLE_ATTRIBUTES[name === 'th' ? 'td' : name];
    if (!allowed) return;
    if (name === 'th') name = 'td';
    const attributes = attributesOf(tag);
    if (name === 'basefont') {
      const size = /^\s*(\d+)/.exec(attributes.get('size') ?? '');
      if (size) {
        this.basefont = Number(size[1]);
        return;
      }
    }
    if (name === 'td' || name === 'tr') this.closeTable(name);
    const top = this.stack[this.stack.length - 1]!;
    const next = { ...top, tag: name };
    if (name === 'big' || name === 'small') {
      this.stack.push({ ...next, size: next.size + (name === 'big' ? 1 : -1) });
      return;
    }
    for (const [attribute, value] of attributes) {
      if (!allowed.includes(attribute)) continue;
      if (attribute === 'text' || attribute === 'color') next.fg = colorToRgb(value);
      else if (attribute === 'size') {
        const relative = /^\s*([+-]\d+)/.exec(value);
        const absolute = /^\s*(\d+)/.exec(value);
        if (relative) next.size = this.basefont + Number(relative[1]);
        else if (absolute) next.size = Number(absolute[1]);
      } else if (attribute === 'style') this.applyStyle(value, next, top);
      if (next.size > this.maxSize) this.maxSize = next.size;
    }
    this.stack.push(next);
  }

  /** An end tag: everything up to and including the last such tag is closed. */
  close(name: string): void {
    if (name === 'th') name = 'td';
    if (name === 'body' || !this.stack.some((style) => style.tag === name)) return;
    let closed: TextStyle | undefined;
    do closed = this.stack.pop();
    while (closed !== undefined && closed.tag !== name);
  }

  /**
   * A piece of text between tags (outside scripts and styles), as written: whether it is
   * invisible (HTML.pm's `html_font_invisible`, asked only of text that is not blank).
   */
  text(text: string): boolean {
    if (BLANK.test(decodedForBlankTest(text))) return false;
    const top = this.stack[this.stack.length - 1];
    const { fg, bg } = top ?? { fg: '', bg: '' };
    if (fg.slice(-6) === bg.slice(-6)) {
      this.fontLowContrast = true;
      return true;
    }
    const f = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(fg);
    const b = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(bg);
    if (f && b) {
      const [r, g, bl] = [1, 2, 3].map((i) => parseInt(f[i]!, 16) - parseInt(b[i]!, 16));
      // HTML.pm's distance, weighted by each channel's share of brightness: under 12 is
      // very hard to read.
      if (Math.hypot(0.2126 * r!, 0.7152 * g!, 0.0722 * bl!) < 12) {
        this.fontLowContrast = true;
        return true;
      }
    }
    if (fg === 'invalid' || bg === 'invalid') {
      this.fontInvalidColor = true;
      return true;
    }
    if (top === undefined) return false;
    return (
      top.size <= 1 ||
      top.display?.toLowerCase() === 'none' ||
      top.visibility?.toLowerCase() === 'hidden'
    );
  }

  /** `<td>` closes an open cell's fonts and cell, `<tr>` a row's too (optional end tags). */
  private closeTable(name: string): void {
    if (!this.stack.some((style) => style.tag === name)) return;
    const closes = name === 'td' ? ['font', 'td'] : ['font', 'td', 'tr'];
    while (this.stack.length > 0 && closes.includes(this.stack[this.stack.length - 1]!.tag))
      this.stack.pop();
  }

  private applyStyle(
    style: string,
    next: { fg: string; bg: string; display?: string; visibility?: string },
    parent: TextStyle | undefined,
  ): void {
    for (const part of style.split(';')) {
      const color = /^\s*(background-)?color:\s*(.+?)\s*$/i.exec(part);
      if (color) {
        const value = color[2]!.toLowerCase().replace(/\s*!\s*important$/, '');
        if (value === 'inherit') continue;
        const rgb = value === 'transparent' ? value : styleColor(value);
        if (color[1]) next.bg = rgb;
        else next.fg = rgb;
        continue;
      }
      const background = /^\s*background:\s*(.+?)\s*$/.exec(part);
      if (background) {
        const found = backgroundValues(background[1]!.toLowerCase())
          .map(colorToRgb)
          .find((rgb) => rgb !== 'invalid');
        if (found) next.bg = found;
        continue;
      }
      // Any other property is kept under its name as written (HTML.pm's `style_<name>`), so
      // only `display` and `visibility` in lower case are read back.
      const property = /^\s*([a-z_-]+)\s*:\s*(\S.*?)\s*$/i.exec(part);
      if (property?.[1] === 'display') next.display = property[2];
      else if (property?.[1] === 'visibility') next.visibility = property[2];
    }
    if (next.bg === 'transparent') next.bg = parent?.bg ?? '#ffffff';
    if (next.fg === 'transparent') next.fg = next.bg;
  }
}
