import { parseHeaders } from '@mailyard/mime';

/**
 * The Authentication-Results field (RFC 8601) the server writes with what it verified (SPF,
 * DKIM, DMARC, ARC), on top of the message. Fields the sender wrote that claim our authserv-id
 * are removed first (RFC 8601 5: a border MTA MUST, or a forger could say "dkim=pass" in our
 * name to the users' filters); those naming other servers are kept, as the RFC has it.
 */
export function withAuthenticationResults(
  bytes: Uint8Array,
  authservId: string,
  value: string | null,
): Uint8Array {
  const parsed = parseHeaders(bytes);
  const ours = authservId.toLowerCase();
  const chunks: Uint8Array[] = [];
  if (value !== null) chunks.push(Buffer.from(`Authentication-Results: ${value}\r\n`));
  let cursor = parsed.start;
  for (const field of parsed.fields) {
    if (field.key !== 'authentication-results') continue;
    if (authservIdOf(Buffer.from(parsed.rawValue(field)).toString('latin1')) !== ours) continue;
    chunks.push(bytes.subarray(cursor, field.start));
    cursor = field.end;
  }
  if (chunks.length === 0) return bytes;
  chunks.push(bytes.subarray(cursor));
  return Buffer.concat(chunks);
}

/**
 * The authserv-id a field's value starts with, lower-cased: comments and folding skipped, up to
 * the `;` or the version number after it (`mx.example.com 1; ...`).
 */
export function authservIdOf(value: string): string {
  const text = withoutComments(value).trim();
  const end = text.search(/[\s;]/);
  return (end < 0 ? text : text.slice(0, end)).toLowerCase();
}

/** RFC 5322 comments (nested, with quoted pairs) replaced by a space. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (depth > 0 && char === '\\') i++;
    else if (char === '(') depth++;
    else if (char === ')' && depth > 0) {
      depth--;
      if (depth === 0) out += ' ';
    } else if (depth === 0) out += char;
  }
  return out;
}
