import { envelopeToImap } from './envelope.js';
import type { ImapValue, ImapViewOptions } from './imap-value.js';
import type { MimeParameter } from './mime-parameters.js';
import type { MimePart } from './mime-part.js';

/**
 * IMAP's `BODYSTRUCTURE` (with extension data) or `BODY` (without) of a part, as RFC 9051
 * section 7.5.2 defines them, with Dovecot's choices where the RFC leaves room:
 * - type, subtype, parameter names and values keep the case they were written in;
 * - a text part without a charset parameter gets `("charset" "us-ascii")` appended (RFC 2045's
 *   default, made explicit); a missing transfer encoding is `"7bit"`;
 * - the language is always a list; a disposition without type is `("" NIL)`;
 * - a message whose header says no more than the defaults (`text/plain; charset=us-ascii`, 7bit,
 *   no other MIME field) is described in lower case; so are encapsulated-message types.
 * `message/global` is described like `message/rfc822` (envelope, body, lines), as RFC 9051 does.
 */
export function bodyStructure(
  root: MimePart,
  extended: boolean,
  options: ImapViewOptions = {},
): ImapValue {
  if (isPlainDefault(root)) {
    const fields: ImapValue[] = ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit'];
    fields.push(root.end - root.bodyStart, root.lines);
    return extended ? [...fields, null, null, null, null] : fields;
  }
  return describe(root, extended, options);
}

function describe(part: MimePart, extended: boolean, options: ImapViewOptions): ImapValue {
  if (part.parts) {
    const fields: ImapValue[] = part.parts.map((child) => describe(child, extended, options));
    fields.push(part.contentType.subtype);
    if (extended) {
      fields.push(parameterList(part.contentType.parameters), ...extensionTail(part));
    }
    return fields;
  }

  const { type, subtype } = part.message
    ? { type: 'message', subtype: part.contentType.subtype.toLowerCase() }
    : part.contentType;
  const fields: ImapValue[] = [
    type,
    subtype,
    parameterList(withDefaultCharset(part)),
    part.id,
    part.description,
    part.encoding ?? '7bit',
    part.end - part.bodyStart,
  ];
  if (part.message) {
    fields.push(
      envelopeToImap(part.message.envelope, options),
      describe(part.message.body, extended, options),
      part.lines,
    );
  } else if (type.toLowerCase() === 'text') {
    fields.push(part.lines);
  }
  if (extended) fields.push(part.md5, ...extensionTail(part));
  return fields;
}

/** Whether a header says nothing beyond what RFC 2045 assumes when it says nothing. */
function isPlainDefault(part: MimePart): boolean {
  const { type, subtype, parameters } = part.contentType;
  const [only, ...more] = parameters;
  return (
    type.toLowerCase() === 'text' &&
    subtype.toLowerCase() === 'plain' &&
    (only === undefined ||
      (more.length === 0 &&
        only.name.toLowerCase() === 'charset' &&
        only.value.toLowerCase() === 'us-ascii')) &&
    (part.encoding === null || part.encoding.toLowerCase() === '7bit') &&
    part.id === null &&
    part.description === null &&
    part.md5 === null &&
    part.disposition === null &&
    part.language === null &&
    part.location === null
  );
}

/** body-fld-dsp, body-fld-lang and body-fld-loc: what every extended body ends with. */
function extensionTail(part: MimePart): ImapValue[] {
  const disposition = part.disposition && [
    part.disposition.type,
    parameterList(part.disposition.parameters),
  ];
  return [disposition, part.language && [...part.language], part.location];
}

function withDefaultCharset(part: MimePart): readonly MimeParameter[] {
  const { type, parameters } = part.contentType;
  if (type.toLowerCase() !== 'text' || parameters.some((p) => p.name.toLowerCase() === 'charset')) {
    return parameters;
  }
  return [...parameters, { name: 'charset', value: 'us-ascii' }];
}

function parameterList(parameters: readonly MimeParameter[]): ImapValue {
  return parameters.length === 0 ? null : parameters.flatMap((p) => [p.name, p.value]);
}
