import type { Envelope, EnvelopeRecipient } from '../envelope.js';
import type { SmtpReply } from '../protocol/smtp-reply.js';

/** What the session knows about its connection and client, passed to every hook. */
export interface SessionInfo {
  /** Unique per connection, for logs. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The listener's name (`smtp`, `smtps`, `submission`, `lmtp`). */
  readonly listener: string;
  /** TLS is on (implicit TLS or after STARTTLS). */
  readonly secure: boolean;
  /** The name the client gave in EHLO/HELO/LHLO, once it did. */
  readonly clientName: string | null;
  /** The account the client authenticated as (SMTP AUTH), once it did. */
  readonly user: string | null;
  /** The transaction so far (after MAIL FROM). */
  readonly envelope: Envelope | null;
}

/**
 * What an application decides, as asynchronous hooks. Each may answer with any reply (a 4xx or
 * 5xx refuses, and the session goes on as SMTP says), or nothing (the session's default answer).
 * A hook that throws gets `451 4.3.0` for the client and the error in the logger.
 */
export interface SmtpServerHooks {
  /** A client connected; refuse it (554) or let it go on. */
  onConnect?(session: SessionInfo): Promise<SmtpReply | void>;
  /** EHLO, HELO or LHLO with this name. */
  onHelo?(name: string, session: SessionInfo): Promise<SmtpReply | void>;
  /** SMTP AUTH finished: `user` is set, or `failed` says the attempt failed (for lockouts). */
  onAuth?(outcome: AuthOutcome, session: SessionInfo): Promise<SmtpReply | void>;
  /** MAIL FROM, with the parsed sender (`''` for `<>`) and parameters. */
  onMailFrom?(from: string, envelope: Envelope, session: SessionInfo): Promise<SmtpReply | void>;
  /** RCPT TO; refuse unknown recipients and relay attempts here. */
  onRcptTo?(recipient: EnvelopeRecipient, session: SessionInfo): Promise<SmtpReply | void>;
  /**
   * The message, streamed as it arrives, already with the session's Received header in front.
   * Resolve only when it is durably stored (the client is told 250 then). LMTP: answer one reply
   * per recipient, in envelope order.
   */
  onMessage?(
    envelope: Envelope,
    message: AsyncIterable<Uint8Array>,
    session: SessionInfo,
  ): Promise<SmtpReply | SmtpReply[] | void>;
  /** ETRN (RFC 1985): release held mail for a domain (`@domain`, `#queue` or `domain`). */
  onEtrn?(node: string, session: SessionInfo): Promise<SmtpReply | void>;
  /** VRFY; the default answers 252 (RFC 5321 3.5.3), never revealing users. */
  onVrfy?(argument: string, session: SessionInfo): Promise<SmtpReply | void>;
  /** The connection ended. */
  onClose?(session: SessionInfo): void;
}

export type AuthOutcome =
  | { readonly ok: true; readonly user: string; readonly mechanism: string }
  | {
      readonly ok: false;
      readonly mechanism: string;
      /**
       * A SASL failure reason (`invalid-credentials`, `malformed`, `cancelled`, ...), or why the
       * login guard refused before any credential was checked (`address-locked`,
       * `account-locked`, `throttled`).
       */
      readonly reason: string;
      readonly authenticationId?: string;
      /** This failure locked the client's address (the login guard's verdict): log it once. */
      readonly justLocked: boolean;
      /** This failure locked the account: log it once. */
      readonly accountJustLocked: boolean;
    };
