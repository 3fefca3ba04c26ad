/**
 * One entry of the Error, Warning or Debug log as a single line: `{service} message`, then the
 * fields as `name=value`. Values that a client chose (login names, EHLO names, mailbox names) may
 * hold anything, so control characters are escaped and a line can never be split or forged by
 * what it reports; values with spaces or quotes are quoted. An error is written as its name and
 * message (its stack goes to stderr, not here).
 */
export function formatLogLine(
  service: string,
  message: string,
  fields: Readonly<Record<string, unknown>> = {},
): string {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${formatValue(value)}`);
  const text = `{${service}} ${escapeControls(message)}`;
  return parts.length === 0 ? text : `${text}; ${parts.join(' ')}`;
}

function formatValue(value: unknown): string {
  const text = describe(value);
  if (/^[\x21-\x7e]+$/.test(text) && !/["=;\\]/.test(text)) return text;
  // JSON's string syntax escapes quotes, backslashes and control characters; the two line
  // separators it leaves alone would still break a line in some viewers.
  return JSON.stringify(text).replace(/[\u2028\u2029]/g, escape);
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[unprintable]';
  }
}

function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, escape);
}

function escape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
