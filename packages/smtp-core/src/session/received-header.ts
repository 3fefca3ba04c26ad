import { formatRfc5322Date } from '@mailyard/mime';

export interface ReceivedFields {
  /** The name the client gave in EHLO/HELO. */
  readonly clientName: string;
  readonly clientAddress: string;
  /** The client address's reverse DNS name, when looked up. */
  readonly reverseName?: string;
  /** Our host name (Kerio's "Internet hostname"). */
  readonly hostname: string;
  /** The RFC 3848 protocol: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, LMTP, LMTPS, ... */
  readonly protocol: string;
  /** The queue id or session id, for tracing. */
  readonly id: string;
  /** The recipient, given only when there is exactly one (RFC 5321 4.4: `for` leaks Bcc otherwise). */
  readonly recipient?: string;
  readonly time: number;
  /** Minutes east of UTC for the date. */
  readonly offsetMinutes?: number;
  /** Kerio's "Hide local IP in Received headers": leave out the address of a trusted client. */
  readonly hideAddress?: boolean;
  /** Kerio's "Show program name and version": the comment after our name, or nothing. */
  readonly product?: string;
}

/**
 * The trace field a server prepends to every message it accepts (RFC 5321 4.4), folded at the
 * clauses so that lines stay short. Client-given names are cleaned of anything that could break
 * out of the field (CR, LF, parentheses).
 */
export function receivedHeader(fields: ReceivedFields): string {
  const clean = (text: string) => text.replace(/[\r\n()\\]/g, '').slice(0, 255) || 'unknown';
  const address = fields.hideAddress ? '' : ` [${fields.clientAddress}]`;
  const reverse = fields.reverseName
    ? clean(fields.reverseName)
    : fields.hideAddress
      ? ''
      : 'unknown';
  const detail = reverse || address ? ` (${reverse}${address})`.replace('( ', '(') : '';
  const product = fields.product ? ` (${clean(fields.product)})` : '';
  const recipient = fields.recipient ? `\r\n\tfor <${clean(fields.recipient)}>` : '';
  const date = formatRfc5322Date(fields.time, fields.offsetMinutes ?? 0);
  return (
    `Received: from ${clean(fields.clientName)}${detail}\r\n` +
    `\tby ${fields.hostname}${product} with ${fields.protocol} id ${fields.id}${recipient};\r\n` +
    `\t${date}\r\n`
  );
}

/** RFC 3848 `with` values: E for EHLO, S for TLS, A for authenticated; LMTP for LMTP. */
export function receivedProtocol(options: {
  extended: boolean;
  lmtp: boolean;
  tls: boolean;
  authenticated: boolean;
}): string {
  const base = options.lmtp ? 'LMTP' : options.extended ? 'ESMTP' : 'SMTP';
  if (!options.extended && !options.lmtp) return base;
  return `${base}${options.tls ? 'S' : ''}${options.authenticated ? 'A' : ''}`;
}
