import { type MimeParameter, type MimePart, mediaType } from '@mailyard/mime';

/** Message::Node's effective_type test on a part's name: `.html`, `.htm`, `.shtml`, `.shtm`. */
const HTML_NAME = /\.s?html?$/i;

/**
 * A part's type as SpamAssassin's rules read it (Message::Node's effective_type, bugs 6260 and
 * 6439): a part whose name ends in `.html` (and the like) is HTML whatever its declared type, so
 * an `application/octet-stream` attachment named `warezcds.html` is rendered, parsed as HTML and
 * read by the rawbody rules (spam-1/00219, 00271). The name is the Content-Disposition's
 * (`filename` or `name`, the first written) or else the Content-Type's, as _parse_normal takes it.
 */
export function effectiveMediaType(part: MimePart): string {
  const name =
    firstName(part.disposition?.parameters ?? []) ?? firstName(part.contentType.parameters);
  return name !== null && HTML_NAME.test(name) ? 'text/html' : mediaType(part);
}

function firstName(parameters: readonly MimeParameter[]): string | null {
  const found = parameters.find((p) => /^(?:file)?name$/i.test(p.name));
  return found === undefined || found.value === '' ? null : found.value;
}
