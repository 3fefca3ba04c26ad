import { randomUUID } from 'node:crypto';
import { IpAddressGroups, type RecentLogins } from '@mailyard/access-policy';
import type { LoginGuard } from '@mailyard/sasl';
import { type Directory, type Logger, type MailStore } from '@mailyard/mailstore-interface';
import {
  type DeliveryQueue,
  type Envelope,
  FilterRejection,
  KerioSmtpPolicy,
  type MailboxFilter,
  QueueError,
  type SmtpReply,
  type SmtpServer,
  type SessionInfo,
  type SmtpServerHooks,
  buildDsn,
  createSmtpServer,
  filterBeforeAccepting,
  wantsNotification,
} from '@mailyard/smtp-core';
import type { KerioLogs } from './kerio-logs.js';
import { type MailArchive, directionOf } from './mail-archive.js';
import { type ListenerPlan, listenersOn } from './listener-plan.js';
import type { MailServerConfig } from './server-config.js';
import type { TlsCredentials } from './self-signed-certificate.js';
import { sieveRefusal } from './sieve-before-accepting.js';
import type { RatingOutcome, SpamFilter } from './spam-filter.js';
import type { ContentScreen } from './content-screen.js';
import { screenMessage } from './message-screening.js';
import { sendContentNotices } from './content-notices.js';

export interface SmtpListenersOptions {
  readonly config: MailServerConfig;
  readonly plan: ListenerPlan;
  readonly directory: Directory;
  readonly store: MailStore;
  readonly queue: DeliveryQueue;
  readonly tls: TlsCredentials;
  /** The login guard the IMAP and POP3 listeners share: bad passwords count across protocols. */
  readonly loginGuard: LoginGuard;
  /** POP3 logins, for POP3-before-SMTP; null when it is off. */
  readonly pop3Logins: RecentLogins | null;
  readonly securityLog: (line: string) => void;
  readonly logs: KerioLogs;
  /** Archiving (Kerio 15.1): what it copies, and where. */
  readonly archive: MailArchive;
  /** The users' Sieve filter: run before the 250 for a message with one local recipient. */
  readonly filter?: MailboxFilter;
  /** Kerio's spam filter (13): rates every message before the client hears 250. */
  readonly spam: SpamFilter;
  /** Kerio's antivirus and attachment filter (14), after the spam filter. */
  readonly screen: ContentScreen;
  /** Bytes of a message held to rate and scan it whole (`screenMessage`'s window). */
  readonly screenWindow: number;
}

/**
 * SMTP on three ports, with Kerio's SMTP policy in front: `smtp` (STARTTLS offered, the greeting
 * delay if configured), `smtps` (TLS from the first byte) and `submission` (AUTH required before
 * MAIL, RFC 6409). Accepted mail goes into the durable queue; the client hears 250 only once it
 * is on disk.
 */
export function createSmtpListeners(options: SmtpListenersOptions): SmtpServer {
  const { config } = options;
  const logger = options.logs.logger('smtp');
  const policy = new KerioSmtpPolicy({
    directory: options.directory,
    // Full mailboxes and missing public folders are refused at RCPT, not bounced later.
    store: options.store,
    ipGroups: new IpAddressGroups(config.ipGroups),
    relay: {
      ...(config.relay.trustedGroup ? { trustedGroup: config.relay.trustedGroup } : {}),
      authenticated: config.relay.authenticated,
      ...(options.pop3Logins ? { pop3BeforeSmtp: options.pop3Logins } : {}),
      open: config.relay.open,
      hideTrustedAddresses: config.relay.hideLocalIp,
    },
    ipLimits: {
      ...(config.limits.exemptGroup ? { exemptGroup: config.limits.exemptGroup } : {}),
      messagesPerHour: config.limits.messagesPerHour,
      connectionsPerIp: config.limits.connectionsPerIp,
      unknownRecipients: config.limits.unknownRecipients,
    },
    sessionLimits: {
      recipients: config.limits.recipients,
      failedCommands: config.limits.failedCommands,
      messageSize: config.limits.messageSize,
      receivedHeaders: config.limits.receivedHeaders,
      textLine: config.limits.lineLength,
      inFlightPerClient: config.limits.inFlightPerClient,
      inFlightPerServer: config.limits.inFlightTotal,
    },
    loginGuard: options.loginGuard,
    lockoutFailures: config.authentication.lockoutFailures,
    accountLockoutFailures: config.authentication.accountLockoutFailures,
    auth: {
      sasl: {
        credentials: options.directory,
        hostname: config.hostname,
        service: 'smtp',
        // The mechanisms users.cfg's hashes can serve (no reversible passwords for CRAM-MD5).
        mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN', 'LOGIN'],
      },
      requireSecureAuth: config.authentication.requireSecureAuth,
    },
    greetingDelay: { ms: config.limits.greetingDelaySeconds * 1000 },
    securityLog: options.securityLog,
  });
  return createSmtpServer({
    hostname: config.hostname,
    sasl: policy.sasl,
    limits: policy.limits,
    loginGuard: options.loginGuard,
    logger,
    hooks: policy.hooks(applicationHooks(options, logger)),
    received: { hideAddress: policy.hideAddress, offsetMinutes: localOffsetMinutes() },
    tls: { cert: options.tls.cert, key: options.tls.key },
    listeners: listenersOn(options.plan, {
      smtp: { tls: 'starttls', greetingDelay: policy.greetingDelay },
      smtps: { tls: 'implicit' },
      submission: { tls: 'starttls', requireAuth: true },
    }),
  });
}

/** What the server itself decides after the policy: where messages go. */
function applicationHooks(options: SmtpListenersOptions, logger: Logger): SmtpServerHooks {
  const { spam } = options;
  const notices = {
    queue: options.queue,
    config: options.config.spam.antivirus,
    hostname: options.config.hostname,
    logger,
  };
  const beforeAccepting = options.filter
    ? filterBeforeAccepting({ directory: options.directory, filter: options.filter })
    : null;
  return {
    onMailFrom: (from, _envelope, session) => spam.atMailFrom(from, session),
    onRcptTo: (recipient, session) => spam.atRcptTo(recipient.address, session),
    onClose: (session) => spam.forget(session),
    onMessage: async (envelope, received, session) => {
      // Rated and scanned before the 250: a refusal is the client's to hear, not a bounce's.
      const screened = await screenMessage(
        { spam, screen: options.screen, window: options.screenWindow },
        { from: envelope.from, recipients: envelope.recipients.map((r) => r.address) },
        received,
        session,
      );
      if (screened.kind === 'answer') {
        const quarantine = options.config.spam.quarantineAddress;
        // The quarantine gets the message whole, so it is not sent one cut at the held start.
        if (screened.discarded && screened.whole && quarantine)
          await quarantineCopy(options, quarantine, screened.discarded, session, logger);
        if (screened.discarded && options.config.spam.bounceBlocked)
          await bounceBlocked(options, envelope, screened.discarded, session, logger);
        if (screened.caught)
          await sendContentNotices(
            notices,
            envelope,
            screened.caught,
            screened.reply.code >= 400 ? 'refused' : 'discarded',
            session.id,
          );
        return screened.reply;
      }
      const message = screened.message;
      // A Sieve reject of the one recipient refuses the message here (RFC 5429 2.2.1); the
      // script sees the spam filter's headers, as it does at delivery.
      const accepting = beforeAccepting ? await beforeAccepting(envelope) : {};
      const copy = (await archiveWanted(options, envelope)) ? await options.archive.begin() : null;
      try {
        const { queueId } = await options.queue.enqueue(
          envelope,
          copy ? copy.wrap(message) : message,
          {
            service: 'SMTP',
            user: session.user,
            senderHost: session.remoteAddress,
            ssl: session.secure,
          },
          accepting,
        );
        // Queued: the message is the client's no more. An archive copy that fails is the
        // operator's to know about, not a reason to have the client send it again.
        await copy?.commit(queueId).catch((error: unknown) => {
          logger.error('could not archive a message', { session: session.id, queueId, error });
          return copy.abort();
        });
        // Once the message is queued: a client told to retry would have them sent twice.
        if (screened.caught)
          await sendContentNotices(notices, envelope, screened.caught, 'delivered', session.id);
        return { code: 250, enhanced: '2.0.0', lines: [`Ok: queued as ${queueId}`] };
      } catch (error) {
        await copy?.abort();
        if (error instanceof FilterRejection)
          return sieveRefusal(options.queue, logger, error, envelope, session);
        if (!(error instanceof QueueError)) throw error;
        // The queue could not write: the client retries later, the operator must know now.
        if (error.code === 'io')
          logger.error('could not queue a message', { session: session.id, error });
        return queueRefusal(error);
      }
    },
  };
}

/** A blocked message's copy for the quarantine address, through the queue from `<>`. */
async function quarantineCopy(
  options: SmtpListenersOptions,
  address: string,
  rating: Extract<RatingOutcome, { kind: 'discard' }>,
  session: SessionInfo,
  logger: Logger,
): Promise<void> {
  const content = options.spam.quarantineCopy(rating.original, rating.rated);
  await options.queue
    .enqueue({ from: '', recipients: [{ address }] }, oneChunk(content), {
      service: 'SMTP',
      user: session.user,
      senderHost: session.remoteAddress,
      ssl: session.secure,
    })
    .catch((error: unknown) =>
      logger.error('could not queue the quarantine copy', { session: session.id, error }),
    );
}

/**
 * Kerio's "Send bounce message to the sender" for a blocked message (13.1, off by default): a
 * DSN (RFC 3464, smtp-core's `buildDsn`, the queue's own) from `<>` to the envelope sender, one
 * failed recipient each, with the message's header returned. Not for the null sender, nor for
 * recipients that asked for no failure report (NOTIFY=NEVER, RFC 3461).
 */
async function bounceBlocked(
  options: SmtpListenersOptions,
  envelope: Envelope,
  rating: Extract<RatingOutcome, { kind: 'discard' }>,
  session: SessionInfo,
  logger: Logger,
): Promise<void> {
  const recipients = envelope.recipients.filter((recipient) =>
    wantsNotification(envelope.from, recipient, 'FAILURE'),
  );
  if (recipients.length === 0) return;
  const now = Date.now();
  const hostname = options.config.hostname;
  const dsn = buildDsn({
    reportingMta: hostname,
    envelope: { ...envelope, recipients },
    recipients: recipients.map((recipient) => ({
      recipient,
      action: 'failed',
      status: '5.7.1',
      diagnostic: `550 5.7.1 Message rejected as spam by the spam filter (score ${rating.rated.score.toFixed(2)})`,
      lastAttempt: now,
    })),
    arrivalDate: now,
    date: now,
    utcOffset: localOffsetMinutes(),
    messageId: `${randomUUID()}@${hostname}`,
    original: rating.original,
    returnContent: 'headers',
  });
  await options.queue
    .enqueue(dsn.envelope, oneChunk(dsn.content), { service: 'DSN', report: 'failed' })
    .catch((error: unknown) =>
      logger.error('could not queue the bounce of a blocked message', {
        session: session.id,
        error,
      }),
    );
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Whether any recipient of the message makes it one the archive takes (by direction). */
async function archiveWanted(options: SmtpListenersOptions, envelope: Envelope): Promise<boolean> {
  if (!options.config.archive.enabled) return false;
  const isLocal = async (address: string) => {
    const at = address.lastIndexOf('@');
    if (at <= 0) return false;
    return (await options.directory.localDomain(address.slice(at + 1).toLowerCase())) !== null;
  };
  const senderIsLocal = envelope.from !== '' && (await isLocal(envelope.from));
  for (const recipient of envelope.recipients)
    if (options.archive.wants(directionOf(senderIsLocal, await isLocal(recipient.address))))
      return true;
  return false;
}

/** The server's offset from UTC now, for the dates in Received headers. */
function localOffsetMinutes(): number {
  return -new Date().getTimezoneOffset();
}

function queueRefusal(error: QueueError): SmtpReply {
  switch (error.code) {
    case 'too-big':
      return { code: 552, enhanced: '5.3.4', lines: ['Message too big'] };
    case 'stopped':
      return { code: 421, enhanced: '4.3.2', lines: ['Server shutting down, try again later'] };
    default:
      return { code: 451, enhanced: '4.3.0', lines: ['Could not queue the message, try again'] };
  }
}
