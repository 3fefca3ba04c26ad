import { parseHeaders } from '@mailyard/mime';
import type { HeaderLine } from './spam-headers.js';

const encoder = new TextEncoder();

/**
 * The message as it is delivered: the spam headers on top (after any `Return-Path`/`Received`
 * the application adds later) and, when tagged, the prefix put before the Subject's value as
 * written (an encoded-word Subject keeps its encoding; a message without Subject gets one).
 * Earlier `X-Spam-*` headers, which a sender could forge, are removed. Pure.
 */
export function applyVerdictHeaders(
  message: Uint8Array,
  headers: readonly HeaderLine[],
  subjectTag: string | null,
): Uint8Array {
  const parsed = parseHeaders(message);
  const chunks: Uint8Array[] = [];
  for (const { name, value } of headers) chunks.push(encoder.encode(`${name}: ${value}\r\n`));
  let sawSubject = false;
  let cursor = parsed.start;
  for (const field of parsed.fields) {
    if (field.key.startsWith('x-spam-')) {
      chunks.push(message.subarray(cursor, field.start));
      cursor = field.end;
      continue;
    }
    if (field.key === 'subject' && subjectTag !== null && !sawSubject) {
      sawSubject = true;
      let valueStart = field.valueStart;
      while (message[valueStart] === 0x20 || message[valueStart] === 0x09) valueStart++;
      chunks.push(message.subarray(cursor, valueStart), encoder.encode(subjectTag));
      cursor = valueStart;
    }
  }
  if (subjectTag !== null && !sawSubject)
    chunks.push(encoder.encode(`Subject: ${subjectTag.trimEnd()}\r\n`));
  chunks.push(message.subarray(cursor));
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
