import {
  type MimePart,
  isMultipart,
  mediaType,
  parameterValue,
  decodeEncodedWords,
} from '@mailyard/mime';
import { matchesWildcard } from './wildcard.js';

/** One rule of Kerio's attachment filter (14.5, Fig 14.3). */
export interface AttachmentRule {
  /** What the pattern is matched against. */
  readonly type: 'filename' | 'mimetype';
  /** A `*` pattern, case-insensitive: `*.exe`, `application/x-msdownload`, `application/*`. */
  readonly pattern: string;
  /** Block the attachment, or accept it ("no other rules will be applied"). */
  readonly action: 'block' | 'accept';
  readonly description?: string;
  /** Default true. */
  readonly enabled?: boolean;
}

/** Kerio's predefined rules, as data: all off, as the product ships them (the appendix blocks these). */
export const KERIO_ATTACHMENT_RULES: readonly AttachmentRule[] = Object.freeze(
  ['*.exe', '*.com', '*.bat', '*.vbs', '*.pif', '*.scr'].map((pattern) => ({
    type: 'filename' as const,
    pattern,
    action: 'block' as const,
    description: `${pattern.slice(2).toUpperCase()} files`,
    enabled: false,
  })),
);

export interface BlockedAttachment {
  readonly part: MimePart;
  readonly filename: string | null;
  readonly mimeType: string;
  readonly rule: AttachmentRule;
}

/**
 * The attachments the rules block: each leaf part of a multipart with a file name, an
 * `attachment` disposition or a non-text type is an attachment; the first enabled rule that
 * matches it (file name or MIME type, `*` wildcards) decides. Pure.
 */
export function blockedAttachments(
  root: MimePart,
  rules: readonly AttachmentRule[],
): BlockedAttachment[] {
  const active = rules.filter((rule) => rule.enabled !== false);
  const blocked: BlockedAttachment[] = [];
  const visit = (part: MimePart, isRoot: boolean) => {
    if (isMultipart(part)) return part.parts.forEach((child) => visit(child, false));
    if (part.message) return visit(part.message.body, false);
    const filename = filenameOf(part);
    const mimeType = mediaType(part);
    // The message's own body is never "an attachment": removing it would remove the message.
    if (isRoot) return;
    const attachment =
      filename !== null ||
      part.disposition?.type.toLowerCase() === 'attachment' ||
      !mimeType.startsWith('text/');
    if (!attachment) return;
    const rule = active.find((r) =>
      r.type === 'mimetype'
        ? matchesWildcard(r.pattern, mimeType)
        : filename !== null && matchesWildcard(r.pattern, filename),
    );
    if (rule?.action === 'block') blocked.push({ part, filename, mimeType, rule });
  };
  visit(root, true);
  return blocked;
}

function filenameOf(part: MimePart): string | null {
  const name =
    (part.disposition && parameterValue(part.disposition.parameters, 'filename')) ??
    parameterValue(part.contentType.parameters, 'name');
  return name ? decodeEncodedWords(name) : null;
}

const encoder = new TextEncoder();

/**
 * The message with each blocked attachment replaced by a short text part saying it was removed
 * (what Kerio delivers). Parts are replaced whole, MIME header included, inside their multipart,
 * so the structure stays valid. Pure.
 */
export function removeAttachments(
  message: Uint8Array,
  blocked: readonly BlockedAttachment[],
  notice: (b: BlockedAttachment) => string,
): Uint8Array {
  const ordered = [...blocked].sort((a, b) => a.part.headerStart - b.part.headerStart);
  const chunks: Uint8Array[] = [];
  let cursor = 0;
  for (const item of ordered) {
    if (item.part.headerStart < cursor) continue;
    chunks.push(message.subarray(cursor, item.part.headerStart));
    const text = notice(item).replace(/[\r\n]+/g, ' ');
    chunks.push(
      encoder.encode(
        `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}\r\n`,
      ),
    );
    cursor = item.part.end;
  }
  chunks.push(message.subarray(cursor));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
