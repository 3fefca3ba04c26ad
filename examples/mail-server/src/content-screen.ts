import type { Logger } from '@mailyard/mailstore-interface';
import {
  type MimePart,
  decodeTransferEncoding,
  parseHeaders,
  parseMimeTree,
  type TransferEncoding,
} from '@mailyard/mime';
import type { SmtpReply } from '@mailyard/smtp-core';
import {
  type AttachmentRule,
  type BlockedAttachment,
  ClamdScanner,
  type VirusScanner,
  blockedAttachments,
  removeAttachments,
} from '@mailyard/spam-scoring';
import type { AntivirusStatistics } from './antivirus-statistics.js';
import type { AntivirusConfig, AttachmentFilterConfig } from './server-config.js';

/** A rule that takes every attachment: to count them, or to scan each on its own. */
const EVERY_ATTACHMENT: AttachmentRule = { type: 'mimetype', pattern: '*', action: 'block' };

/**
 * The header the server writes with the antivirus verdict, which Sieve's `virustest` reads
 * (RFC 5235: 1 clean, 2 a virus removed, 5 infected). One the sender wrote is removed.
 */
export const VIRUS_STATUS_HEADER = 'X-Virus-Status';

/** `virustest`'s level for a value of `X-Virus-Status` (undefined: not tested). */
export function virusLevel(value: string): number | undefined {
  const word = value
    .trim()
    .split(/[\s;(]/)[0]
    ?.toLowerCase();
  return word === 'clean' ? 1 : word === 'removed' ? 2 : word === 'infected' ? 5 : undefined;
}

/**
 * What the antivirus or the attachment filter caught in a message, for Kerio's notices (14.4,
 * 14.5): the sender's warning and the administrator's copies of the original and the filtered
 * message.
 */
export interface Caught {
  /** The message as it came (the spam filter's headers on it). */
  readonly original: Uint8Array;
  /** What was delivered, the caught parts replaced by notices; null when nothing was. */
  readonly filtered: Uint8Array | null;
  /** One line each: `the virus NAME`, `the attachment "x.exe" (application/x-msdownload)`. */
  readonly found: readonly string[];
}

export type ScreenOutcome = (
  | { readonly kind: 'deliver'; readonly bytes: Uint8Array }
  | { readonly kind: 'refuse'; readonly reply: SmtpReply }
  | { readonly kind: 'discard' }
) & { readonly caught?: Caught };

export interface ContentScreenOptions {
  readonly antivirus: AntivirusConfig;
  readonly attachments: AttachmentFilterConfig;
  /** The scanner; default clamd at `antivirus.clamd` when the antivirus is on. */
  readonly scanner?: VirusScanner;
  readonly securityLog: (line: string) => void;
  readonly logger: Logger;
  /** Kerio's antivirus statistics (14.6), counted for each message screened. */
  readonly statistics?: AntivirusStatistics;
  /** Called after the counters changed (the server writes them). */
  readonly counted?: () => void;
}

/**
 * Kerio's antivirus (Admin Guide 14.4) and attachment filter (14.5), after the spam filter and
 * before the queue: clamd scans the message; an infected one is discarded, refused, or
 * delivered with its infected attachments replaced by a notice (each attachment scanned on its
 * own to find them); then attachments the filter's rules block are replaced the same way.
 */
export class ContentScreen {
  private readonly scanner: VirusScanner | null;

  constructor(private readonly options: ContentScreenOptions) {
    const { antivirus } = options;
    this.scanner = antivirus.enabled
      ? (options.scanner ??
        new ClamdScanner({ ...clamdAddress(antivirus.clamd), timeoutMs: antivirus.timeoutMs }))
      : null;
  }

  /** The antivirus or the attachment filter is on: each reads the whole message. */
  get readsWholeMessage(): boolean {
    return this.scanner !== null || this.options.attachments.enabled;
  }

  async screen(
    envelope: { readonly from: string; readonly recipients: readonly string[] },
    original: Uint8Array,
  ): Promise<ScreenOutcome> {
    let bytes = original;
    if (this.options.statistics) {
      const attachments = blockedAttachments(parseMimeTree(original).root, [EVERY_ATTACHMENT]);
      this.count({ attachmentsChecked: attachments.length });
    }
    const found: string[] = [];
    const caught = (filtered: Uint8Array | null) =>
      found.length > 0 ? { caught: { original, filtered, found } } : {};
    if (this.scanner) {
      const outcome = await this.antivirus(envelope, bytes, found);
      if (outcome.kind !== 'deliver') return { ...outcome, ...caught(null) };
      bytes = outcome.bytes;
    }
    if (this.options.attachments.enabled) bytes = this.attachmentFilter(envelope, bytes, found);
    return { kind: 'deliver', bytes, ...caught(bytes) };
  }

  /**
   * A message larger than the server holds to scan (`window`): only its start is here, the rest
   * streams to the queue. The antivirus counts it as unscannable (delivered with
   * `X-Virus-Status: Unscanned`, or refused for good when unscannable mail is refused); the
   * attachment filter cannot rewrite what is not held, and lets it through.
   */
  async screenOversized(
    envelope: { readonly from: string; readonly recipients: readonly string[] },
    start: Uint8Array,
    window: number,
  ): Promise<ScreenOutcome> {
    if (!this.scanner) return { kind: 'deliver', bytes: start };
    this.options.logger.warn(
      `antivirus: a message from <${oneLine(envelope.from)}> is larger than ${window} bytes and was not scanned`,
    );
    if (this.options.antivirus.unscannable === 'reject')
      return {
        kind: 'refuse',
        reply: {
          code: 552,
          enhanced: '5.3.4',
          lines: [`Message too large to be scanned for viruses (more than ${window} bytes)`],
        },
      };
    return { kind: 'deliver', bytes: withVirusStatus(start, 'Unscanned') };
  }

  private count(change: Parameters<AntivirusStatistics['add']>[0]): void {
    if (!this.options.statistics) return;
    this.options.statistics.add(change);
    this.options.counted?.();
  }

  private async antivirus(
    envelope: { readonly from: string; readonly recipients: readonly string[] },
    bytes: Uint8Array,
    found: string[],
  ): Promise<ScreenOutcome> {
    const { antivirus } = this.options;
    let result;
    try {
      result = await this.scanner!.scan(bytes);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      // Kerio 14.4: a message that cannot be scanned is delivered with a warning, or refused.
      this.options.logger.warn(`antivirus: a message could not be scanned: ${why}`);
      if (antivirus.unscannable === 'reject')
        return {
          kind: 'refuse',
          reply: {
            code: 451,
            enhanced: '4.7.0',
            lines: ['The message could not be scanned for viruses, try again later'],
          },
        };
      return { kind: 'deliver', bytes: withVirusStatus(bytes, 'Unscanned') };
    }
    if (!result.infected) return { kind: 'deliver', bytes: withVirusStatus(bytes, 'Clean') };
    found.push(`the virus ${oneLine(result.signature)}`);
    this.count({ virusesFound: 1 });
    this.options.securityLog(
      `Found virus in mail from <${oneLine(envelope.from)}> to ${envelope.recipients
        .map((to) => `<${oneLine(to)}>`)
        .join(', ')}: ${oneLine(result.signature)}`,
    );
    if (antivirus.action === 'reject')
      return {
        kind: 'refuse',
        reply: { code: 554, enhanced: '5.7.1', lines: ['Message rejected: it carries a virus'] },
      };
    if (antivirus.action === 'strip') {
      const stripped = await this.stripInfected(bytes);
      if (stripped) return { kind: 'deliver', bytes: stripped };
    }
    return { kind: 'discard' };
  }

  /**
   * The message with every infected attachment replaced by a notice, or null when the virus is
   * not in an attachment (the body itself), or is still found after: then it is discarded.
   */
  private async stripInfected(bytes: Uint8Array): Promise<Uint8Array | null> {
    const infected: (BlockedAttachment & { signature: string })[] = [];
    for (const attachment of blockedAttachments(parseMimeTree(bytes).root, [EVERY_ATTACHMENT])) {
      const result = await this.scanner!.scan(decodedBody(bytes, attachment.part));
      if (result.infected) infected.push({ ...attachment, signature: result.signature });
    }
    if (infected.length === 0) return null;
    const stripped = removeAttachments(bytes, infected, (item) => {
      const found = infected.find((entry) => entry.part === item.part)!;
      return `The attachment ${item.filename ? `"${item.filename}" ` : ''}was removed: it carries the virus ${found.signature}.`;
    });
    const again = await this.scanner!.scan(stripped).catch(() => ({ infected: true }));
    if (again.infected) return null;
    const names = infected.map((item) => item.signature).join(', ');
    return withVirusStatus(stripped, `Removed (${names})`);
  }

  private attachmentFilter(
    envelope: { readonly from: string; readonly recipients: readonly string[] },
    bytes: Uint8Array,
    found: string[],
  ): Uint8Array {
    const blocked = blockedAttachments(parseMimeTree(bytes).root, this.options.attachments.rules);
    if (blocked.length === 0) return bytes;
    this.count({ prohibitedFound: blocked.length });
    for (const item of blocked)
      found.push(
        `the attachment ${item.filename ? `"${oneLine(item.filename)}" ` : ''}(${oneLine(item.mimeType)})`,
      );
    for (const item of blocked)
      this.options.securityLog(
        `Attachment ${oneLine(item.filename ?? item.mimeType)} removed from mail from <${oneLine(envelope.from)}> to ${envelope.recipients
          .map((to) => `<${oneLine(to)}>`)
          .join(', ')}: it matches the attachment filter rule ${oneLine(item.rule.pattern)}`,
      );
    return removeAttachments(
      bytes,
      blocked,
      (item) =>
        `The attachment ${item.filename ? `"${item.filename}" ` : ''}(${item.mimeType}) was removed: the server does not accept such attachments.`,
    );
  }
}

/** `host:port`, or a Unix socket's path. */
function clamdAddress(address: string): { socketPath: string } | { host: string; port: number } {
  const match = /^([^/:]+|\[[^\]]+\]):(\d+)$/.exec(address);
  if (!match) return { socketPath: address };
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

function decodedBody(bytes: Uint8Array, part: MimePart): Uint8Array {
  const body = bytes.subarray(part.bodyStart, part.end);
  const encoding = (part.encoding ?? '7bit').toLowerCase();
  return encoding === 'base64' || encoding === 'quoted-printable'
    ? decodeTransferEncoding(body, encoding as TransferEncoding)
    : body;
}

/** The verdict on top; any X-Virus-Status the sender wrote is removed. */
function withVirusStatus(bytes: Uint8Array, status: string): Uint8Array {
  const parsed = parseHeaders(bytes);
  const chunks: Uint8Array[] = [Buffer.from(`${VIRUS_STATUS_HEADER}: ${status}\r\n`)];
  let cursor = parsed.start;
  for (const field of parsed.fields) {
    if (field.key !== VIRUS_STATUS_HEADER.toLowerCase()) continue;
    chunks.push(bytes.subarray(cursor, field.start));
    cursor = field.end;
  }
  chunks.push(bytes.subarray(cursor));
  return Buffer.concat(chunks);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+/g, ' ');
}
