import { RecentLogins } from '@mailyard/access-policy';
import { FsMailStore } from '@mailyard/mailstore-fs';
import {
  type AccountPolicy,
  type Clock,
  directoryAccountPolicy,
  systemClock,
} from '@mailyard/mailstore-interface';
import {
  PostgresDirectory,
  PostgresMailStore,
  PostgresServerState,
} from '@mailyard/mailstore-postgres';
import { StoreLockedError, lockStore } from '@mailyard/kmsrecover-format';
import type { CommandLine } from './command-line.js';
import { isAbsolute, join } from 'node:path';
import { listenForControl } from './control-socket.js';
import { MailArchive } from './mail-archive.js';
import { DataDirectory } from './data-directory.js';
import { createImapListeners } from './imap-listeners.js';
import { openDeliveryQueue } from './delivery.js';
import { openSharedQueue } from './shared-queue.js';
import { KerioLogs } from './kerio-logs.js';
import { createLoginGuard } from './login-guard.js';
import { LISTENER_NAMES, type ListenerName } from './listener-names.js';
import { planListeners } from './listener-plan.js';
import { type Listening, listenAll } from './listening.js';
import { createPop3Listeners } from './pop3-listeners.js';
import { ensurePostmasters } from './postmaster-aliases.js';
import { loadOrCreateCertificate } from './self-signed-certificate.js';
import { sieveFilter } from './sieve-delivery.js';
import { createSieveListeners } from './sieve-listeners.js';
import { CompiledScripts, openSieveScripts } from './sieve-scripts.js';
import { createSmtpListeners } from './smtp-listeners.js';
import { SpamFilter } from './spam-filter.js';
import type { SpamConfig } from './server-config.js';
import { ContentScreen } from './content-screen.js';
import { StoreBackups } from './store-backups.js';
import { StartupError } from './startup-error.js';
import { SharedSieveTracking, type SieveTracking, SieveTrackingStore } from './sieve-tracking.js';
import {
  type GeneratedAccount,
  applyAccounts,
  openSharedDirectory,
  openUserDirectory,
  saveUserDirectory,
} from './user-directory.js';

/** The start-up error for a database that cannot be opened, naming it without the password. */
function databaseUnreachable(url: string, error: unknown): StartupError {
  const where = new URL(url);
  where.password = '';
  return new StartupError(
    `the store at ${where.href} cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/**
 * The store over PostgreSQL (`--store postgres://…`, or StoreUrl): several servers over one
 * database. A database that cannot be reached stops the start, naming it without the password.
 */
async function openPostgresStore(
  url: string,
  engine: { policy: AccountPolicy; clock: Clock },
  logs: KerioLogs,
): Promise<PostgresMailStore> {
  const store = logs.logger('store');
  try {
    return await PostgresMailStore.open({
      ...engine,
      url,
      onFeedError: (error) =>
        store.warn(`change feed: ${error instanceof Error ? error.message : String(error)}`),
    });
  } catch (error) {
    await logs.close();
    throw databaseUnreachable(url, error);
  }
}

/**
 * Over PostgreSQL, what else the servers share: Sieve scripts, their vacation and duplicate
 * records, and failed logins. A database that cannot be reached stops the start.
 */
async function openServerState(url: string, logs: KerioLogs): Promise<PostgresServerState> {
  try {
    return await PostgresServerState.open({ url });
  } catch (error) {
    await logs.close();
    throw databaseUnreachable(url, error);
  }
}

/**
 * How much of a message is held to rate and scan it whole: what the content tests read (Kerio's
 * 128 kB), and with the antivirus on, what it scans (`AntivirusMaxSize`).
 */
function screenWindow(spam: SpamConfig): number {
  return Math.max(spam.maxContentBytes + 1, spam.antivirus.enabled ? spam.antivirus.maxBytes : 0);
}

/** After a start that failed, why the accounts it was given (or would have made) do not exist. */
const UNSAVED_ACCOUNTS =
  "users.cfg is as it was (--domain, --user and a first run's accounts are saved by a start that succeeds)";

export interface MailServerOptions extends Omit<CommandLine, 'help'> {
  /**
   * Where notices go (unknown configuration variables, shutdown progress), and every Error log
   * entry, with its stack: the operator's terminal.
   */
  readonly warn: (message: string) => void;
  readonly clock?: Clock;
}

export interface RunningMailServer {
  /** The ports bound, in the `ready` line's order. */
  readonly ports: readonly { readonly name: ListenerName; readonly port: number }[];
  /** Accounts a first run created, with their passwords, to show once. */
  readonly generatedAccounts: readonly GeneratedAccount[];
  /** How long `stop` may take at most, grace period included. */
  readonly shutdownBoundMs: number;
  /**
   * Stops listening, lets in-flight transactions and deliveries finish within the grace period,
   * and closes the queue, the store and the logs.
   */
  stop(): Promise<void>;
}

/**
 * The whole server, wired: the data directory and its configuration, the directory of users,
 * the store, the queue and its delivery agents, and the listeners. Every piece is a package of
 * the SDK; this function only decides what goes where.
 */
export async function startMailServer(options: MailServerOptions): Promise<RunningMailServer> {
  const clock = options.clock ?? systemClock;
  const data = new DataDirectory(options.dataDirectory);
  await data.create();
  const config = await data.loadConfig(options.warn);
  const storeUrl = options.store ?? config.storeUrl;
  // Over PostgreSQL, users and domains are in the database, shared by the servers.
  const directory = storeUrl
    ? await openSharedDirectory(storeUrl, data.usersCfg, config.authentication)
    : await openUserDirectory(data.usersCfg, config.authentication);
  // In memory until the listeners are bound: a start that fails leaves users.cfg as it was.
  const generatedAccounts = await applyAccounts(directory, options);
  const postmasterNotices = await ensurePostmasters(directory);
  const tls = await loadOrCreateCertificate(data, config.hostname);
  await data.prepareWritableDirectories(config);
  // The store is this server's alone: not another server's, and not kmsrecover's while it runs.
  const releaseLock = await lockStore(data.store(config), 'mailyard-server').catch(
    (error: unknown) => {
      if (error instanceof StoreLockedError) throw new StartupError(error.message);
      throw error;
    },
  );
  const logs = await KerioLogs.open(data.logs, clock, {
    debug: config.logging.debug,
    stderr: (text) => options.warn(`error: ${text}`),
  });
  // Over PostgreSQL, what else the servers share: Sieve scripts and their records, failed
  // logins, greylisting.
  const state = storeUrl
    ? await openServerState(storeUrl, logs).catch(async (error: unknown) => {
        await releaseLock();
        throw error;
      })
    : null;
  // Kerio's spam filter; its Bayes database and greylisting state live beside the store (the
  // greylisting state in the database when there is one).
  const spam = await SpamFilter.open({
    ...(state ? { sharedGreylist: state.greylist } : {}),
    config: config.spam,
    hostname: config.hostname,
    dns: config.dns,
    ipGroups: config.ipGroups,
    relayTrustedGroup: config.relay.trustedGroup,
    directory: join(data.store(config), 'spam'),
    clock,
    securityLog: logs.security,
    spamLog: logs.spam,
    logger: logs.logger('spam'),
  }).catch(async (error: unknown) => {
    await state?.close();
    await logs.close();
    await releaseLock();
    throw new StartupError(
      `the spam filter's state cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const policy = directoryAccountPolicy(directory);
  const store = storeUrl
    ? await openPostgresStore(storeUrl, { policy, clock }, logs).catch(async (error: unknown) => {
        await state?.close();
        throw error;
      })
    : new FsMailStore({
        directory: data.store(config),
        policy,
        clock,
        logger: logs.logger('store'),
      });
  // Each user's Sieve script, edited over ManageSieve, run by local delivery: beside the user's
  // mail on disk, or in the database every server shares.
  const diskScripts = state ? null : openSieveScripts(data.store(config));
  const scripts = state?.sieveScripts ?? diskScripts!;
  const compiled = new CompiledScripts();
  const tracking: SieveTracking = state
    ? new SharedSieveTracking(state.sieveTracking, clock)
    : new SieveTrackingStore({ userDirectory: (user) => diskScripts!.userDirectory(user), clock });
  const filter = sieveFilter({
    tracking,
    scripts,
    compiled,
    store,
    hostname: config.hostname,
    clock,
    logger: logs.logger('sieve'),
    junkWithoutScript: config.spam.junkWithoutScript,
  });
  // Over PostgreSQL, the queue is there too: any server delivers what a stopped one accepted.
  const sharedQueue = storeUrl
    ? await openSharedQueue(storeUrl, data, config, logs.logger('queue')).catch(
        async (error: unknown) => {
          await store.close();
          await state?.close();
          await logs.close();
          await releaseLock();
          throw error;
        },
      )
    : null;
  const queue = await openDeliveryQueue({
    config,
    data,
    store,
    directory,
    logs,
    clock,
    filter,
    ...(sharedQueue ? { storage: sharedQueue } : {}),
  });
  // Backups snapshot the on-disk store; a store in PostgreSQL is backed up by the database's
  // own tools (pg_dump, replication), as docs/scaling.md says.
  const backups = new StoreBackups({
    config,
    data,
    store: store instanceof FsMailStore ? store : null,
    clock,
    logger: logs.logger('backup'),
    configLog: logs.config,
  });
  const archive = new MailArchive({
    config: config.archive,
    directory: isAbsolute(config.archive.directory)
      ? config.archive.directory
      : join(data.root, config.archive.directory),
    clock,
    logger: logs.logger('archive'),
  });
  // `mailyard-server backup` asks through it for a copy ("Start now").
  const control = await listenForControl(data.root, async (request) => {
    if (request.command === 'spam-statistics') {
      const statistics = { ...spam.statistics.snapshot(), ...spam.antivirusStatistics.snapshot() };
      if (request.reset) await spam.resetStatistics();
      return { ok: true, statistics };
    }
    const result = await backups.run('C', request.destination);
    return { ok: true, parts: result.parts };
  });

  // One guard for every protocol: five bad passwords over IMAP lock SMTP AUTH too (Kerio 1.6),
  // and guesses at one account are throttled whichever protocol and address they come from.
  // Over PostgreSQL, failed logins are counted there: N attempts in all, not N per server.
  const loginGuard = createLoginGuard(
    config.authentication,
    directory,
    clock,
    state
      ? {
          failures: state.loginFailures,
          throttle: state.loginThrottle,
          logger: logs.logger('security'),
        }
      : undefined,
  );
  const pop3Logins =
    config.relay.pop3BeforeSmtpMinutes > 0
      ? new RecentLogins({ windowMs: config.relay.pop3BeforeSmtpMinutes * 60_000, clock })
      : null;
  const plan = planListeners(config, options);
  const shared = {
    config,
    plan,
    directory,
    store,
    tls,
    loginGuard,
    pop3Logins,
    securityLog: logs.security,
    logs,
  };
  const on = (...names: ListenerName[]) => names.some((name) => plan.ports[name] !== undefined);
  const servers: Listening[] = [];
  if (on('smtp', 'smtps', 'submission'))
    servers.push(
      createSmtpListeners({
        ...shared,
        queue,
        archive,
        filter,
        spam,
        screenWindow: screenWindow(config.spam),
        screen: new ContentScreen({
          antivirus: config.spam.antivirus,
          attachments: config.spam.attachments,
          securityLog: logs.security,
          logger: logs.logger('antivirus'),
          statistics: spam.antivirusStatistics,
          counted: () => spam.antivirusCounted(),
        }),
      }),
    );
  if (on('imap', 'imaps')) servers.push(createImapListeners({ ...shared, spam }));
  if (on('pop3', 'pop3s')) servers.push(createPop3Listeners(shared));
  if (on('sieve')) servers.push(createSieveListeners({ ...shared, scripts, compiled }));

  const graceMs = config.shutdownGraceSeconds * 1000;
  const closeAll = async () => {
    await Promise.all(servers.map((server) => server.close(graceMs)));
    await queue.stop(graceMs);
    await sharedQueue?.close();
    await spam.close();
    await control.close();
    await backups.stop();
    await archive.stop();
    await store.close();
    await state?.close();
    await logs.close();
    if (directory instanceof PostgresDirectory) await directory.close();
    await releaseLock();
  };
  let bound: { name: string; port: number }[];
  try {
    bound = await listenAll(servers, plan);
    await saveUserDirectory(directory);
  } catch (error) {
    const unsaved = directory.hasUnsavedChanges;
    await closeAll();
    if (unsaved && error instanceof StartupError) {
      throw new StartupError(`${error.message}; ${UNSAVED_ACCOUNTS}`);
    }
    throw error;
  }
  backups.start();
  archive.start();
  for (const notice of postmasterNotices) options.warn(notice);
  // In the ready line's order, whichever server bound its ports first.
  const ports = LISTENER_NAMES.flatMap((name) => {
    const port = bound.find((entry) => entry.name === name)?.port;
    return port === undefined ? [] : [{ name, port }];
  });
  return {
    ports,
    generatedAccounts,
    // The listeners' and the queue's grace periods, one after the other, and a margin.
    shutdownBoundMs: 2 * graceMs + 5_000,
    stop: closeAll,
  };
}
