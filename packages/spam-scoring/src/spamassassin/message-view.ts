import {
  type HeaderField,
  type MessageSummary,
  type MimePart,
  decodeEncodedWords,
  decodeHeaderBytes,
  decodeTransferEncoding,
  fieldValue,
  isMultipart,
  parseAddressList,
  parseHeaders,
  transferEncodingOf,
} from '@mailyard/mime';
import { bytesToBinaryString, textToBinaryString } from './binary-string.js';
import { envelopeSenderOf } from './envelope-sender.js';
import { renderHtml } from './html-text.js';
import { normalizedText } from './charset-normalize.js';
import { noBreakSpacesToSpaces } from './no-break-space.js';
import { relayPseudoHeader, relaysOf } from './received-relays.js';
import {
  BODY_BREAKS,
  BODY_PART_SCAN_SIZE,
  RAWBODY_BREAKS,
  RAWBODY_PART_SCAN_SIZE,
  rawBodyPieces,
  truncateForScan,
} from './scan-size.js';
import { effectiveMediaType } from './effective-type.js';
import { unopenedMultipartPart } from './unopened-multipart.js';
import { extractUris } from './uri-extract.js';

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
 * header values (decoded, or raw), the rendered body in paragraphs with the Subject first,
 * the decoded raw body in lines, the URIs, and the full message. Every string is octets (see
 * binary-string.ts).
 */
export class SaMessageView {
  private paragraphs: string[] | undefined;
  private rawLines: string[] | undefined;
  private uriList: string[] | undefined;
  private fullText: string | undefined;
  private readonly headerCache = new Map<string, string | null>();
  private rootHeaders: ReturnType<typeof parseHeaders> | undefined;
  private readonly partHeaders = new Map<MimePart, ReturnType<typeof parseHeaders>>();
  /**
   * Each text part: `raw` decoded from its transfer encoding only (the rawbody rules' text),
   * `text` also from its charset to UTF-8 (what SpamAssassin renders, parses and tokenizes).
   */
  private textParts: { part: MimePart; raw: string; text: string; html: boolean }[] | undefined;
  private htmlLinks: string[] = [];

  constructor(
    readonly bytes: Uint8Array,
    readonly summary: MessageSummary,
    readonly envelope: ViewEnvelope = { mailFrom: null },
  ) {}

  /**
   * A header's value as SpamAssassin's `get` gives it: every occurrence, each ending in a newline;
   * null when there is none. Pseudo-headers: `ALL`, `ALL-EXTERNAL`, `ToCc`, `MESSAGEID`,
   * `EnvelopeFrom`.
   */
  header(name: string, modifier: HeaderModifier): string | null {
    // Case matters for ALL and MESSAGEID (MessageID is an ordinary, and absent, header).
    const key = `${name === 'ALL' || name === 'ALL-EXTERNAL' || name === 'MESSAGEID' ? name : name.toLowerCase()}:${modifier ?? ''}`;
    if (!this.headerCache.has(key)) this.headerCache.set(key, this.computeHeader(name, modifier));
    return this.headerCache.get(key)!;
  }

  /** Values of a header in every MIME part (the MIMEHeader plugin's `mimeheader`). */
  mimeHeader(name: string, raw: boolean): string[] {
    const values: string[] = [];
    const visit = (part: MimePart) => {
      // Each part's block parsed once per message, not once per mimeheader rule.
      let headers = this.partHeaders.get(part);
      if (!headers)
        this.partHeaders.set(part, (headers = parseHeaders(this.bytes, part.headerStart)));
      for (const field of headers.lookup(name)) values.push(headerText(this.bytes, field, raw));
      for (const child of part.parts ?? []) visit(child);
      if (part.message) visit(part.message.body);
    };
    for (const child of this.summary.body.parts ?? []) visit(child);
    if (!isMultipart(this.summary.body)) visit(this.summary.body);
    return values;
  }

  /**
   * The body rules' text: the Subject, then the rendered text parts, each cut at
   * BODY_PART_SCAN_SIZE as SpamAssassin cuts it, in paragraphs.
   */
  /** How many of body()'s first lines are the Subject (0 when there is none): 1 or 0. */
  bodySubjectLines(): number {
    return this.summary.subject === '' ? 0 : 1;
  }

  body(): readonly string[] {
    if (!this.paragraphs) {
      const subject = textToBinaryString(this.summary.subject);
      const text = this.parts()
        .map(({ text, html }) =>
          noBreakSpacesToSpaces(
            truncateForScan(html ? renderHtml(text).text : text, BODY_PART_SCAN_SIZE, BODY_BREAKS),
          ),
        )
        .join('\n');
      this.paragraphs = [subject, ...toParagraphs(text)].filter((p) => p !== '');
    }
    return this.paragraphs;
  }

  /**
   * The rawbody rules' text: text parts decoded from their transfer encoding, each cut at
   * RAWBODY_PART_SCAN_SIZE, in pieces of 2,048 to 4,096 octets as Message.pm gives them.
   */
  rawBody(): readonly string[] {
    this.rawLines ??= this.parts().flatMap(({ raw }) =>
      rawBodyPieces(truncateForScan(raw, RAWBODY_PART_SCAN_SIZE, RAWBODY_BREAKS)),
    );
    return this.rawLines;
  }

  uris(): readonly string[] {
    if (!this.uriList) {
      const texts = this.parts().map(({ text, html }) => (html ? renderHtml(text).text : text));
      this.uriList = extractUris(texts, this.htmlLinks);
    }
    return this.uriList;
  }

  /** The source of each HTML part, decoded from its transfer encoding and charset (UTF-8 octets). */
  htmlSources(): readonly string[] {
    return this.parts()
      .filter(({ html }) => html)
      .map(({ text }) => text);
  }

  /** The links of the HTML parts (`<a href>` and the like), as written. */
  links(): readonly string[] {
    this.parts();
    return this.htmlLinks;
  }

  full(): string {
    this.fullText ??= bytesToBinaryString(this.bytes);
    return this.fullText;
  }

  private parts(): { part: MimePart; raw: string; text: string; html: boolean }[] {
    if (!this.textParts) {
      this.textParts = [];
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
        const text = normalizedText(decoded, charset).replace(/\r\n?/g, '\n');
        const html = type === 'text/html';
        if (html) this.htmlLinks.push(...renderHtml(text).links);
        this.textParts!.push({ part, raw, text, html });
      };
      visit(this.summary.body);
    }
    return this.textParts;
  }

  private computeHeader(name: string, modifier: HeaderModifier): string | null {
    const lower = name.toLowerCase();
    // Parsed once per message: each header rule's name used to read the whole block again.
    const root = (this.rootHeaders ??= parseHeaders(this.bytes, this.summary.body.headerStart));
    // SpamAssassin's pseudo-headers: ALL and MESSAGEID by exact name, the others in any case.
    if (name === 'ALL' || name === 'ALL-EXTERNAL') {
      // ALL-EXTERNAL: the headers from the Received line of the first external hand-over down
      // (what external relays may have written); null when every relay is internal.
      const start = name === 'ALL' ? 0 : relaysOf(this).externalStart;
      let received = -1;
      const lines: string[] = [];
      for (const field of root.fields) {
        if (field.name.toLowerCase() === 'received') received++;
        if (name === 'ALL' || received >= start)
          lines.push(
            `${field.name}: ${headerText(this.bytes, field, modifier === 'raw').replace(/\n$/, '')}\n`,
          );
      }
      return name === 'ALL' || lines.length > 0 ? lines.join('') : null;
    }
    if (lower === 'envelopefrom') {
      // The MTA's word when it gave one; else what the headers say (envelope-sender.ts).
      const from = this.envelope.mailFrom ?? envelopeSenderOf(this);
      return from ? from : null;
    }
    // Relay pseudo-headers: the Received headers parsed, with the trust path (received-relays.ts).
    if (lower.startsWith('x-spam-relays-')) return relayPseudoHeader(this, lower);
    const names =
      lower === 'tocc'
        ? ['to', 'cc']
        : name === 'MESSAGEID'
          ? ['x-message-id', 'resent-message-id', 'x-original-message-id', 'message-id']
          : [lower];
    const fields = names.flatMap((n) => root.lookup(n));
    if (fields.length === 0) return null;
    if (modifier === 'addr' || modifier === 'name') {
      // As SpamAssassin's get(): the first address (or display name) alone, no newline.
      for (const field of fields) {
        const value = fieldValue(this.bytes, field);
        const mailboxes = parseAddressList(value).flatMap((entry) =>
          entry.type === 'mailbox' ? [entry] : entry.members,
        );
        for (const mailbox of mailboxes) {
          if (modifier === 'addr') return textToBinaryString(mailbox.address);
          if (mailbox.name !== null)
            return textToBinaryString(mailbox.name.replace(/\s+/g, ' ').trim());
        }
      }
      return null;
    }
    return fields.map((field) => headerText(this.bytes, field, modifier === 'raw')).join('');
  }
}

function headerText(bytes: Uint8Array, field: HeaderField, raw: boolean): string {
  if (raw) {
    let start = field.valueStart;
    while (bytes[start] === 0x20 || bytes[start] === 0x09) start++;
    return `${bytesToBinaryString(bytes.subarray(start, field.end))
      .replace(/\r?\n$/, '')
      .replace(/\r\n/g, '\n')}\n`;
  }
  return `${textToBinaryString(decodeEncodedWords(unfoldedValue(bytes, field)))}\n`;
}

/**
 * A field's value unfolded as SpamAssassin's Node.pm `header()` unfolds it: each line break
 * with the spaces and tabs after it one space, the ends trimmed (whitespace inside a line is
 * kept). Dropping the line breaks alone kept a fold's indent, so `06:05:19\n    +0100` read
 * `06:05:19    +0100`, which the Received date pattern of the date checks (single spaces) and
 * header rules written for one space do not match.
 */
function unfoldedValue(bytes: Uint8Array, field: HeaderField): string {
  const raw = bytesToBinaryString(bytes.subarray(field.valueStart, field.end))
    .replace(/\r(?=\n)/g, '')
    .replace(/\n[ \t]+/g, ' ')
    .replace(/\n/g, '')
    // Perl's \s on octets: not JavaScript's trim(), which would also take the octet A0.
    .replace(/^[ \t\r\f\v]+|[ \t\r\f\v]+$/g, '');
  return decodeHeaderBytes(Uint8Array.from(raw, (c) => c.charCodeAt(0)));
}

/**
 * SpamAssassin's paragraphs: text split at blank lines, each paragraph's whitespace (line
 * breaks, tabs) squeezed to single spaces, long ones cut into pieces. No-break spaces are
 * already spaces (noBreakSpacesToSpaces): the octet 0xA0 alone is not one in UTF-8.
 */
function toParagraphs(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n[ \t\r\x0b]*\n/)) {
    // Not trim(): JavaScript's trims U+00A0 too, which here is the octet A0 (the end of "à").
    const squeezed = block.replace(/[ \t\n\r\x0b]+/g, ' ').replace(/^ | $/g, '');
    if (squeezed === '') continue;
    for (let i = 0; i < squeezed.length; i += 2048) out.push(squeezed.slice(i, i + 2048));
  }
  return out;
}
