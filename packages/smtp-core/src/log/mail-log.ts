/**
 * Kerio's Mail log (Admin Guide 24): a `Recv:` line when a message enters the queue and a
 * `Sent:` line per recipient and attempt, with fields in Kerio's order:
 *
 *     [30/Nov/2005 17:57:14] Recv: Queue-ID: 438dd9ea-00000000, Service: SMTP, From: <jwayne@company.com>, To: <jwayne@company.com>, Size: 1229, User: jwayne@company.com, Sender-Host: 195.39.55.2, SSL: yes
 *     [30/Nov/2005 17:57:15] Sent: Queue-ID: 438dd9ea-00000000, Recipient: <wsmith@company.com>, Result: delivered, Status: 2.0.0
 *
 * The queue produces entries; a {@link MailLog} sink decides where they go. {@link textMailLog}
 * writes Kerio's lines.
 */
export type MailLogEntry = MailLogReceived | MailLogSent;

export interface MailLogReceived {
  readonly kind: 'recv';
  /** UTC milliseconds. */
  readonly time: number;
  readonly queueId: string;
  /** `SMTP`, `HTTP`, `DSN`, `List`, or what the application calls its source. */
  readonly service: string;
  /** The reverse-path, `''` for `<>`. */
  readonly from: string;
  readonly to: readonly string[];
  /** Octets of the message, without the envelope. */
  readonly size: number;
  /** The SMTP AUTH user; Kerio shows none for anonymous sessions. */
  readonly user?: string | null;
  readonly senderHost?: string;
  /** Whether the SMTP session was encrypted; shown for SMTP only, as Kerio does. */
  readonly ssl?: boolean;
  /** For a DSN: what it reports (`failed`, `delayed`, `delivered`, `relayed`). */
  readonly report?: string;
  /** For a mailing list's own messages: what they answer (`subscribe response`). */
  readonly answer?: string;
}

export interface MailLogSent {
  readonly kind: 'sent';
  readonly time: number;
  readonly queueId: string;
  readonly recipient: string;
  /**
   * `delivered`, or `failed` for anything else: Kerio's Status tells a temporary failure (4.x.x,
   * retried) from a permanent one (5.x.x).
   */
  readonly result: 'delivered' | 'failed';
  /** The enhanced status code (RFC 3463). */
  readonly status: string;
}

/** Where the queue's Mail log entries go; injected, never global. */
export interface MailLog {
  write(entry: MailLogEntry): void;
}

export const silentMailLog: MailLog = { write() {} };

/** The line after the time stamp, exactly as Kerio writes it. */
export function formatMailLogEntry(entry: MailLogEntry): string {
  if (entry.kind === 'sent') {
    return `Sent: Queue-ID: ${entry.queueId}, Recipient: <${clean(entry.recipient)}>, Result: ${entry.result}, Status: ${entry.status}`;
  }
  const fields = [
    `Queue-ID: ${entry.queueId}`,
    `Service: ${clean(entry.service)}`,
    `From: <${clean(entry.from)}>`,
    `To: ${entry.to.map((address) => `<${clean(address)}>`).join(', ')}`,
    `Size: ${entry.size}`,
  ];
  if (entry.user) fields.push(`User: ${clean(entry.user)}`);
  if (entry.senderHost) fields.push(`Sender-Host: ${clean(entry.senderHost)}`);
  if (entry.service === 'SMTP' && entry.ssl !== undefined)
    fields.push(`SSL: ${entry.ssl ? 'yes' : 'no'}`);
  if (entry.report) fields.push(`Report: ${clean(entry.report)}`);
  if (entry.answer) fields.push(`Answer: ${clean(entry.answer)}`);
  return `Recv: ${fields.join(', ')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Kerio's time stamp, `[30/Nov/2005 17:57:14]`, in the server's local time: `offset` is its
 * offset from UTC in minutes at that moment (a function, for zones with daylight saving).
 */
export function formatLogTimestamp(
  time: number,
  offset: number | ((time: number) => number) = 0,
): string {
  const minutes = typeof offset === 'function' ? offset(time) : offset;
  const local = new Date(time + minutes * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `[${two(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()} ${two(
    local.getUTCHours(),
  )}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}]`;
}

/** A Mail log that writes Kerio's lines (time stamp, a space, the entry) to `write`. */
export function textMailLog(options: {
  readonly write: (line: string) => void;
  /** The server's offset from UTC in minutes, or a function of the time; default 0 (UTC). */
  readonly utcOffset?: number | ((time: number) => number);
}): MailLog {
  return {
    write(entry) {
      options.write(
        `${formatLogTimestamp(entry.time, options.utcOffset)} ${formatMailLogEntry(entry)}`,
      );
    },
  };
}

/** Addresses and names come from the network: nothing in them may start a new log line. */
function clean(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, '?');
}
