import type { ConnectionOptions } from 'node:tls';

/** A remote mailbox to fetch (Kerio's POP3 Download account, Admin Guide 12.4). */
export interface Pop3DownloadAccount {
  /** A stable name for the account's state (what was downloaded); e.g. `company@pop3.provider.com`. */
  readonly id: string;
  readonly description?: string;
  /** Default true. */
  readonly enabled?: boolean;
  /** The POP3 server's name or address. */
  readonly server: string;
  /** Default 110, or 995 with `security: 'ssl'`. */
  readonly port?: number;
  readonly user: string;
  readonly password: string;
  /** Kerio's "POP3 authentication": `plain` (USER/PASS, the default) or `apop`. */
  readonly authentication?: 'plain' | 'apop';
  /**
   * Kerio's "Use SSL": `ssl` (the "Special port", implicit TLS), `stls` (the "STLS command"),
   * or `none` (the default).
   */
  readonly security?: 'none' | 'ssl' | 'stls';
  /** Node TLS options (`ca`, `servername`, ...) for `ssl` and `stls`. */
  readonly tlsOptions?: ConnectionOptions;
  /**
   * "Deliver to address": every message to one address (user, group, alias or external); or
   * "Use sorting rules" with a preferred header (X-Envelope-To, Received, Delivered-To or any
   * other name; default `Received`, as Kerio's).
   */
  readonly delivery:
    | { readonly type: 'address'; readonly address: string }
    | { readonly type: 'sort'; readonly preferredHeader?: string };
  /** "Drop duplicate messages": identical copies are delivered once. Default false. */
  readonly dropDuplicates?: boolean;
  /**
   * "Per session download limits": total octets and messages per session; 0 (the default) is
   * no limit. The rest waits for the next session.
   */
  readonly limits?: { readonly totalSize?: number; readonly messageCount?: number };
  /**
   * "Retention policy": by default messages are deleted on the server once delivered; with
   * `leaveCopy` they stay, and with `removeAfterDays` (> 0) they are deleted that many days
   * after they were downloaded.
   */
  readonly retention?: { readonly leaveCopy: boolean; readonly removeAfterDays?: number };
}
