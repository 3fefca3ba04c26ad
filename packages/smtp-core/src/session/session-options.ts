import type { Clock, Logger } from '@mailyard/mailstore-interface';
import type { LoginGuard, SaslServer } from '@mailyard/sasl';
import type { InFlightBudget } from './in-flight-budget.js';
import type { SessionLimits } from './session-limits.js';
import type { SessionInfo, SmtpServerHooks } from './smtp-hooks.js';
import type { ConnectionDetails } from './session-transport.js';

export interface SmtpSessionOptions {
  /** Our name in the greeting, EHLO and Received (Kerio's "Internet hostname"). */
  readonly hostname: string;
  readonly hooks?: SmtpServerHooks;
  /**
   * Offers AUTH with these mechanisms; a function picks per connection (Kerio's "require secure
   * authentication" with an exempt IP group is two servers, one allowing plaintext).
   */
  readonly sasl?: SaslServer | ((connection: ConnectionDetails) => SaslServer | undefined);
  /** Submission (RFC 6409): MAIL needs AUTH first. */
  readonly requireAuth?: boolean;
  /**
   * Brute-force protection, shared with IMAP and POP3: consulted before AUTH checks any
   * credential (inside every SASL mechanism, around its credential lookup), told of every
   * outcome. `@mailyard/access-policy`'s `LoginGuard` fits; the engine imports no policy.
   */
  readonly loginGuard?: LoginGuard;
  /** Speak LMTP (RFC 2033) instead of SMTP. */
  readonly lmtp?: boolean;
  readonly limits?: Partial<SessionLimits>;
  /**
   * The octets in flight this session counts against: shared by every session of a server
   * (`createSmtpServer` makes one from `limits.inFlightPerClient` and `inFlightPerServer`).
   * Without it, the session has its own, from its limits.
   */
  readonly inFlight?: InFlightBudget;
  /** Accept bare LF as a line ending in DATA (off: the SMTP smuggling defence). */
  readonly acceptBareLineEndings?: boolean;
  /** Answer EXPN (off by default, RFC 5321 7.3). */
  readonly expn?: boolean;
  /** The greeting's text after the host name; the product name unless hidden. */
  readonly banner?: string;
  /** Received header options: hide the client address (Kerio), name the product, time zone. */
  readonly received?: {
    readonly hideAddress?: (session: SessionInfo) => boolean;
    readonly product?: string;
    readonly offsetMinutes?: number;
  };
  readonly clock?: Clock;
  readonly logger?: Logger;
}
