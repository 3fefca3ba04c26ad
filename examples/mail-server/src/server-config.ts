import { hostname as systemHostname } from 'node:os';
import {
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_FREE_ATTEMPTS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_MAX_WAIT_MS,
  type IpGroupItem,
  LOCAL_CLIENTS,
  LOCAL_CLIENTS_GROUP,
} from '@mailyard/access-policy';
import {
  type AttachmentRule,
  type CustomRule,
  type DnsBlacklist,
  KERIO_ATTACHMENT_RULES,
  KERIO_DNS_BLACKLISTS,
  SPAM_DEFAULTS,
} from '@mailyard/spam-scoring';
import { LISTENERS, type ListenerName } from './listener-names.js';

/**
 * The server's settings, as mailserver.cfg keeps them (Kerio Admin Guide 6, 12, 19; the
 * defaults are Kerio's where the guide gives one, its screenshots' values otherwise).
 */
export interface MailServerConfig {
  /** Kerio's "Internet hostname": the greeting, EHLO, Received headers, the certificate. */
  readonly hostname: string;
  /** The message store, relative to the data directory unless absolute. */
  readonly storePath: string;
  /**
   * A `postgres://` URL: the messages in PostgreSQL, shared by several servers
   * (@mailyard/mailstore-postgres); empty (the default) for the on-disk store at `storePath`.
   */
  readonly storeUrl: string;
  /** The IP address every listener binds to. */
  readonly listenAddress: string;
  /**
   * The load balancers allowed to send a PROXY protocol header (addresses or subnets) to the
   * listeners that expect one (`proxyProtocol`); from any other peer such a listener closes
   * the connection. Empty by default.
   */
  readonly trustedProxies: readonly string[];
  readonly listeners: Readonly<Record<ListenerName, ListenerConfig>>;
  readonly relay: RelayConfig;
  readonly limits: LimitsConfig;
  readonly authentication: AuthenticationConfig;
  readonly delivery: DeliveryConfig;
  /** The DNS servers the server asks (SPF, DKIM, DMARC, ARC, DNS blacklists, MX records). */
  readonly dns: DnsConfig;
  readonly queue: QueueConfig;
  readonly logging: LoggingConfig;
  /** Kerio 15.2: the scheduled backups of the store and the configuration. */
  readonly backup: BackupConfig;
  /** Kerio 15.1: copies of the mail that passes through, in folders by day, week or month. */
  readonly archive: ArchiveConfig;
  /** Kerio 13 and 14: spam rating, greylisting, the antivirus and the attachment filter. */
  readonly spam: SpamConfig;
  /** Named IP address groups (Kerio 19.1) that the settings above refer to. */
  readonly ipGroups: Readonly<Record<string, readonly IpGroupItem[]>>;
  /** Seconds in-flight transactions get to finish when the server is told to stop. */
  readonly shutdownGraceSeconds: number;
}

export interface ListenerConfig {
  readonly enabled: boolean;
  readonly port: number;
  /** Connections at once; 0 = unlimited (Kerio 6.1). */
  readonly maxConnections: number;
  /**
   * Expect a PROXY protocol header (HAProxy's v1 or v2) from a load balancer in
   * `trustedProxies` before anything else: the server then sees the client it names. Off by
   * default.
   */
  readonly proxyProtocol: boolean;
}

/** Kerio 12.2, "Allow relay only for": who may send mail to domains that are not ours. */
export interface RelayConfig {
  /** "Users from IP address group"; empty for none. */
  readonly trustedGroup: string;
  /** "Users authenticated through SMTP for outgoing mail". */
  readonly authenticated: boolean;
  /** "POP3 before SMTP": minutes of relay after a POP3 login from the same IP; 0 = off. */
  readonly pop3BeforeSmtpMinutes: number;
  readonly open: boolean;
  /** "Hide local IP in Received headers" for clients of the trusted group. */
  readonly hideLocalIp: boolean;
}

/** Kerio 12.2, Security Options; every 0 means no limit. */
export interface LimitsConfig {
  readonly messagesPerHour: number;
  readonly connectionsPerIp: number;
  /** Concurrent POP3 connections (pop3 and pop3s together) from one IP; Kerio's SMTP figure. */
  readonly pop3ConnectionsPerIp: number;
  readonly unknownRecipients: number;
  /** "Do not apply these limits to IP address group"; empty for none. */
  readonly exemptGroup: string;
  readonly recipients: number;
  readonly failedCommands: number;
  /** Bytes. */
  readonly messageSize: number;
  readonly receivedHeaders: number;
  /**
   * Octets of a line in a message, CRLF included. RFC 5321 says 1000, but real mail has longer
   * lines and Postfix takes them: 64 KiB by default; 1000 for the RFC's strict limit.
   */
  readonly lineLength: number;
  /**
   * Bytes of SMTP message text received and not yet in the queue, for one client (its user, or
   * its IP address) over all its connections, and for the server: beyond, 452 4.3.1.
   */
  readonly inFlightPerClient: number;
  readonly inFlightTotal: number;
  /** The spam repellent's greeting delay on the SMTP port, in seconds; 0 = off (Kerio 13.6). */
  readonly greetingDelaySeconds: number;
  /** IMAP connections from one IP address at once, logged in or not (exempt group aside). */
  readonly imapConnectionsPerIp: number;
  /** IMAP connections from one IP address not logged in yet (exempt group aside). */
  readonly imapUnauthenticatedPerIp: number;
  /** IMAP sessions of one user from one IP address (Dovecot's mail_max_userip_connections). */
  readonly imapUserIpConnections: number;
}

/** Kerio 12.8 and 1.6: how logins are checked and guarded. */
export interface AuthenticationConfig {
  /** "Require secure authentication": PLAIN and LOGIN only over TLS. */
  readonly requireSecureAuth: boolean;
  /** Failed logins from one IP before it is locked out, and for how long. */
  readonly lockoutFailures: number;
  readonly lockoutMinutes: number;
  /**
   * Kerio 7.1's account lockout: failed logins to one account, from anywhere, lock it for
   * everyone. Off by default: anyone who knows an address can lock its owner out with it.
   */
  readonly accountLockout: boolean;
  readonly accountLockoutFailures: number;
  readonly accountLockoutMinutes: number;
  /**
   * The per-account throttle (docs/access-policy.md): attempts on one account from addresses it
   * has not logged in from recently. `throttleFreeAttempts` run at once (0 turns the throttle
   * off), then each waits `throttleDelayMs` doubling up to `throttleMaxDelayMs` after the one
   * before; one that would wait more than `throttleMaxWaitMs` is refused ("try again later").
   */
  readonly throttleFreeAttempts: number;
  readonly throttleDelayMs: number;
  readonly throttleMaxDelayMs: number;
  readonly throttleMaxWaitMs: number;
  /** How long an address an account logged in from stays known (never throttled), in days. */
  readonly knownAddressDays: number;
  /**
   * How long a login whose password was verified is remembered, so that the next login with
   * the same password skips scrypt (Dovecot's auth cache), in minutes; 0 turns it off.
   */
  readonly loginCacheMinutes: number;
}

/** Kerio 24: which logs are written in `<data>/logs`. */
/** Kerio 15.2, "Enable message store and configuration recovery backup". */
export interface BackupConfig {
  readonly enabled: boolean;
  /** Where backups go, relative to the data directory unless absolute; Kerio's `store/backup`. */
  readonly directory: string;
  /** "Split backup files when its size reaches [GB]": 1 or 2 (Kerio's maximum and default). */
  readonly splitSizeGb: number;
  /** "Count of complete backups to be kept"; 0 keeps them all. */
  readonly keep: number;
  /** When, each week, in the server's local time. */
  readonly schedule: readonly BackupScheduleItem[];
}

export type WeekDay =
  'Sunday' | 'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday';
export const WEEK_DAYS: readonly WeekDay[] = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];

export interface BackupScheduleItem {
  readonly description: string;
  readonly day: WeekDay;
  /** `HH:MM`, 24-hour. */
  readonly time: string;
  readonly type: 'full' | 'differential';
}

/** Kerio's default schedule (Admin Guide figure 15.3). */
export const DEFAULT_BACKUP_SCHEDULE: readonly BackupScheduleItem[] = [
  { description: 'Differential backup', day: 'Wednesday', time: '01:00', type: 'differential' },
  { description: 'Differential backup', day: 'Friday', time: '01:00', type: 'differential' },
  { description: 'Full backup', day: 'Sunday', time: '01:00', type: 'full' },
];

export type ArchiveInterval = 'day' | 'week' | 'month';

/** Kerio 15.1, "Enable mail archiving" (archiving to a remote address is not done). */
export interface ArchiveConfig {
  readonly enabled: boolean;
  /** Relative to the data directory unless absolute; Kerio's `store/archive`. */
  readonly directory: string;
  /** "Interval for creating new archive folders". */
  readonly interval: ArchiveInterval;
  /** "Compress old archive folders". */
  readonly compress: boolean;
  /** Which mail: local to local, remote to local, local to remote, remote to remote. */
  readonly scope: Readonly<Record<'local' | 'incoming' | 'outgoing' | 'relayed', boolean>>;
}

export interface LoggingConfig {
  /** The Debug log (`debug.log`: logins, sessions, the engines' informational entries); off. */
  readonly debug: boolean;
}

/** Kerio 12.5, SMTP Delivery: where mail for other domains goes. */
export interface DeliveryConfig {
  /** "Use relay SMTP server"; null: "Deliver directly using DNS MX records". */
  readonly smarthost: SmarthostConfig | null;
  /** Per-domain routes ("deliver to host"), tried before the smarthost and MX records. */
  readonly routes: readonly RouteConfig[];
  /** Kerio's advanced option "Insert X-Envelope-To header into locally delivered mail". */
  readonly insertEnvelopeTo: boolean;
}

export interface SmarthostConfig {
  readonly host: string;
  readonly port: number;
  readonly authentication: 'none' | 'smtp-auth' | 'pop3-before-smtp';
  readonly username: string;
  readonly password: string;
}

export interface RouteConfig {
  /** `example.com`, or `*.example.com` for its subdomains. */
  readonly domain: string;
  readonly host: string;
  readonly port: number;
}

/** Kerio 12.5, Queue Options. */
export interface QueueConfig {
  readonly threads: number;
  readonly retryMinutes: number;
  /** A warning DSN to the sender after this long; 0 = never. */
  readonly warningMinutes: number;
  /** Returned to the sender after this long (not applied through a smarthost, as in Kerio). */
  readonly bounceMinutes: number;
  /**
   * With the store in PostgreSQL, the queue is too, shared by the servers: a server silent for
   * this long is taken for stopped, and another one delivers its queued mail; default 30.
   */
  readonly nodeLeaseSeconds: number;
}

/** The DNS resolver: Kerio asks the system's; a test or a split-horizon site names its own. */
export interface DnsConfig {
  /** `ip` or `ip:port`, asked in order; empty: the system's (`/etc/resolv.conf`). */
  readonly servers: readonly string[];
  /** Milliseconds one query may take before it is tried again (2 tries); then a temporary error. */
  readonly timeoutMs: number;
}

/**
 * Kerio's Spam Filter (Admin Guide 13) as the example server applies it between SMTP and
 * delivery (docs/spam-scoring.md, "In the example server").
 */
export interface SpamConfig {
  /** "Enable spam rating": off, only tests set to block act (13.1). */
  readonly enabled: boolean;
  /** "Enable rating of messages received from trustworthy relay agents" (and authenticated users). */
  readonly rateTrusted: boolean;
  /** Tag score, 0.0 to 10.0. */
  readonly tagScore: number;
  /** Block score, 0.0 to 9.9; 10 never blocks. */
  readonly blockScore: number;
  /**
   * What a blocked message gets: `discard` (Kerio: accepted, then thrown away) or `reject` (the
   * client hears 550 5.7.1 after DATA, so a real sender learns of it without a bounce).
   */
  readonly blockAction: 'discard' | 'reject';
  /** "Forward the message to quarantine address": a copy of each blocked message; empty: none. */
  readonly quarantineAddress: string;
  /** "Prepend message's Subject with text" (`[%s]` becomes asterisks); empty: the Subject is left alone. */
  readonly subjectTag: string;
  /** The IP whitelist group: its clients are not rated. Default Kerio's local clients. */
  readonly whitelistGroup: string;
  /** "Custom blacklist of spammer IP addresses": an IP group; empty: none. */
  readonly blacklistGroup: string;
  /** The blacklist's action: block at SMTP level, or add `blacklistScore`. */
  readonly blacklistAction: 'block' | 'score';
  readonly blacklistScore: number;
  /** Internet DNS blacklists (13.2): Kerio's five, all off (the example has no internet). */
  readonly dnsBlacklists: readonly DnsBlacklist[];
  /** Custom rules (13.3), in order. */
  readonly customRules: readonly CustomRule[];
  /**
   * SpamAssassin rules: `debian` (Debian's rule files when installed), a directory of `.cf`
   * files, or `none`. Compiled at the first message that needs them.
   */
  readonly contentRules: string;
  /** Bayes filter (13.4), one server-wide database in `<store>/spam/bayes.json`. */
  readonly bayes: boolean;
  readonly bayesAutoLearn: boolean;
  /** Messages over this many bytes skip SpamAssassin rules and Bayes (Kerio: 128 kB). */
  readonly maxContentBytes: number;
  /**
   * Kerio's predefined Spam rule for users without a Sieve script of their own: tagged mail
   * goes to Junk E-mail. (A user's own script has its own Spam rule, or none.)
   */
  readonly junkWithoutScript: boolean;
  readonly greylisting: GreylistingConfig;
  /** Kerio's SPF tab (13.5), at MAIL FROM. */
  readonly spf: SpfConfig;
  /** DKIM, DMARC and ARC after DATA (beyond Kerio), with an Authentication-Results field. */
  readonly mailAuth: MailAuthConfig;
  /**
   * "Send bounce message to the sender" (13.1, for the block score and custom Reject rules): a
   * DSN to the envelope sender of each discarded message. Off, as Kerio advises (spam senders
   * are forged).
   */
  readonly bounceBlocked: boolean;
  readonly antivirus: AntivirusConfig;
  readonly attachments: AttachmentFilterConfig;
}

/** Kerio 13.5: SPF of the MAIL FROM domain; only a negative result ("fail") acts. Off by default. */
export interface SpfConfig {
  readonly enabled: boolean;
  /** `log` (Security log only), `block` (550 5.7.23 at MAIL FROM) or `score` (adds `score`). */
  readonly action: 'log' | 'block' | 'score';
  readonly score: number;
  /** "Don't check SPF from IP address group" (backup MX servers); empty: none. */
  readonly exemptGroup: string;
}

/** DKIM, DMARC and ARC through mailauth, as scored tests; off by default (they need DNS). */
export interface MailAuthConfig {
  readonly enabled: boolean;
  /**
   * A message failing DMARC whose From domain publishes `p=reject`: `score` (DMARC_REJECT's
   * points, SpamAssassin's way) or `reject` (550 5.7.1 after DATA, RFC 7489 6.7).
   */
  readonly dmarcReject: 'score' | 'reject';
}

/** Greylisting at RCPT (postgrey's model, later Kerio versions'); off by default. */
export interface GreylistingConfig {
  readonly enabled: boolean;
  /** How long a new sender/recipient/network triplet is deferred. */
  readonly delaySeconds: number;
  /** A retry later than this after the first attempt starts over. */
  readonly retryWindowHours: number;
  /** A client that passed this many times is not greylisted again; 0: never. */
  readonly autoWhitelistAfter: number;
  /** Clients never greylisted; empty: none. */
  readonly exemptGroup: string;
}

/** Kerio 14: the antivirus (clamd) and what happens to an infected message. Off by default. */
export interface AntivirusConfig {
  readonly enabled: boolean;
  /** clamd's address: a Unix socket path, or `host:port`. */
  readonly clamd: string;
  /**
   * An infected message is `discard`ed (Kerio's default), `reject`ed after DATA (554 5.7.1),
   * or delivered with its infected parts removed (`strip`).
   */
  readonly action: 'discard' | 'reject' | 'strip';
  /** A message clamd cannot scan: `deliver` it (with a warning in the log) or `reject` it (451). */
  readonly unscannable: 'deliver' | 'reject';
  /** Milliseconds a scan may take before it counts as unscannable. */
  readonly timeoutMs: number;
  /**
   * "Send the sender a warning" (14.5): a message from `<>` to the envelope sender saying that
   * a virus or a blocked attachment was removed or the message not delivered. Off by default.
   */
  readonly warnSender: boolean;
  /** "Forward the original message to administrator address"; empty: none. */
  readonly forwardOriginal: string;
  /** "Forward the filtered message to administrator address" (what was delivered); empty: none. */
  readonly forwardFiltered: string;
  /**
   * Messages up to this many bytes are held in memory and scanned whole; a larger one streams
   * to the queue unscanned and counts as unscannable (`unscannable` decides).
   */
  readonly maxBytes: number;
}

/** Kerio 14.5: attachments blocked by file name or MIME type are removed, the message delivered. */
export interface AttachmentFilterConfig {
  readonly enabled: boolean;
  readonly rules: readonly AttachmentRule[];
}

export const DEFAULT_SPAM_CONFIG: SpamConfig = {
  enabled: true,
  rateTrusted: false,
  tagScore: SPAM_DEFAULTS.tagScore,
  blockScore: SPAM_DEFAULTS.blockScore,
  blockAction: 'discard',
  quarantineAddress: '',
  subjectTag: SPAM_DEFAULTS.subjectPrefix ?? '',
  whitelistGroup: LOCAL_CLIENTS_GROUP,
  blacklistGroup: '',
  blacklistAction: 'score',
  blacklistScore: 3,
  dnsBlacklists: KERIO_DNS_BLACKLISTS,
  customRules: [],
  contentRules: 'debian',
  bayes: true,
  bayesAutoLearn: true,
  maxContentBytes: SPAM_DEFAULTS.maxContentBytes,
  junkWithoutScript: true,
  greylisting: {
    enabled: false,
    delaySeconds: 300,
    retryWindowHours: 48,
    autoWhitelistAfter: 5,
    exemptGroup: LOCAL_CLIENTS_GROUP,
  },
  spf: { enabled: false, action: 'score', score: 3, exemptGroup: '' },
  mailAuth: { enabled: false, dmarcReject: 'score' },
  bounceBlocked: false,
  antivirus: {
    enabled: false,
    clamd: '/run/clamav/clamd.ctl',
    action: 'discard',
    unscannable: 'deliver',
    timeoutMs: 30_000,
    warnSender: false,
    forwardOriginal: '',
    forwardFiltered: '',
    maxBytes: 10 * 1024 * 1024,
  },
  attachments: { enabled: false, rules: KERIO_ATTACHMENT_RULES },
};

/** The configuration of a first run. */
export function defaultConfig(): MailServerConfig {
  const listener = (name: ListenerName): ListenerConfig => ({
    enabled: true,
    port: LISTENERS[name].port,
    maxConnections: 0,
    proxyProtocol: false,
  });
  return {
    hostname: systemHostname().toLowerCase() || 'localhost',
    storePath: 'store',
    storeUrl: '',
    listenAddress: '127.0.0.1',
    trustedProxies: [],
    listeners: {
      smtp: listener('smtp'),
      smtps: listener('smtps'),
      submission: listener('submission'),
      imap: listener('imap'),
      imaps: listener('imaps'),
      pop3: listener('pop3'),
      pop3s: listener('pop3s'),
      sieve: listener('sieve'),
    },
    // Relay for authenticated users only, Kerio's default (004); POP3 before SMTP as its Fig.
    relay: {
      trustedGroup: '',
      authenticated: true,
      pop3BeforeSmtpMinutes: 30,
      open: false,
      hideLocalIp: false,
    },
    limits: {
      messagesPerHour: 50,
      connectionsPerIp: 20,
      pop3ConnectionsPerIp: 20,
      unknownRecipients: 10,
      exemptGroup: LOCAL_CLIENTS_GROUP,
      recipients: 100,
      failedCommands: 3,
      messageSize: 10 * 1024 * 1024,
      receivedHeaders: 100,
      lineLength: 64 * 1024,
      inFlightPerClient: 256 * 1024 * 1024,
      inFlightTotal: 1024 * 1024 * 1024,
      greetingDelaySeconds: 0,
      // imap-core's defaults: enough for a household behind one address, not for a flood.
      imapConnectionsPerIp: 50,
      imapUnauthenticatedPerIp: 10,
      imapUserIpConnections: 10,
    },
    authentication: {
      requireSecureAuth: true,
      lockoutFailures: 5,
      lockoutMinutes: 20,
      // Kerio 12.8's figure for the account lockout, which stays off unless turned on.
      accountLockout: false,
      accountLockoutFailures: 5,
      accountLockoutMinutes: 20,
      throttleFreeAttempts: DEFAULT_FREE_ATTEMPTS,
      throttleDelayMs: DEFAULT_BASE_DELAY_MS,
      throttleMaxDelayMs: DEFAULT_MAX_DELAY_MS,
      throttleMaxWaitMs: DEFAULT_MAX_WAIT_MS,
      knownAddressDays: 30,
      loginCacheMinutes: 60,
    },
    delivery: { smarthost: null, routes: [], insertEnvelopeTo: false },
    dns: { servers: [], timeoutMs: 3000 },
    queue: {
      threads: 32,
      retryMinutes: 30,
      warningMinutes: 45,
      bounceMinutes: 5 * 24 * 60,
      nodeLeaseSeconds: 30,
    },
    logging: { debug: false },
    backup: {
      enabled: false,
      directory: 'store/backup',
      splitSizeGb: 2,
      keep: 3,
      schedule: DEFAULT_BACKUP_SCHEDULE,
    },
    archive: {
      enabled: false,
      directory: 'store/archive',
      interval: 'week',
      compress: true,
      scope: { local: true, incoming: true, outgoing: true, relayed: false },
    },
    spam: DEFAULT_SPAM_CONFIG,
    ipGroups: { [LOCAL_CLIENTS_GROUP]: LOCAL_CLIENTS },
    shutdownGraceSeconds: 10,
  };
}
