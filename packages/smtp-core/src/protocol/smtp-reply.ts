/**
 * An SMTP reply (RFC 5321 section 4.2): a three-digit code, an optional enhanced status code
 * (RFC 3463, sent when ENHANCEDSTATUSCODES is in effect, RFC 2034), and one or more text lines.
 */
export interface SmtpReply {
  readonly code: number;
  /** `class.subject.detail`, e.g. `5.1.1`. */
  readonly enhanced?: string;
  readonly lines: readonly string[];
}

/**
 * The reply as it goes on the wire: `250-first`, `250-second`, `250 last`, each line CRLF-ended.
 * Text is cleaned of CR and LF so that nothing a hook returns can forge an extra reply line.
 */
export function formatReply(reply: SmtpReply, options: { enhancedStatusCodes: boolean }): Buffer {
  const lines = reply.lines.length > 0 ? reply.lines : [''];
  const prefix = options.enhancedStatusCodes && reply.enhanced ? `${reply.enhanced} ` : '';
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const separator = i === lines.length - 1 ? ' ' : '-';
    const text = lines[i]!.replace(/[\r\n]+/g, ' ');
    // RFC 2034 3: the enhanced code starts every line of a multi-line reply.
    const rest = `${prefix}${text}`;
    out += rest || separator === '-' ? `${reply.code}${separator}${rest}\r\n` : `${reply.code}\r\n`;
  }
  return Buffer.from(out, 'utf8');
}
