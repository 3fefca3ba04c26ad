import type { Envelope, MessageSource, RecipientResult } from '../envelope.js';
import type { ReplyParserLimits } from '../protocol/reply-parser.js';
import { replyText } from '../protocol/reply-parser.js';
import type { ClientTransport } from './client-transport.js';
import type { SmtpCredentials } from './sasl-client.js';
import { SmtpClientError, type SmtpClientErrorKind } from './smtp-client-error.js';
import {
  type AuthenticateOptions,
  type SendOptions,
  SmtpClientSession,
} from './smtp-client-session.js';

/**
 * STARTTLS policy: `never`; `opportunistic`, TLS when the server offers it and the clear
 * otherwise (RFC 7435; Kerio's "Use SSL if supported by remote SMTP server"); `required`, no
 * mail without TLS.
 */
export type StartTlsPolicy = 'never' | 'opportunistic' | 'required';

export interface ConversationOptions extends SendOptions {
  /** Our host name for EHLO. */
  readonly clientName: string;
  readonly lmtp?: boolean;
  /** The server's name for Remote-MTA in results. */
  readonly remoteMta?: string;
  /** Default `opportunistic`. Ignored on a connection that is already TLS (implicit TLS). */
  readonly startTls?: StartTlsPolicy;
  /** Log in after EHLO (and STARTTLS); mail is not sent when the login fails. */
  readonly credentials?: SmtpCredentials;
  readonly auth?: AuthenticateOptions;
  /**
   * Recipients per transaction; more are sent in further transactions on the same connection.
   * Default 100, the number RFC 5321 4.5.3.1.8 says every server must accept.
   */
  readonly maxRecipientsPerTransaction?: number;
  readonly replyLimits?: Partial<ReplyParserLimits>;
}

export interface ConversationOutcome {
  /** One per envelope recipient, in envelope order. */
  readonly results: RecipientResult[];
  /**
   * The conversation failed before any transaction began (greeting, EHLO, STARTTLS, AUTH, or the
   * connection): nothing was handed over, so the next MX may be tried at once.
   */
  readonly beforeTransaction: boolean;
  /** Opportunistic STARTTLS was tried and the handshake failed: the host may work in the clear. */
  readonly tlsHandshakeFailed: boolean;
}

/**
 * A whole client conversation on a connected transport: greeting, EHLO, STARTTLS per policy,
 * AUTH, the transactions, QUIT. Never rejects: every failure becomes a result per recipient
 * (deferred when trying again may help, as a broken connection or a refused login).
 */
export async function runSmtpConversation(
  transport: ClientTransport,
  envelope: Envelope,
  message: MessageSource,
  options: ConversationOptions,
): Promise<ConversationOutcome> {
  const session = new SmtpClientSession(transport, {
    clientName: options.clientName,
    ...(options.lmtp ? { lmtp: true } : {}),
    ...(options.remoteMta ? { remoteMta: options.remoteMta } : {}),
    ...(options.replyLimits ? { replyLimits: options.replyLimits } : {}),
  });
  const policy = options.startTls ?? 'opportunistic';
  let stage: 'session' | 'starttls' | 'transaction' = 'session';
  const results = new Map<string, RecipientResult>();
  try {
    await session.readGreeting();
    await session.hello();
    if (!transport.secure && policy !== 'never') {
      if (session.supports('STARTTLS')) {
        stage = 'starttls';
        await session.startTls();
        stage = 'session';
      } else if (policy === 'required') {
        throw new SmtpClientError('tls', 'TLS is required and the server does not offer STARTTLS');
      }
    }
    if (options.credentials) await session.authenticate(options.credentials, options.auth);
    stage = 'transaction';
    const batch = Math.max(1, options.maxRecipientsPerTransaction ?? 100);
    for (let i = 0; i < envelope.recipients.length; i += batch) {
      const part = { ...envelope, recipients: envelope.recipients.slice(i, i + batch) };
      for (const result of await session.send(part, message, options)) {
        results.set(result.recipient, result);
      }
    }
  } catch (error) {
    const failure =
      error instanceof SmtpClientError
        ? error
        : new SmtpClientError('connection', String(error), undefined, { cause: error });
    const deferred = deferral(failure, options.remoteMta);
    for (const recipient of envelope.recipients) {
      if (!results.has(recipient.address)) {
        results.set(recipient.address, { ...deferred, recipient: recipient.address });
      }
    }
    await session.quit();
    return {
      results: envelope.recipients.map((r) => results.get(r.address)!),
      beforeTransaction: stage !== 'transaction',
      tlsHandshakeFailed: stage === 'starttls' && failure.kind === 'tls' && !failure.reply,
    };
  }
  await session.quit();
  return {
    results: envelope.recipients.map((r) => results.get(r.address)!),
    beforeTransaction: false,
    tlsHandshakeFailed: false,
  };
}

const ENHANCED_BY_KIND: Record<SmtpClientErrorKind, string> = {
  connection: '4.4.2',
  timeout: '4.4.2',
  protocol: '4.5.0',
  tls: '4.7.0',
  auth: '4.7.0',
  refused: '4.3.0',
  aborted: '4.3.0',
};

/**
 * A conversation that broke is a temporary failure for every recipient it had not decided yet,
 * whatever the server's code: a 5xx greeting or a refused login is a host's or a configuration's
 * trouble, not the recipient's (Postfix defers these too).
 */
function deferral(
  error: SmtpClientError,
  remoteMta: string | undefined,
): Omit<RecipientResult, 'recipient'> {
  const reply = error.reply;
  const temporary = reply && reply.code >= 400 && reply.code < 500;
  const code = temporary ? reply.code : 451;
  const enhancedCode = temporary && reply.enhanced ? reply.enhanced : ENHANCED_BY_KIND[error.kind];
  const diagnostic =
    temporary && error.kind === 'refused'
      ? replyText(reply)
      : `${code} ${enhancedCode} ${error.message}`;
  return {
    status: 'deferred',
    code,
    enhancedCode,
    diagnostic: diagnostic.replace(/\s+/g, ' ').trim(),
    ...(remoteMta && reply ? { remoteMta } : {}),
  };
}
