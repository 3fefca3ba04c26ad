import { isIP } from 'node:net';
import { type IpGroupItem, LOCAL_CLIENTS_GROUP } from '@mailyard/access-policy';
import {
  type KerioConfigEntry,
  KerioConfigError,
  type KerioListItem,
  formatKerioConfig,
  parseKerioConfig,
} from '@mailyard/mailstore-interface';
import { RFC5321_TEXT_LINE } from '@mailyard/smtp-core';
import type {
  AttachmentRule,
  CustomRule,
  CustomRuleType,
  DnsBlacklist,
} from '@mailyard/spam-scoring';
import { LISTENER_NAMES, type ListenerName } from './listener-names.js';
import {
  type ArchiveConfig,
  type AuthenticationConfig,
  type BackupConfig,
  type BackupScheduleItem,
  WEEK_DAYS,
  type ListenerConfig,
  type MailServerConfig,
  type RouteConfig,
  type SmarthostConfig,
  type SpamConfig,
  defaultConfig,
} from './server-config.js';
import { StartupError } from './startup-error.js';

/**
 * mailserver.cfg: the server's settings in Kerio's XML shape. Every variable is optional when
 * read (a missing one keeps its default, so an old file keeps working after an upgrade); the
 * file a first run writes has them all, with comments.
 */
export interface ReadConfig {
  readonly config: MailServerConfig;
  /** Variables and lists the server does not know: typos, most likely. */
  readonly warnings: readonly string[];
}

export function parseMailserverCfg(xml: string, file = 'mailserver.cfg'): ReadConfig {
  const { variables, lists } = readKerioConfig(xml, file);
  const defaults = defaultConfig();
  const read = new Reader(file, variables);
  const listeners = readListeners(file, lists.get('Service') ?? [], defaults.listeners);
  // Read even when there is no relay host, so that a half-filled section raises no warnings.
  const smarthost = readSmarthost(read);
  const config: MailServerConfig = {
    hostname: read.text('Hostname', defaults.hostname),
    storePath: read.text('StorePath', defaults.storePath),
    storeUrl: readStoreUrl(file, read.text('StoreUrl', defaults.storeUrl)),
    listenAddress: read.text('ListenAddress', defaults.listenAddress),
    trustedProxies: readTrustedProxies(file, read.text('TrustedProxies', '')),
    listeners,
    relay: {
      trustedGroup: read.text('RelayTrustedGroup', defaults.relay.trustedGroup),
      authenticated: read.flag('RelayAuthenticated', defaults.relay.authenticated),
      pop3BeforeSmtpMinutes: read.count(
        'RelayPop3BeforeSmtpMinutes',
        defaults.relay.pop3BeforeSmtpMinutes,
      ),
      open: read.flag('OpenRelay', defaults.relay.open),
      hideLocalIp: read.flag('HideLocalIp', defaults.relay.hideLocalIp),
    },
    limits: {
      messagesPerHour: read.count('MaxMessagesPerHour', defaults.limits.messagesPerHour),
      connectionsPerIp: read.count('MaxConnectionsPerIp', defaults.limits.connectionsPerIp),
      pop3ConnectionsPerIp: read.count(
        'Pop3MaxConnectionsPerIp',
        defaults.limits.pop3ConnectionsPerIp,
      ),
      unknownRecipients: read.count('MaxUnknownRecipients', defaults.limits.unknownRecipients),
      exemptGroup: read.text('LimitsExemptGroup', defaults.limits.exemptGroup),
      recipients: read.count('MaxRecipients', defaults.limits.recipients),
      failedCommands: read.count('MaxFailedCommands', defaults.limits.failedCommands),
      messageSize: read.count('MaxMessageSize', defaults.limits.messageSize),
      receivedHeaders: read.count('MaxReceivedHeaders', defaults.limits.receivedHeaders),
      // RFC 5321 asks servers to take lines of 1000 octets at least: less is refused.
      lineLength: read.count('MaxLineLength', defaults.limits.lineLength, RFC5321_TEXT_LINE),
      inFlightPerClient: read.count('MaxInFlightPerClient', defaults.limits.inFlightPerClient),
      inFlightTotal: read.count('MaxInFlightTotal', defaults.limits.inFlightTotal),
      greetingDelaySeconds: read.count('GreetingDelay', defaults.limits.greetingDelaySeconds),
      imapConnectionsPerIp: read.count(
        'ImapMaxConnectionsPerIp',
        defaults.limits.imapConnectionsPerIp,
      ),
      imapUnauthenticatedPerIp: read.count(
        'ImapMaxUnauthenticatedPerIp',
        defaults.limits.imapUnauthenticatedPerIp,
      ),
      imapUserIpConnections: read.count(
        'ImapMaxUserIpConnections',
        defaults.limits.imapUserIpConnections,
      ),
    },
    authentication: readAuthentication(file, read, defaults.authentication),
    delivery: {
      smarthost: smarthost.host ? smarthost : null,
      routes: (lists.get('DomainRoute') ?? []).map((item, index) => readRoute(file, item, index)),
      insertEnvelopeTo: read.flag('InsertXEnvelopeTo', defaults.delivery.insertEnvelopeTo),
    },
    dns: {
      servers: read
        .text('DnsServers', defaults.dns.servers.join(','))
        .split(',')
        .map((server) => server.trim())
        .filter(Boolean),
      timeoutMs: read.count('DnsTimeoutMs', defaults.dns.timeoutMs, 1),
    },
    queue: {
      threads: read.count('QueueThreads', defaults.queue.threads, 1),
      retryMinutes: read.count('QueueRetryMinutes', defaults.queue.retryMinutes, 1),
      warningMinutes: read.count('QueueWarningMinutes', defaults.queue.warningMinutes),
      bounceMinutes: read.count('QueueBounceMinutes', defaults.queue.bounceMinutes, 1),
      nodeLeaseSeconds: readLease(
        file,
        read.count('QueueNodeLeaseSeconds', defaults.queue.nodeLeaseSeconds, 1),
      ),
    },
    logging: { debug: read.flag('DebugLog', defaults.logging.debug) },
    backup: readBackup(file, read, lists.get('BackupSchedule'), defaults.backup),
    archive: readArchive(file, read, defaults.archive),
    spam: readSpam(file, read, lists, defaults.spam),
    ipGroups: lists.has('IpGroup')
      ? readIpGroups(file, lists.get('IpGroup') ?? [])
      : defaults.ipGroups,
    shutdownGraceSeconds: read.count('ShutdownGraceSeconds', defaults.shutdownGraceSeconds),
  };
  const known = new Set([
    'Service',
    'DomainRoute',
    'IpGroup',
    'BackupSchedule',
    'SpamDnsBlacklist',
    'SpamCustomRule',
    'AttachmentRule',
  ]);
  const warnings = [
    ...read.unused().map((name) => `${file}: unknown variable ${name} (ignored)`),
    ...[...lists.keys()]
      .filter((name) => !known.has(name))
      .map((name) => `${file}: unknown list ${name} (ignored)`),
  ];
  for (const group of [
    config.relay.trustedGroup,
    config.limits.exemptGroup,
    config.spam.blacklistGroup,
    config.spam.spf.exemptGroup,
    // Kerio's automatic private ranges need no group of their own in the file.
    ...[config.spam.whitelistGroup, config.spam.greylisting.exemptGroup].filter(
      (group) => group !== LOCAL_CLIENTS_GROUP,
    ),
  ]) {
    if (group && !config.ipGroups[group]) {
      throw new StartupError(`${file}: the IP address group "${group}" is not defined`);
    }
  }
  return { config, warnings };
}

/** One `<variable>`: flags as 0 and 1. */
function v(variable: string, value: string | number | boolean): KerioConfigEntry {
  return { variable, value: typeof value === 'boolean' ? (value ? '1' : '0') : String(value) };
}

export function formatMailserverCfg(config: MailServerConfig): string {
  const smarthost = config.delivery.smarthost;
  return formatKerioConfig([
    { comment: "Mailyard mail server settings, in Kerio MailServer's shape. Edit, then restart." },
    { comment: 'Internet hostname: greeting, EHLO, Received headers, the TLS certificate' },
    v('Hostname', config.hostname),
    { comment: 'The message store and the queue (store/queue), relative to this directory' },
    v('StorePath', config.storePath),
    {
      comment:
        'postgres://user:password@host/database keeps the messages in PostgreSQL, shared by several servers; empty for the store above',
    },
    v('StoreUrl', config.storeUrl),
    v('ListenAddress', config.listenAddress),
    {
      comment:
        'Load balancers that may send a PROXY protocol header (addresses or subnets, comma-separated), to the listeners with ProxyProtocol 1',
    },
    v('TrustedProxies', config.trustedProxies.join(',')),
    { comment: 'Listeners; the command line overrides Port and Enabled for one run' },
    {
      list: 'Service',
      items: LISTENER_NAMES.map((name) => ({
        Name: name,
        Enabled: config.listeners[name].enabled ? '1' : '0',
        Port: String(config.listeners[name].port),
        MaxConnections: String(config.listeners[name].maxConnections),
        ProxyProtocol: config.listeners[name].proxyProtocol ? '1' : '0',
      })),
    },
    { comment: 'Relay control: who may send to other domains (Admin Guide 12.2)' },
    v('RelayTrustedGroup', config.relay.trustedGroup),
    v('RelayAuthenticated', config.relay.authenticated),
    v('RelayPop3BeforeSmtpMinutes', config.relay.pop3BeforeSmtpMinutes),
    v('OpenRelay', config.relay.open),
    v('HideLocalIp', config.relay.hideLocalIp),
    { comment: 'Security options; 0 means no limit' },
    v('MaxMessagesPerHour', config.limits.messagesPerHour),
    v('MaxConnectionsPerIp', config.limits.connectionsPerIp),
    { comment: 'Concurrent POP3 and POP3S connections from one IP (the exempt group below too)' },
    v('Pop3MaxConnectionsPerIp', config.limits.pop3ConnectionsPerIp),
    v('MaxUnknownRecipients', config.limits.unknownRecipients),
    v('LimitsExemptGroup', config.limits.exemptGroup),
    v('MaxRecipients', config.limits.recipients),
    v('MaxFailedCommands', config.limits.failedCommands),
    { comment: 'Bytes' },
    v('MaxMessageSize', config.limits.messageSize),
    v('MaxReceivedHeaders', config.limits.receivedHeaders),
    { comment: 'Octets of a line in a message, CRLF included; 1000 is RFC 5321 to the letter' },
    v('MaxLineLength', config.limits.lineLength),
    {
      comment:
        'Bytes of SMTP messages received and not yet queued, per client (user or IP) and in all',
    },
    v('MaxInFlightPerClient', config.limits.inFlightPerClient),
    v('MaxInFlightTotal', config.limits.inFlightTotal),
    { comment: 'Seconds before the SMTP greeting (spam repellent); 0 = off' },
    v('GreetingDelay', config.limits.greetingDelaySeconds),
    {
      comment:
        'IMAP connections per IP (all, and not logged in; the exempt group aside), and per user and IP; 0 = no limit',
    },
    v('ImapMaxConnectionsPerIp', config.limits.imapConnectionsPerIp),
    v('ImapMaxUnauthenticatedPerIp', config.limits.imapUnauthenticatedPerIp),
    v('ImapMaxUserIpConnections', config.limits.imapUserIpConnections),
    { comment: 'Authentication: PLAIN and LOGIN only over TLS; lockout after failed logins' },
    v('RequireSecureAuth', config.authentication.requireSecureAuth),
    v('LockoutFailures', config.authentication.lockoutFailures),
    v('LockoutMinutes', config.authentication.lockoutMinutes),
    {
      comment:
        'Account lockout (Kerio 7.1): failed logins to one account, from anywhere, lock it for ' +
        'everyone, its owner included; 0 = off',
    },
    v('AccountLockout', config.authentication.accountLockout),
    v('AccountLockoutFailures', config.authentication.accountLockoutFailures),
    v('AccountLockoutMinutes', config.authentication.accountLockoutMinutes),
    {
      comment:
        'Login throttle per account, for addresses the account has not logged in from: free ' +
        'attempts (0 = off), then a delay in ms doubling up to the maximum; an attempt that ' +
        'would wait longer than MaxWait is refused',
    },
    v('LoginThrottleFreeAttempts', config.authentication.throttleFreeAttempts),
    v('LoginThrottleDelayMs', config.authentication.throttleDelayMs),
    v('LoginThrottleMaxDelayMs', config.authentication.throttleMaxDelayMs),
    v('LoginThrottleMaxWaitMs', config.authentication.throttleMaxWaitMs),
    { comment: 'Days an address an account logged in from is known, and never throttled' },
    v('KnownAddressDays', config.authentication.knownAddressDays),
    {
      comment:
        'Minutes a login whose password was verified is remembered (the next one skips ' +
        'the password hash); 0 = off',
    },
    v('LoginCacheMinutes', config.authentication.loginCacheMinutes),
    { comment: 'SMTP delivery: a relay server (empty host: DNS MX records), routes per domain' },
    v('SmtpRelayHost', smarthost?.host ?? ''),
    v('SmtpRelayPort', smarthost?.port ?? 25),
    { comment: 'none, smtp-auth or pop3-before-smtp' },
    v('SmtpRelayAuth', smarthost?.authentication ?? 'none'),
    v('SmtpRelayUser', smarthost?.username ?? ''),
    v('SmtpRelayPassword', smarthost?.password ?? ''),
    {
      list: 'DomainRoute',
      items: config.delivery.routes.map((route) => ({
        Domain: route.domain,
        Host: route.host,
        Port: String(route.port),
      })),
    },
    v('InsertXEnvelopeTo', config.delivery.insertEnvelopeTo),
    {
      comment:
        "DNS servers to ask (ip or ip:port, comma-separated; empty: the system's), and the " +
        'milliseconds a query may take (tried twice; then SPF and DKIM say temperror)',
    },
    v('DnsServers', config.dns.servers.join(',')),
    v('DnsTimeoutMs', config.dns.timeoutMs),
    { comment: 'Queue options; times in minutes' },
    v('QueueThreads', config.queue.threads),
    v('QueueRetryMinutes', config.queue.retryMinutes),
    v('QueueWarningMinutes', config.queue.warningMinutes),
    v('QueueBounceMinutes', config.queue.bounceMinutes),
    {
      comment:
        'With StoreUrl, the queue is in PostgreSQL too: a server silent this many seconds (1 to 3600) is taken for stopped, and another delivers its mail',
    },
    v('QueueNodeLeaseSeconds', config.queue.nodeLeaseSeconds),
    v('ShutdownGraceSeconds', config.shutdownGraceSeconds),
    { comment: 'Logs in <data>/logs: the Debug log (debug.log) is off unless 1' },
    v('DebugLog', config.logging.debug),
    {
      comment:
        'Store backup (Admin Guide 15.2): the switch, the directory (relative to this one), ' +
        'the part size in GB (1 or 2), complete backups kept (0 = all), and the weekly ' +
        'schedule in local time: Day Sunday..Saturday, Time HH:MM, Type Full or Differential. ' +
        'With the switch on and no item, the default schedule applies.',
    },
    v('BackupEnabled', config.backup.enabled),
    v('BackupDirectory', config.backup.directory),
    v('BackupSplitSizeGB', config.backup.splitSizeGb),
    v('BackupCount', config.backup.keep),
    {
      list: 'BackupSchedule',
      items: config.backup.schedule.map((item) => ({
        Description: item.description,
        Day: item.day,
        Time: item.time,
        Type: item.type === 'full' ? 'Full' : 'Differential',
      })),
    },
    {
      comment:
        'Mail archiving (Admin Guide 15.1): the switch, the directory (relative to this one), ' +
        'a new folder each day, week or month, compression of the old folders, and which mail: ' +
        'local (local to local), incoming, outgoing, relayed',
    },
    v('ArchiveEnabled', config.archive.enabled),
    v('ArchiveDirectory', config.archive.directory),
    v('ArchiveInterval', config.archive.interval),
    v('ArchiveCompress', config.archive.compress),
    v('ArchiveLocal', config.archive.scope.local),
    v('ArchiveIncoming', config.archive.scope.incoming),
    v('ArchiveOutgoing', config.archive.scope.outgoing),
    v('ArchiveRelayed', config.archive.scope.relayed),
    ...formatSpam(config.spam),
    { comment: 'IP address groups: Kind is host, range, network or group' },
    { list: 'IpGroup', items: writeIpGroups(config.ipGroups) },
  ]);
}

function readArchive(file: string, read: Reader, defaults: ArchiveConfig): ArchiveConfig {
  const interval = read.text('ArchiveInterval', defaults.interval).toLowerCase();
  if (interval !== 'day' && interval !== 'week' && interval !== 'month')
    throw new StartupError(`${file}: ArchiveInterval "${interval}" is not day, week or month`);
  return {
    enabled: read.flag('ArchiveEnabled', defaults.enabled),
    directory: read.text('ArchiveDirectory', defaults.directory),
    interval,
    compress: read.flag('ArchiveCompress', defaults.compress),
    scope: {
      local: read.flag('ArchiveLocal', defaults.scope.local),
      incoming: read.flag('ArchiveIncoming', defaults.scope.incoming),
      outgoing: read.flag('ArchiveOutgoing', defaults.scope.outgoing),
      relayed: read.flag('ArchiveRelayed', defaults.scope.relayed),
    },
  };
}

function readBackup(
  file: string,
  read: Reader,
  items: readonly KerioListItem[] | undefined,
  defaults: BackupConfig,
): BackupConfig {
  const splitSizeGb = read.count('BackupSplitSizeGB', defaults.splitSizeGb, 1);
  if (splitSizeGb > 2)
    throw new StartupError(
      `${file}: BackupSplitSizeGB is ${splitSizeGb}; a backup part is at most 2 GB`,
    );
  const schedule = (items ?? []).map((item, index): BackupScheduleItem => {
    const where = `${file}: BackupSchedule item ${index + 1}`;
    const day = WEEK_DAYS.find((name) => name.toLowerCase() === (item.Day ?? '').toLowerCase());
    if (!day)
      throw new StartupError(
        `${where}: Day "${item.Day ?? ''}" is not one of ${WEEK_DAYS.join(', ')}`,
      );
    const time = item.Time ?? '';
    const match = /^(\d{1,2}):(\d{2})$/.exec(time);
    if (!match || Number(match[1]) > 23 || Number(match[2]) > 59)
      throw new StartupError(`${where}: Time "${time}" is not HH:MM`);
    const type = (item.Type ?? '').toLowerCase();
    if (type !== 'full' && type !== 'differential')
      throw new StartupError(`${where}: Type "${item.Type ?? ''}" is not Full or Differential`);
    return {
      description: item.Description ?? '',
      day,
      time: `${match[1]!.padStart(2, '0')}:${match[2]}`,
      type,
    };
  });
  return {
    enabled: read.flag('BackupEnabled', defaults.enabled),
    directory: read.text('BackupDirectory', defaults.directory),
    splitSizeGb,
    keep: read.count('BackupCount', defaults.keep),
    // Kerio 15.2: with every item removed, the default schedule applies at the next start.
    schedule: schedule.length > 0 ? schedule : defaults.schedule,
  };
}

function readAuthentication(
  file: string,
  read: Reader,
  defaults: AuthenticationConfig,
): AuthenticationConfig {
  const authentication: AuthenticationConfig = {
    requireSecureAuth: read.flag('RequireSecureAuth', defaults.requireSecureAuth),
    lockoutFailures: read.count('LockoutFailures', defaults.lockoutFailures),
    lockoutMinutes: read.count('LockoutMinutes', defaults.lockoutMinutes, 1),
    accountLockout: read.flag('AccountLockout', defaults.accountLockout),
    accountLockoutFailures: read.count('AccountLockoutFailures', defaults.accountLockoutFailures),
    accountLockoutMinutes: read.count('AccountLockoutMinutes', defaults.accountLockoutMinutes, 1),
    throttleFreeAttempts: read.count('LoginThrottleFreeAttempts', defaults.throttleFreeAttempts),
    throttleDelayMs: read.count('LoginThrottleDelayMs', defaults.throttleDelayMs, 1),
    throttleMaxDelayMs: read.count('LoginThrottleMaxDelayMs', defaults.throttleMaxDelayMs, 1),
    throttleMaxWaitMs: read.count('LoginThrottleMaxWaitMs', defaults.throttleMaxWaitMs, 1),
    knownAddressDays: read.count('KnownAddressDays', defaults.knownAddressDays, 1),
    loginCacheMinutes: read.count('LoginCacheMinutes', defaults.loginCacheMinutes),
  };
  if (authentication.throttleMaxDelayMs < authentication.throttleDelayMs) {
    throw new StartupError(
      `${file}: LoginThrottleMaxDelayMs (${authentication.throttleMaxDelayMs}) is less than ` +
        `LoginThrottleDelayMs (${authentication.throttleDelayMs})`,
    );
  }
  return authentication;
}

const RULE_TYPES: readonly CustomRuleType[] = [
  'empty',
  'missing',
  'address',
  'domain',
  'substring',
  'binary',
];

/** Kerio 13 and 14: the spam filter, greylisting, the antivirus and the attachment filter. */
function readSpam(
  file: string,
  read: Reader,
  lists: ReadonlyMap<string, readonly KerioListItem[]>,
  defaults: SpamConfig,
): SpamConfig {
  const oneOf = <const T extends string>(name: string, choices: readonly T[], fallback: T): T => {
    const value = read.text(name, fallback).toLowerCase();
    const chosen = choices.find((choice) => choice === value);
    if (chosen === undefined)
      throw new StartupError(`${file}: ${name} is ${choices.join(' or ')}, not "${value}"`);
    return chosen;
  };
  const tagScore = read.score('SpamTagScore', defaults.tagScore, 0, 10);
  const blockScore = read.score('SpamBlockScore', defaults.blockScore, 0, 10);
  // Kerio's dialog: 9.9 is the highest block score that blocks; 10 turns blocking off.
  if (blockScore > 9.9 && blockScore < 10)
    throw new StartupError(`${file}: SpamBlockScore is at most 9.9, or 10 for "never block"`);
  const greylisting = defaults.greylisting;
  const antivirus = defaults.antivirus;
  return {
    enabled: read.flag('SpamRatingEnabled', defaults.enabled),
    rateTrusted: read.flag('SpamRateTrusted', defaults.rateTrusted),
    tagScore,
    blockScore,
    blockAction: oneOf('SpamBlockAction', ['discard', 'reject'], defaults.blockAction),
    quarantineAddress: read.text('SpamQuarantineAddress', defaults.quarantineAddress),
    // The tag's trailing space is its separator from the Subject: kept as written.
    subjectTag: read.raw('SpamSubjectTag', defaults.subjectTag),
    whitelistGroup: read.text('SpamWhitelistGroup', defaults.whitelistGroup),
    blacklistGroup: read.text('SpamBlacklistGroup', defaults.blacklistGroup),
    blacklistAction: oneOf('SpamBlacklistAction', ['block', 'score'], defaults.blacklistAction),
    blacklistScore: read.score('SpamBlacklistScore', defaults.blacklistScore, -10, 10),
    dnsBlacklists: lists.has('SpamDnsBlacklist')
      ? (lists.get('SpamDnsBlacklist') ?? []).map((item, index) =>
          readDnsBlacklist(file, item, index),
        )
      : defaults.dnsBlacklists,
    customRules: (lists.get('SpamCustomRule') ?? defaults.customRules.map(writeCustomRule)).map(
      (item, index) => readCustomRule(file, item, index),
    ),
    contentRules: read.text('SpamAssassinRules', defaults.contentRules),
    bayes: read.flag('SpamBayes', defaults.bayes),
    bayesAutoLearn: read.flag('SpamBayesAutoLearn', defaults.bayesAutoLearn),
    maxContentBytes: read.count('SpamMaxContentSize', defaults.maxContentBytes),
    junkWithoutScript: read.flag('SpamToJunk', defaults.junkWithoutScript),
    greylisting: {
      enabled: read.flag('GreylistEnabled', greylisting.enabled),
      delaySeconds: read.count('GreylistDelaySeconds', greylisting.delaySeconds),
      retryWindowHours: read.count('GreylistRetryWindowHours', greylisting.retryWindowHours, 1),
      autoWhitelistAfter: read.count('GreylistAutoWhitelistAfter', greylisting.autoWhitelistAfter),
      exemptGroup: read.text('GreylistExemptGroup', greylisting.exemptGroup),
    },
    spf: {
      enabled: read.flag('SpfEnabled', defaults.spf.enabled),
      action: oneOf('SpfAction', ['log', 'block', 'score'], defaults.spf.action),
      score: read.score('SpfScore', defaults.spf.score, -10, 10),
      exemptGroup: read.text('SpfExemptGroup', defaults.spf.exemptGroup),
    },
    mailAuth: {
      enabled: read.flag('SpamMailAuth', defaults.mailAuth.enabled),
      dmarcReject: oneOf('SpamDmarcReject', ['score', 'reject'], defaults.mailAuth.dmarcReject),
    },
    bounceBlocked: read.flag('SpamBlockBounce', defaults.bounceBlocked),
    antivirus: {
      enabled: read.flag('AntivirusEnabled', antivirus.enabled),
      clamd: read.text('AntivirusClamd', antivirus.clamd),
      action: oneOf('AntivirusAction', ['discard', 'reject', 'strip'], antivirus.action),
      unscannable: oneOf('AntivirusUnscannable', ['deliver', 'reject'], antivirus.unscannable),
      timeoutMs: read.count('AntivirusTimeoutMs', antivirus.timeoutMs, 1),
      maxBytes: read.count('AntivirusMaxSize', antivirus.maxBytes, 1),
      warnSender: read.flag('AntivirusWarnSender', antivirus.warnSender),
      forwardOriginal: read.text('AntivirusForwardOriginal', antivirus.forwardOriginal),
      forwardFiltered: read.text('AntivirusForwardFiltered', antivirus.forwardFiltered),
    },
    attachments: {
      enabled: read.flag('AttachmentFilterEnabled', defaults.attachments.enabled),
      rules: lists.has('AttachmentRule')
        ? (lists.get('AttachmentRule') ?? []).map((item, index) =>
            readAttachmentRule(file, item, index),
          )
        : defaults.attachments.rules,
    },
  };
}

function listScore(file: string, where: string, value: string | undefined): number {
  const text = value?.trim() ?? '0';
  if (!/^-?\d{1,3}(\.\d{1,3})?$/.test(text))
    throw new StartupError(`${file}: ${where} Score is a number such as 2.5, not "${text}"`);
  return Number(text);
}

function listFlag(item: KerioListItem): boolean {
  return item.Enabled?.trim() !== '0';
}

function readDnsBlacklist(file: string, item: KerioListItem, index: number): DnsBlacklist {
  const where = `SpamDnsBlacklist item ${index + 1}`;
  const suffix = item.Suffix?.trim().toLowerCase() ?? '';
  const kind = item.Kind?.trim().toLowerCase() ?? 'ip';
  const action = item.Action?.trim().toLowerCase() ?? 'score';
  if (!suffix) throw new StartupError(`${file}: ${where} needs a Suffix`);
  if (kind !== 'ip' && kind !== 'domain')
    throw new StartupError(`${file}: ${where}: Kind is ip or domain, not "${kind}"`);
  if (action !== 'block' && action !== 'score')
    throw new StartupError(`${file}: ${where}: Action is block or score, not "${action}"`);
  const askDirectly = (item.AskDirectly ?? '')
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  return {
    name: item.Name?.trim() || suffix,
    suffix,
    kind,
    action:
      action === 'block'
        ? { kind: 'block' }
        : { kind: 'score', score: listScore(file, where, item.Score) },
    ...(askDirectly.length > 0 ? { askDirectly } : {}),
    ...(item.Description ? { description: item.Description } : {}),
    enabled: listFlag(item),
  };
}

function readCustomRule(file: string, item: KerioListItem, index: number): CustomRule {
  const where = `SpamCustomRule item ${index + 1}`;
  const header = item.Header?.trim() ?? '';
  const type = (item.Type?.trim().toLowerCase() ?? '') as CustomRuleType;
  const action = item.Action?.trim().toLowerCase() ?? '';
  if (!header || header.includes(':'))
    throw new StartupError(`${file}: ${where} needs a Header name, without a colon`);
  if (!RULE_TYPES.includes(type))
    throw new StartupError(`${file}: ${where}: Type is ${RULE_TYPES.join(', ')}, not "${type}"`);
  if (action !== 'allow' && action !== 'reject' && action !== 'score')
    throw new StartupError(`${file}: ${where}: Action is allow, reject or score, not "${action}"`);
  return {
    header,
    type,
    ...(item.Content !== undefined ? { content: item.Content.trim() } : {}),
    action:
      action === 'score'
        ? { kind: 'score', score: listScore(file, where, item.Score) }
        : { kind: action },
    ...(item.Description ? { description: item.Description } : {}),
    enabled: listFlag(item),
  };
}

function writeCustomRule(rule: CustomRule): KerioListItem {
  return {
    Header: rule.header,
    Type: rule.type,
    Content: rule.content ?? '',
    Action: rule.action.kind,
    Score: rule.action.kind === 'score' ? String(rule.action.score) : '0',
    Description: rule.description ?? '',
    Enabled: rule.enabled === false ? '0' : '1',
  };
}

function readAttachmentRule(file: string, item: KerioListItem, index: number): AttachmentRule {
  const where = `AttachmentRule item ${index + 1}`;
  const type = item.Type?.trim().toLowerCase() ?? '';
  const action = item.Action?.trim().toLowerCase() ?? '';
  const pattern = item.Pattern?.trim() ?? '';
  if (type !== 'filename' && type !== 'mimetype')
    throw new StartupError(`${file}: ${where}: Type is filename or mimetype, not "${type}"`);
  if (action !== 'block' && action !== 'accept')
    throw new StartupError(`${file}: ${where}: Action is block or accept, not "${action}"`);
  if (!pattern) throw new StartupError(`${file}: ${where} needs a Pattern`);
  return {
    type,
    pattern,
    action,
    ...(item.Description ? { description: item.Description } : {}),
    enabled: listFlag(item),
  };
}

function formatSpam(spam: SpamConfig): (KerioConfigEntry | { comment: string })[] {
  const { greylisting, antivirus } = spam;
  return [
    {
      comment:
        'Spam filter (Admin Guide 13): rating on/off, trusted senders rated too, tag and block ' +
        'scores (0.0-10.0; a block score of 10 never blocks), what a blocked message gets ' +
        '(discard or reject), a quarantine copy, the Subject tag ([%s]: asterisks)',
    },
    v('SpamRatingEnabled', spam.enabled),
    v('SpamRateTrusted', spam.rateTrusted),
    v('SpamTagScore', spam.tagScore),
    v('SpamBlockScore', spam.blockScore),
    v('SpamBlockAction', spam.blockAction),
    v('SpamQuarantineAddress', spam.quarantineAddress),
    v('SpamSubjectTag', spam.subjectTag),
    { comment: 'A bounce (DSN) to the sender of each blocked message; Kerio advises against it' },
    v('SpamBlockBounce', spam.bounceBlocked),
    {
      comment:
        'IP groups: the whitelist (not rated) and the custom blacklist (block, or score); ' +
        'empty for none',
    },
    v('SpamWhitelistGroup', spam.whitelistGroup),
    v('SpamBlacklistGroup', spam.blacklistGroup),
    v('SpamBlacklistAction', spam.blacklistAction),
    v('SpamBlacklistScore', spam.blacklistScore),
    {
      comment:
        'Content: SpamAssassin rules (debian, a directory of .cf files, or none), the Bayes ' +
        'filter (one database in <store>/spam), the size above which content is not rated, ' +
        'and tagged mail to Junk E-mail for users without a Sieve script',
    },
    v('SpamAssassinRules', spam.contentRules),
    v('SpamBayes', spam.bayes),
    v('SpamBayesAutoLearn', spam.bayesAutoLearn),
    v('SpamMaxContentSize', spam.maxContentBytes),
    v('SpamToJunk', spam.junkWithoutScript),
    { comment: 'DNS blacklists: Kind ip (DNSBL) or domain (RHSBL), Action block or score' },
    {
      list: 'SpamDnsBlacklist',
      items: spam.dnsBlacklists.map((list) => ({
        Name: list.name,
        Suffix: list.suffix,
        Kind: list.kind,
        Action: list.action.kind,
        Score: list.action.kind === 'score' ? String(list.action.score) : '0',
        AskDirectly: (list.askDirectly ?? []).join(','),
        Description: list.description ?? '',
        Enabled: list.enabled === false ? '0' : '1',
      })),
    },
    {
      comment:
        'Custom rules, top-down: Header, Type (empty, missing, address, domain, substring, ' +
        'binary), Content, Action (allow, reject, score) and Score',
    },
    { list: 'SpamCustomRule', items: spam.customRules.map(writeCustomRule) },
    {
      comment:
        'Greylisting at RCPT (451 4.7.1 for a new sender, recipient and network): off by default',
    },
    v('GreylistEnabled', greylisting.enabled),
    v('GreylistDelaySeconds', greylisting.delaySeconds),
    v('GreylistRetryWindowHours', greylisting.retryWindowHours),
    v('GreylistAutoWhitelistAfter', greylisting.autoWhitelistAfter),
    v('GreylistExemptGroup', greylisting.exemptGroup),
    {
      comment:
        'SPF of the MAIL FROM domain (Admin Guide 13.5): a fail is logged, blocked (550 5.7.23) ' +
        'or scored; the exempt IP group (backup MX servers) is not checked',
    },
    v('SpfEnabled', spam.spf.enabled),
    v('SpfAction', spam.spf.action),
    v('SpfScore', spam.spf.score),
    v('SpfExemptGroup', spam.spf.exemptGroup),
    {
      comment:
        'DKIM, DMARC and ARC after DATA, scored (and an Authentication-Results field); a DMARC ' +
        'fail under p=reject is scored or rejected (550 5.7.1)',
    },
    v('SpamMailAuth', spam.mailAuth.enabled),
    v('SpamDmarcReject', spam.mailAuth.dmarcReject),
    {
      comment:
        'Antivirus (Admin Guide 14) through clamd (a socket path, or host:port): an infected ' +
        'message is discarded, rejected or stripped; an unscannable one delivered or rejected',
    },
    v('AntivirusEnabled', antivirus.enabled),
    v('AntivirusClamd', antivirus.clamd),
    v('AntivirusAction', antivirus.action),
    v('AntivirusUnscannable', antivirus.unscannable),
    v('AntivirusTimeoutMs', antivirus.timeoutMs),
    { comment: 'Bytes held in memory to scan a message; a larger one counts as unscannable' },
    v('AntivirusMaxSize', antivirus.maxBytes),
    {
      comment:
        'A warning to the sender of a message a virus or a blocked attachment was found in, and ' +
        'copies of the original and of the filtered message to an administrator (14.4, 14.5)',
    },
    v('AntivirusWarnSender', antivirus.warnSender),
    v('AntivirusForwardOriginal', antivirus.forwardOriginal),
    v('AntivirusForwardFiltered', antivirus.forwardFiltered),
    { comment: 'Attachment filter (14.5): Type filename or mimetype, Action block or accept' },
    v('AttachmentFilterEnabled', spam.attachments.enabled),
    {
      list: 'AttachmentRule',
      items: spam.attachments.rules.map((rule) => ({
        Type: rule.type,
        Pattern: rule.pattern,
        Action: rule.action,
        Description: rule.description ?? '',
        Enabled: rule.enabled === false ? '0' : '1',
      })),
    },
  ];
}

/** Typed access to the variables, with errors that name the file and the variable. */
class Reader {
  private readonly used = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly variables: ReadonlyMap<string, string>,
  ) {}

  text(name: string, fallback: string): string {
    this.used.add(name);
    return this.variables.get(name)?.trim() ?? fallback;
  }

  /** The value as written, spaces kept. */
  raw(name: string, fallback: string): string {
    this.used.add(name);
    return this.variables.get(name) ?? fallback;
  }

  /** A decimal number between `minimum` and `maximum` (Kerio's scores: 5, 9.5). */
  score(name: string, fallback: number, minimum: number, maximum: number): number {
    const value = this.text(name, String(fallback));
    const number = /^-?\d{1,3}(\.\d{1,3})?$/.test(value) ? Number(value) : NaN;
    if (!(number >= minimum && number <= maximum)) {
      throw new StartupError(
        `${this.file}: ${name} is a number from ${minimum} to ${maximum}, not "${value}"`,
      );
    }
    return number;
  }

  flag(name: string, fallback: boolean): boolean {
    const value = this.text(name, fallback ? '1' : '0');
    if (value !== '0' && value !== '1') {
      throw new StartupError(`${this.file}: ${name} is 0 or 1, not "${value}"`);
    }
    return value === '1';
  }

  count(name: string, fallback: number, minimum = 0): number {
    return parseCount(this.file, name, this.text(name, String(fallback)), minimum);
  }

  port(name: string, fallback: number): number {
    return parsePort(this.file, name, this.text(name, String(fallback)));
  }

  /** One of `choices`; the first is the default. */
  choice<const T extends string>(name: string, choices: readonly [T, ...T[]]): T {
    const value = this.text(name, choices[0]);
    const chosen = choices.find((choice) => choice === value);
    if (chosen === undefined) {
      throw new StartupError(`${this.file}: ${name} is ${choices.join(', ')}, not "${value}"`);
    }
    return chosen;
  }

  unused(): string[] {
    return [...this.variables.keys()].filter((name) => !this.used.has(name));
  }
}

function parseCount(file: string, name: string, value: string, minimum = 0): number {
  const number = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(number >= minimum)) {
    throw new StartupError(`${file}: ${name} is a whole number from ${minimum}, not "${value}"`);
  }
  return number;
}

function parsePort(file: string, where: string, value: string): number {
  const port = parseCount(file, where, value);
  if (port > 65535) throw new StartupError(`${file}: ${where} ${port} is not a port number`);
  return port;
}

function readListeners(
  file: string,
  items: readonly KerioListItem[],
  defaults: Readonly<Record<ListenerName, ListenerConfig>>,
): Record<ListenerName, ListenerConfig> {
  const listeners = { ...defaults };
  for (const item of items) {
    const name = item.Name as ListenerName;
    if (!LISTENER_NAMES.includes(name)) {
      throw new StartupError(
        `${file}: Service "${item.Name ?? ''}" is none of ${LISTENER_NAMES.join(', ')}`,
      );
    }
    const where = `Service ${name}`;
    listeners[name] = {
      enabled: item.Enabled === undefined ? true : item.Enabled.trim() === '1',
      port: parsePort(file, `${where} Port`, item.Port?.trim() ?? String(defaults[name].port)),
      maxConnections: parseCount(file, `${where} MaxConnections`, item.MaxConnections ?? '0'),
      proxyProtocol: item.ProxyProtocol?.trim() === '1',
    };
  }
  return listeners;
}

function readSmarthost(read: Reader): SmarthostConfig {
  return {
    host: read.text('SmtpRelayHost', ''),
    port: read.port('SmtpRelayPort', 25),
    authentication: read.choice('SmtpRelayAuth', ['none', 'smtp-auth', 'pop3-before-smtp']),
    username: read.text('SmtpRelayUser', ''),
    password: read.text('SmtpRelayPassword', ''),
  };
}

function readRoute(file: string, item: KerioListItem, index: number): RouteConfig {
  const where = `DomainRoute ${index + 1}`;
  const domain = item.Domain?.trim().toLowerCase() ?? '';
  const host = item.Host?.trim() ?? '';
  if (!domain || !host) throw new StartupError(`${file}: ${where} needs a Domain and a Host`);
  return { domain, host, port: parsePort(file, `${where} Port`, item.Port?.trim() ?? '25') };
}

const GROUP_KINDS = ['host', 'range', 'network', 'group'] as const;

function readIpGroups(
  file: string,
  items: readonly KerioListItem[],
): Record<string, readonly IpGroupItem[]> {
  const groups: Record<string, IpGroupItem[]> = {};
  items.forEach((item, index) => {
    const group = item.Group?.trim() ?? '';
    const kind = item.Kind?.trim() as (typeof GROUP_KINDS)[number];
    if (!group || !GROUP_KINDS.includes(kind)) {
      throw new StartupError(
        `${file}: IpGroup item ${index + 1} needs a Group and a Kind (${GROUP_KINDS.join(', ')})`,
      );
    }
    const common = {
      ...(item.Enabled?.trim() === '0' ? { enabled: false } : {}),
      ...(item.Description ? { description: item.Description } : {}),
    };
    const address = item.Address?.trim() ?? '';
    const entry: IpGroupItem =
      kind === 'host'
        ? { kind, address, ...common }
        : kind === 'range'
          ? { kind, from: address, to: item.To?.trim() ?? '', ...common }
          : kind === 'network'
            ? { kind, address, mask: item.Mask?.trim() ?? '', ...common }
            : { kind, name: item.Name?.trim() ?? '', ...common };
    (groups[group] ??= []).push(entry);
  });
  return groups;
}

function writeIpGroups(groups: Readonly<Record<string, readonly IpGroupItem[]>>): KerioListItem[] {
  return Object.entries(groups).flatMap(([group, items]) =>
    items.map((item) => {
      const where: KerioListItem =
        item.kind === 'host'
          ? { Address: item.address }
          : item.kind === 'range'
            ? { Address: item.from, To: item.to }
            : item.kind === 'network'
              ? { Address: item.address, Mask: String(item.mask) }
              : { Name: item.name };
      return {
        Group: group,
        Kind: item.kind,
        ...where,
        Enabled: item.enabled === false ? '0' : '1',
        Description: item.description ?? '',
      };
    }),
  );
}

/** The file's variables and lists; XML that is not a configuration file stops the start. */
export function readKerioConfig(xml: string, file: string): ReturnType<typeof parseKerioConfig> {
  try {
    return parseKerioConfig(xml, file);
  } catch (error) {
    if (error instanceof KerioConfigError) throw new StartupError(error.message);
    throw error;
  }
}

/** `QueueNodeLeaseSeconds`: 1 to 3600 (an hour without a server's mail is long enough). */
function readLease(file: string, seconds: number): number {
  if (seconds <= 3600) return seconds;
  throw new StartupError(`${file}: QueueNodeLeaseSeconds is at most 3600`);
}

/** `TrustedProxies`: IP addresses or subnets (`10.0.0.0/24`), comma-separated. */
export function readTrustedProxies(where: string, value: string): string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (family === 0 || extra !== undefined || !prefixOk) {
      throw new StartupError(
        `${where}: TrustedProxies "${entry}" is not an IP address or subnet (10.0.0.0/24)`,
      );
    }
  }
  return entries;
}

/** `StoreUrl`: empty, or a PostgreSQL connection URL. */
function readStoreUrl(file: string, value: string): string {
  if (value === '' || isPostgresUrl(value)) return value;
  throw new StartupError(`${file}: StoreUrl is a postgres:// URL, or empty`);
}

/** Whether a store location is a PostgreSQL connection URL. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\/./.test(value);
}
