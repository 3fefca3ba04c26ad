import {
  type HeaderField,
  type MessageSummary,
  type MimePart,
  decodeEncodedWords,
  decodeHeaderBytes,
  decodeTransferEncoding,
  isMultipart,
  parseHeaders,
  transferEncodingOf,
} from '@mailyard/mime';
import { bytesToBinaryString, textToBinaryString } from './binary-string.js';
import { envelopeSenderOf } from './envelope-sender.js';
import { parseHeaderAddresses } from './header-addresses.js';
import { type ReadStructure, readStructure } from './header-ends.js';
import { MAX_HEADER_VALUE_LENGTH } from './raw-header-block.js';
import { renderHtml } from './html-text.js';
import { keptAsOctets, normalizedText } from './charset-normalize.js';
import { unicodeSpacesToSpaces } from './unicode-space.js';
import { relayPseudoHeader, relaysOf } from './received-relays.js';
import {
  BODY_BREAKS,
  BODY_PART_SCAN_SIZE,
  RAWBODY_BREAKS,
  RAWBODY_PART_SCAN_SIZE,
  rawBodyPieces,
  truncateForScan,
  truncateUtf8ForScan,
} from './scan-size.js';
import { effectiveMediaType } from './effective-type.js';
import { unopenedMultipartPart } from './unopened-multipart.js';
import { extractUris } from './uri-extract.js';
import type { RegistryLists } from './registry-boundaries.js';

/** `:raw`, `:addr`, `:name` after a header name in a rule. */
export type HeaderModifier = 'raw' | 'addr' | 'name' | null;

/** What the envelope says, for SpamAssassin's `EnvelopeFrom` pseudo-header. */
export interface ViewEnvelope {
  readonly mailFrom: string | null;
  /**
   * The receiving server verified the message's DKIM signatures (its mailauth test ran on the
   * whole message): what DKIM.pm calls dependable signatures, `__DKIM_DEPENDABLE`. Default
   * false, as in spamd -L, which verifies none.
   */
  readonly dkimVerified?: boolean;
}

/**
 * A message as SpamAssassin's rules see it, each view computed once, when a rule first asks:
 * header values (decoded, or raw), the rendered body in Message.pm's lines with the Subject first,
 * the decoded raw body in lines, the URIs, and the full message. Every string is octets (see
 * binary-string.ts).
 */
export class SaMessageView {
  /**
   * What this view computed, shared with every other view of the same message (SharedTexts):
   * the rules' view and Bayes's each read the same headers, body and URIs of a message.
   */
  private readonly texts: SharedTexts;
  /** The headers that depend on this view's envelope (EnvelopeFrom when given), not shared. */
  private readonly envelopeHeaders = new Map<string, HeaderValues>();

  /**
   * The message as the rules read it: the given one, or a copy with a line break where
   * SpamAssassin ends a header that runs into its body (header-ends.ts), with its MIME tree.
   */
  readonly bytes: Uint8Array;
  readonly summary: MessageSummary;
  /** The message as given: the `full` rules' text. */
  readonly pristine: Uint8Array;

  constructor(
    bytes: Uint8Array,
    summary: MessageSummary,
    readonly envelope: ViewEnvelope = { mailFrom: null },
  ) {
    this.texts = sharedTextsOf(bytes, summary);
    this.bytes = this.texts.read.bytes;
    this.summary = this.texts.read.summary;
    this.pristine = bytes;
  }

  /**
   * An object that stands for this message's content, the same for every view of it: a key
   * for what an eval computes from the content alone (not from the envelope), so that it is
   * computed once per message however many views read it.
   */
  get contentKey(): object {
    return this.texts;
  }

  /**
   * A header's value as SpamAssassin's `get` gives it: every occurrence, each ending in a newline;
   * null when there is none. Pseudo-headers: `ALL`, `ALL-EXTERNAL`, `ToCc`, `MESSAGEID`,
   * `EnvelopeFrom`. With `:addr` or `:name` the first address (display name) alone, as `get`
   * gives it to a caller that wants one value (the evals); `every` gives them all, a line
   * each, as a header rule reads them (Check.pm joins `get`'s list with newlines: a From of two
   * addresses fires `From:addr =~ /\s/`).
   */
  header(name: string, modifier: HeaderModifier, every = false): string | null {
    // By the name as the rule spells it (computeHeader reads case as SpamAssassin does: ALL
    // and MESSAGEID by exact name), so a lookup builds no key; the rules spell a header one
    // way or two. EnvelopeFrom is the envelope's sender where this view was given one (views
    // differ there), else it is read from the headers, the same for every view.
    const cache =
      this.envelope.mailFrom !== null && name.length === 12 && name.toLowerCase() === 'envelopefrom'
        ? this.envelopeHeaders
        : this.texts.headers;
    let values = cache.get(name);
    if (values === undefined)
      cache.set(
        name,
        (values = [undefined, undefined, undefined, undefined, undefined, undefined]),
      );
    const listed = every && (modifier === 'addr' || modifier === 'name');
    const slot = listed
      ? modifier === 'addr'
        ? MODIFIER_SLOTS.addrs
        : MODIFIER_SLOTS.names
      : MODIFIER_SLOTS[modifier ?? 'none'];
    const cached = values[slot];
    if (cached !== undefined) return cached;
    return (values[slot] = this.computeHeader(name, modifier, listed));
  }

  /**
   * Every address of a header as SpamAssassin's `get('Name:addr')` gives them in list context:
   * of each occurrence (of the topmost alone with `first`, `Name:first:addr`), in order.
   */
  addresses(name: string, first = false): string[] {
    const fields = this.rootHeaders().lookup(name.toLowerCase());
    const out: string[] = [];
    for (const field of first ? fields.slice(0, 1) : fields)
      for (const { address } of parseHeaderAddresses(headerText(this.bytes, field, true)))
        if (address !== null) out.push(address);
    return out;
  }

  /** Values of a header in every MIME part (the MIMEHeader plugin's `mimeheader`). */
  mimeHeader(name: string, raw: boolean): readonly string[] {
    // Once per name per message: each mimeheader rule on a name used to walk the parts again.
    const key = `${name.toLowerCase()}:${raw ? 'raw' : ''}`;
    const known = this.texts.mimeHeaders.get(key);
    if (known) return known;
    const values: string[] = [];
    const visit = (part: MimePart) => {
      // Each part's block parsed once per message, not once per mimeheader rule.
      let headers = this.texts.partHeaders.get(part);
      if (!headers)
        this.texts.partHeaders.set(part, (headers = parseHeaders(this.bytes, part.headerStart)));
      for (const field of headers.lookup(name))
        values.push(headerText(this.bytes, field, raw, part === this.summary.body));
      for (const child of part.parts ?? []) visit(child);
      if (part.message) visit(part.message.body);
    };
    for (const child of this.summary.body.parts ?? []) visit(child);
    if (!isMultipart(this.summary.body)) visit(this.summary.body);
    this.texts.mimeHeaders.set(key, values);
    return values;
  }

  /** How many of body()'s first lines are the Subject: 1, a line break alone if there is none. */
  bodySubjectLines(): number {
    return 1;
  }

  /**
   * The Subject that heads the body as Message.pm's `get_header('subject')` gives it: the last
   * Subject field, decoded as the header rules read it (raw 8-bit octets that are not UTF-8 as
   * Windows-1252). Not the summary's subject, which reads them in the body's charset for
   * people: SpamAssassin's body rules and Bayes see a raw KOI8-R Subject as Latin-1 letters.
   */
  private bodySubject(): string {
    const subjects = this.header('Subject', null);
    // Each field's value ends in a newline and holds none (unfolded): the last is before the last.
    return subjects === null ? '' : (subjects.split('\n').at(-2) ?? '');
  }

  /**
   * The body rules' text: the Subject, then the rendered text parts, each cut at
   * BODY_PART_SCAN_SIZE as SpamAssassin cuts it, in Message.pm's lines (bodyLines).
   */
  body(): readonly string[] {
    if (!this.texts.bodyLines) {
      const subject = this.bodySubject();
      const parts = this.parts();
      const octets = parts.every(
        ({ keptAsOctets, rendered }) => keptAsOctets && !WIDER_THAN_LATIN1.test(rendered),
      );
      const text = parts
        .map(({ rendered }) => {
          const cut = truncateUtf8ForScan(rendered, BODY_PART_SCAN_SIZE, BODY_BREAKS);
          return octets ? latin1Octets(cut) : unicodeSpacesToSpaces(cut);
        })
        .join('\n');
      // The Subject is a line of its own, ending in its line break as get_header gives it; a
      // line break alone where there is none (Message.pm: `get_header('subject') || "\n"`).
      this.texts.bodyLines = [`${subject}\n`, ...bodyLines(text).filter((p) => p !== '')];
    }
    return this.texts.bodyLines;
  }

  /**
   * The rawbody rules' text: text parts decoded from their transfer encoding, each cut at
   * RAWBODY_PART_SCAN_SIZE, in pieces of 2,048 to 4,096 octets as Message.pm gives them.
   */
  rawBody(): readonly string[] {
    this.texts.rawLines ??= this.parts().flatMap(({ raw }) =>
      rawBodyPieces(truncateForScan(raw, RAWBODY_PART_SCAN_SIZE, RAWBODY_BREAKS)),
    );
    return this.texts.rawLines;
  }

  /**
   * The URIs, as `get_uri_list` gives them: those the body's lines (the Subject first) spell
   * out and the HTML links, with their canonical spellings (uri-extract.ts). Which bare names
   * and addresses count depends on the TLDs `lists` holds (the rule files' `util_rb_tld`).
   */
  uris(lists: RegistryLists): readonly string[] {
    let list = this.texts.uriLists.get(lists.validTlds);
    if (!list) {
      const body = this.body();
      list = extractUris(body, this.texts.htmlLinks, lists);
      this.texts.uriLists.set(lists.validTlds, list);
    }
    return list;
  }

  /** The source of each HTML part, decoded from its transfer encoding and charset (UTF-8 octets). */
  htmlSources(): readonly string[] {
    return this.parts()
      .filter(({ html }) => html)
      .map(({ text }) => text);
  }

  /**
   * For each HTML part (htmlSources' order), whether SpamAssassin holds its text as characters
   * (decoded from its charset) rather than octets: what HTML.pm's strings measure in Perl's
   * `length`.
   */
  htmlPartsAsCharacters(): readonly boolean[] {
    return this.parts()
      .filter(({ html }) => html)
      .map(({ keptAsOctets }) => !keptAsOctets);
  }

  /** The links of the HTML parts (`<a href>` and the like), as written. */
  links(): readonly string[] {
    this.parts();
    return this.texts.htmlLinks;
  }

  full(): string {
    this.texts.fullText ??= bytesToBinaryString(this.pristine);
    return this.texts.fullText;
  }

  private parts(): TextPart[] {
    if (!this.texts.textParts) {
      this.texts.textParts = [];
      const visit = (part: MimePart): void => {
        if (isMultipart(part)) {
          const whole = unopenedMultipartPart(this.bytes, part, part === this.summary.body);
          return whole ? visit(whole) : part.parts.forEach(visit);
        }
        if (part.message) return visit(part.message.body);
        const type = effectiveMediaType(part);
        if (!type.startsWith('text/')) return;
        if (
          part.disposition?.type.toLowerCase() === 'attachment' &&
          type !== 'text/html' &&
          type !== 'text/plain'
        )
          return;
        const body = this.bytes.subarray(part.bodyStart, part.end);
        const encoding = transferEncodingOf(part.encoding);
        const decoded = encoding === null ? body : decodeTransferEncoding(body, encoding);
        const raw = bytesToBinaryString(decoded).replace(/\r\n?/g, '\n');
        const charset =
          part.contentType.parameters.find((p) => p.name.toLowerCase() === 'charset')?.value ??
          null;
        const html = type === 'text/html';
        const normalized = normalizedText(decoded, charset).replace(/\r\n?/g, '\n');
        // HTML.pm's parse() makes the curly double quotes (U+201C, U+201D) plain ones before it
        // parses (spam quotes attribute values with them): its tags, text and links all see `"`.
        const text = html ? normalized.replace(/\xe2\x80[\x9c\x9d]/g, '"') : normalized;
        // Rendered here once, for the links, the body rules and the URIs alike.
        let rendered = text;
        if (html) {
          const page = renderHtml(text);
          this.texts.htmlLinks.push(...page.links);
          rendered = page.text;
        }
        this.texts.textParts!.push({
          part,
          raw,
          text,
          html,
          rendered,
          keptAsOctets: keptAsOctets(decoded, charset),
        });
      };
      visit(this.summary.body);
    }
    return this.texts.textParts;
  }

  /** The message's own header block, parsed once per message (not once per header rule). */
  private rootHeaders(): ReturnType<typeof parseHeaders> {
    return (this.texts.rootHeaders ??= parseHeaders(this.bytes, this.summary.body.headerStart));
  }

  private computeHeader(name: string, modifier: HeaderModifier, every: boolean): string | null {
    const lower = name.toLowerCase();
    const root = this.rootHeaders();
    // SpamAssassin's pseudo-headers: ALL and MESSAGEID by exact name, the others in any case.
    if (name === 'ALL' || name === 'ALL-EXTERNAL') {
      // ALL-EXTERNAL: the headers from the Received line of the first external hand-over down
      // (what external relays may have written); null when every relay is internal.
      const start = name === 'ALL' ? 0 : relaysOf(this).externalStart;
      let received = -1;
      const lines: string[] = [];
      for (const field of root.fields) {
        if (field.name.toLowerCase() === 'received') received++;
        if (name !== 'ALL' && received < start) continue;
        // A line that is no field (no colon) is no header to Message.pm: skipped, but for the
        // pristine header, which keeps it.
        if (modifier !== 'raw' && this.bytes[field.valueStart - 1] !== 0x3a) continue;
        // Raw, each field as the message writes it (get_pristine_header: `Subject:x` keeps no
        // space, which __HDRS_MISSP looks for, and the line ends stay); else its name, `: `,
        // and its decoded value.
        lines.push(
          modifier === 'raw'
            ? bytesToBinaryString(this.bytes.subarray(field.start, field.end))
            : `${field.name}: ${headerText(this.bytes, field, false)}`,
        );
      }
      // The pristine header ends in the blank line before the body, which its split keeps.
      const last = root.fields.at(-1);
      const blank = last
        ? bytesToBinaryString(this.bytes.subarray(last.end, this.summary.body.bodyStart))
        : '';
      if (modifier === 'raw' && lines.length > 0 && /^\r?\n$/.test(blank)) lines.push(blank);
      return name === 'ALL' || lines.length > 0 ? lines.join('') : null;
    }
    if (lower === 'envelopefrom') {
      // The MTA's word when it gave one; else what the headers say (envelope-sender.ts).
      const from = this.envelope.mailFrom ?? envelopeSenderOf(this);
      return from ? from : null;
    }
    // Relay pseudo-headers: the Received headers parsed, with the trust path (received-relays.ts).
    if (lower.startsWith('x-spam-relays-')) return relayPseudoHeader(this, lower);
    // An ordinary name (most, and most absent) is one lookup, with no list of names built.
    const fields =
      lower === 'tocc'
        ? [...root.lookup('to'), ...root.lookup('cc')]
        : name === 'MESSAGEID'
          ? MESSAGE_ID_HEADERS.flatMap((n) => root.lookup(n))
          : root.lookup(lower);
    if (fields.length === 0) return null;
    if (modifier === 'addr' || modifier === 'name') {
      // As SpamAssassin's get(): its own address parser over each raw value (ToCc and
      // MESSAGEID: each decoded value, as get() asks Node.pm for them); the first address (or
      // display name) alone, no newline, or every one, a line each.
      const decoded = lower === 'tocc' || name === 'MESSAGEID';
      const found: string[] = [];
      for (const field of fields) {
        for (const { address, phrase } of parseHeaderAddresses(
          headerText(this.bytes, field, !decoded),
        )) {
          if (modifier === 'addr') {
            if (address !== null) found.push(address);
          } else if (phrase !== null) found.push(displayName(phrase));
          if (!every && found.length > 0) return found[0]!;
        }
      }
      return found.length > 0 ? found.join('\n') : null;
    }
    const values = fields.map((field) => headerText(this.bytes, field, modifier === 'raw'));
    // ToCc and MESSAGEID read each header through Node.pm's get_header, whose raw value has each
    // fold made one space (a header of its own is read through raw_header, folds kept).
    const throughGetHeader = lower === 'tocc' || name === 'MESSAGEID';
    return (
      modifier === 'raw' && throughGetHeader
        ? values.map((value) => value.replace(/\r?\n[\t\n\x0b\f\r ]+/g, ' '))
        : values
    ).join('');
  }
}

/**
 * Each text part: `raw` decoded from its transfer encoding only (the rawbody rules' text),
 * `text` also from its charset to UTF-8 (what SpamAssassin renders, parses and tokenizes).
 */
interface TextPart {
  readonly part: MimePart;
  readonly raw: string;
  readonly text: string;
  readonly html: boolean;
  /** What the body rules read of it: `text` itself, or, for HTML, its rendered text. */
  readonly rendered: string;
  /** SpamAssassin keeps the part's text as octets, not characters (charset-normalize.ts). */
  readonly keptAsOctets: boolean;
}

/** A UTF-8 lead octet of a character over U+00FF. */
const WIDER_THAN_LATIN1 = /[\xc4-\xff]/;

/**
 * The body's text as SpamAssassin holds it when it never became characters: every part was
 * kept as octets (7-bit, so what is not ASCII here came from HTML entities) and no entity gave
 * a character over U+00FF, so HTML::Parser left each one under U+0100 a single octet (`&#149;`
 * is 0x95, `&copy;` 0xA9), and Message.pm's `\s` is ASCII's. Once one part holds characters,
 * Perl joins the parts as characters and every octet is UTF-8 again (as given here).
 */
function latin1Octets(text: string): string {
  return text.replace(/[\xc2\xc3][\x80-\xbf]/g, (pair) =>
    String.fromCharCode(((pair.charCodeAt(0) & 0x1f) << 6) | (pair.charCodeAt(1) & 0x3f)),
  );
}

/** The headers SpamAssassin's MESSAGEID pseudo-header joins, in its order. */
const MESSAGE_ID_HEADERS = [
  'x-message-id',
  'resent-message-id',
  'x-original-message-id',
  'message-id',
];

/** A header's value with each modifier (MODIFIER_SLOTS), undefined until asked for. */
type HeaderValues = (string | null | undefined)[];

const MODIFIER_SLOTS = { none: 0, raw: 1, addr: 2, name: 3, addrs: 4, names: 5 } as const;

/** What the views of one message compute from its content, each once, when first asked. */
interface SharedTexts {
  /** The summary the view was given (another one gets texts of its own). */
  readonly summary: MessageSummary;
  readonly read: ReadStructure;
  bodyLines: string[] | undefined;
  rawLines: string[] | undefined;
  /** The URIs by the TLD list they were found with (normally one list). */
  readonly uriLists: WeakMap<ReadonlySet<string>, string[]>;
  fullText: string | undefined;
  /** Header values by name as asked for, then modifier (MODIFIER_SLOTS); null (absent) too. */
  readonly headers: Map<string, HeaderValues>;
  rootHeaders: ReturnType<typeof parseHeaders> | undefined;
  readonly partHeaders: Map<MimePart, ReturnType<typeof parseHeaders>>;
  /** mimeHeader's values by name (lower case) and rawness. */
  readonly mimeHeaders: Map<string, readonly string[]>;
  textParts: TextPart[] | undefined;
  readonly htmlLinks: string[];
}

// Keyed by the message's octets, with the summary checked: a view of the same octets with
// another summary (a caller's own parse) gets texts of its own.
const sharedTexts = new WeakMap<Uint8Array, SharedTexts>();

function sharedTextsOf(bytes: Uint8Array, summary: MessageSummary): SharedTexts {
  const known = sharedTexts.get(bytes);
  if (known && known.summary === summary) return known;
  const texts: SharedTexts = {
    summary,
    read: readStructure(bytes, summary),
    bodyLines: undefined,
    rawLines: undefined,
    uriLists: new WeakMap(),
    fullText: undefined,
    headers: new Map(),
    rootHeaders: undefined,
    partHeaders: new Map(),
    mimeHeaders: new Map(),
    textParts: undefined,
    htmlLinks: [],
  };
  sharedTexts.set(bytes, texts);
  return texts;
}

/**
 * A field's value as Message.pm stores it: all after the colon, the space after it and the
 * folds included, in LF line ends, cut after MAX_HEADER_VALUE_LENGTH octets where `cut` (the
 * message's own header; a MIME part's header is not cut). Raw (`Name:raw`, `Date:<TAB>...` is
 * `\t...`, which __KB_DATE_CONTAINS_TAB looks for), or unfolded and decoded.
 */
function headerText(bytes: Uint8Array, field: HeaderField, raw: boolean, cut = true): string {
  const written = bytesToBinaryString(bytes.subarray(field.valueStart, field.end));
  const stored = written.replace(/\r\n/g, '\n');
  if (cut && stored.length > MAX_HEADER_VALUE_LENGTH) {
    // A value cut short ends where it was cut, in no line break.
    const kept = stored.slice(0, MAX_HEADER_VALUE_LENGTH);
    return raw ? kept : `${textToBinaryString(decodeEncodedWords(unfoldedValue(kept)))}\n`;
  }
  if (raw) return `${stored.replace(/\n$/, '')}\n`;
  // Unfolded from the value as written: Node.pm drops one CR before each LF it unfolds.
  return `${textToBinaryString(decodeEncodedWords(unfoldedValue(written)))}\n`;
}

/**
 * A value unfolded as SpamAssassin's Node.pm `header()` unfolds it: each line break
 * with the spaces and tabs after it one space, the ends trimmed (whitespace inside a line is
 * kept). Dropping the line breaks alone kept a fold's indent, so `06:05:19\n    +0100` read
 * `06:05:19    +0100`, which the Received date pattern of the date checks (single spaces) and
 * header rules written for one space do not match.
 */
function unfoldedValue(value: string): string {
  const raw = trimPerlSpaces(unfold(value));
  // An ASCII value reads the same in every charset decodeHeaderBytes might choose (most do):
  // it is its own text, without the round trip through a byte array.
  if (ASCII_ONLY.test(raw)) return raw;
  return decodeHeaderBytes(Buffer.from(raw, 'latin1'));
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * A display name as get() gives it: its encoded words and charset decoded, and, unless it is
 * all white space, its white space squeezed and trimmed and single quotes around the whole
 * taken off.
 */
function displayName(phrase: string): string {
  const name = textToBinaryString(
    decodeEncodedWords(
      ASCII_ONLY.test(phrase) ? phrase : decodeHeaderBytes(Buffer.from(phrase, 'latin1')),
    ),
  );
  if (!/[^\t\n\x0b\f\r ]/.test(name)) return name;
  return name
    .replace(/[\t\n\x0b\f\r ]+/g, ' ')
    .replace(/^ | $/g, '')
    .replace(/^'(.*)'$/, '$1');
}

/**
 * A value's lines joined as Node.pm joins them, in one pass: a CR before an LF dropped, an LF
 * with the spaces and tabs after it one space (an LF followed by neither dropped). A value on
 * one line (most) is only cut before its line ending.
 */
function unfold(value: string): string {
  const firstBreak = value.indexOf('\n');
  if (firstBreak < 0) return value;
  if (firstBreak === value.length - 1)
    return value.charCodeAt(firstBreak - 1) === 0x0d
      ? value.slice(0, firstBreak - 1)
      : value.slice(0, firstBreak);
  let out = '';
  let copied = 0;
  for (let at = firstBreak; at >= 0; at = value.indexOf('\n', at + 1)) {
    const lineEnd = at > copied && value.charCodeAt(at - 1) === 0x0d ? at - 1 : at;
    out += value.slice(copied, lineEnd);
    let next = at + 1;
    while (value.charCodeAt(next) === 0x20 || value.charCodeAt(next) === 0x09) next++;
    if (next > at + 1) out += ' ';
    copied = next;
    at = next - 1;
  }
  return out + value.slice(copied);
}

/** Perl's \s at both ends on octets: not JavaScript's trim(), which would also take the octet A0. */
function trimPerlSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPerlSpace(text.charCodeAt(start))) start++;
  while (end > start && isPerlSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Space, tab, CR, form feed, vertical tab: the class the unfolded value is trimmed of. */
function isPerlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0c || code === 0x0b;
}

/** Message.pm's MAX_BODY_LINE_LENGTH: a longer line is cut into pieces. */
const MAX_BODY_LINE_LENGTH = 2048;

/**
 * SpamAssassin's body lines (Message.pm's get_body_text_array_common, then
 * split_into_array_of_short_lines): a run of white space holding two line breaks or more is one
 * line break, the rest of the white space is squeezed to single spaces, and the text is cut
 * into lines, each but the last ending in its line break (a pattern's `\s` at a line's end
 * matches it, as FILL_THIS_FORM_LOAN's `<FF_BLANK2>$` does). A line keeps the space it starts
 * or ends with: Bayes lowers a first word in Title Case only at the very start. A line over
 * 2,048 octets is cut after its last space within them, else at 2,048. White space is ASCII's,
 * as Perl's `\s` on octets: Unicode white space is already spaces (unicodeSpacesToSpaces), and the
 * octet 0xA0 alone is not one in UTF-8 (the end of "à"). A NUL in the text is a line break, as
 * there (Message.pm marks the breaks with NULs while it squeezes).
 */
function bodyLines(text: string): string[] {
  const squeezed = text
    .replace(/\n+[ \t\n\r\f\x0b]*\n+/g, '\0')
    .replace(/[ \t\n\r\f\x0b]+/g, ' ')
    .replace(/\0/g, '\n');
  const out: string[] = [];
  for (let line of squeezed.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    while (line.length > MAX_BODY_LINE_LENGTH) {
      const length = line.lastIndexOf(' ', MAX_BODY_LINE_LENGTH) + 1 || MAX_BODY_LINE_LENGTH;
      out.push(line.slice(0, length));
      line = line.slice(length);
    }
    out.push(line);
  }
  return out;
}
