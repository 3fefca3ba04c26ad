import { isIP } from 'node:net';
import { type IpGroupItem, LOCAL_CLIENTS_GROUP } from '@mailyard/access-policy';
import {
  KerioConfigError,
  type KerioListItem,
  formatKerioConfig,
  parseKerioConfig,
} from '@mailyard/mailstore-interface';
import { RFC5321_TEXT_LINE } from '@mailyard/smtp-core';
import { Reader, parseCount, parsePort, v } from './cfg-variables.js';
import { LISTENER_NAMES, type ListenerName } from './listener-names.js';
import { formatSpam, readSpam } from './mailserver-cfg-spam.js';
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
