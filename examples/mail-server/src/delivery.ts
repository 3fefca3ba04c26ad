import type { Clock, Directory, MailStore } from '@mailyard/mailstore-interface';
import {
  DeliveryQueue,
  type DomainRoute,
  type MailboxFilter,
  type OutgoingMessage,
  type QueueStorage,
  type RelayHost,
  deliveryRouter,
  localDeliveryAgent,
  nodeDnsResolver,
  remoteDeliveryAgent,
} from '@mailyard/smtp-core';
import type { DataDirectory } from './data-directory.js';
import type { KerioLogs } from './kerio-logs.js';
import type { MailServerConfig, SmarthostConfig } from './server-config.js';

export interface DeliveryOptions {
  readonly config: MailServerConfig;
  readonly data: DataDirectory;
  readonly store: MailStore;
  readonly directory: Directory;
  readonly logs: KerioLogs;
  readonly clock: Clock;
  /** Each local user's own filter (their Sieve script). */
  readonly filter?: MailboxFilter;
  /** Where the queue keeps its mail instead of `store/queue`: PostgreSQL, shared by the servers. */
  readonly storage?: QueueStorage;
}

/**
 * The durable queue in `store/queue`, and what it delivers through: local recipients into the
 * store (aliases, groups, catch-all, forwarding, quotas), everyone else over SMTP, to a per-domain
 * route, the relay server, or the domain's MX hosts. Opening it recovers what a crash left and
 * resumes delivery, exactly once.
 */
export async function openDeliveryQueue(options: DeliveryOptions): Promise<DeliveryQueue> {
  const { config, clock } = options;
  const utcOffset = -new Date(clock.now()).getTimezoneOffset();
  // Outbound TLS is opportunistic, as between MTAs (RFC 7435): encrypted without a verified
  // certificate is better than the clear, and MX certificates rarely name the host asked for.
  const opportunistic = { startTls: 'opportunistic', tls: { verifyCertificate: false } } as const;
  const remote = remoteDeliveryAgent({
    clientName: config.hostname,
    resolver: nodeDnsResolver({
      ...(config.dns.servers.length > 0 ? { servers: config.dns.servers } : {}),
      timeout: config.dns.timeoutMs,
      tries: 2,
    }),
    ownNames: [config.hostname],
    mx: opportunistic,
    ...(config.delivery.smarthost
      ? { smarthost: { ...opportunistic, ...relayHost(config.delivery.smarthost) } }
      : {}),
    routes: config.delivery.routes.map((route): DomainRoute => ({ ...opportunistic, ...route })),
  });
  const local = localDeliveryAgent({
    store: options.store,
    directory: options.directory,
    hostname: config.hostname,
    clock,
    utcOffset,
    insertEnvelopeTo: config.delivery.insertEnvelopeTo,
    logger: options.logs.logger('delivery'),
    ...(options.filter ? { filter: options.filter } : {}),
    // A filter's new messages (replies, notifications) are queued like any other; the queue is
    // opened below, with this agent inside it.
    submit: async (message: OutgoingMessage) => {
      await queue.enqueue(
        {
          from: message.from,
          recipients: message.to.map((address) => ({
            address,
            ...(message.notify !== undefined ? { notify: message.notify } : {}),
          })),
          ...(message.ret !== undefined ? { ret: message.ret } : {}),
        },
        (async function* () {
          yield message.content;
        })(),
        { service: 'Sieve' },
      );
    },
  });
  const minutes = (count: number) => count * 60_000;
  const queue: DeliveryQueue = await DeliveryQueue.open({
    ...(options.storage ? { storage: options.storage } : { directory: options.data.queue(config) }),
    agent: deliveryRouter({ directory: options.directory, local, remote }),
    hostname: config.hostname,
    clock,
    retryInterval: minutes(config.queue.retryMinutes),
    warnAfter: minutes(config.queue.warningMinutes),
    bounceAfter: minutes(config.queue.bounceMinutes),
    concurrency: config.queue.threads,
    maxMessageSize: config.limits.messageSize,
    utcOffset,
    mailLog: options.logs.mail,
    logger: options.logs.logger('queue'),
  });
  return queue;
}

function relayHost(smarthost: SmarthostConfig): RelayHost {
  const { host, port, authentication, username, password } = smarthost;
  return {
    host,
    port,
    ...(authentication === 'smtp-auth'
      ? {
          authentication: {
            method: 'smtp-auth',
            credentials: { username, password },
          },
        }
      : authentication === 'pop3-before-smtp'
        ? { authentication: { method: 'pop3-before-smtp', username, password } }
        : {}),
  };
}
