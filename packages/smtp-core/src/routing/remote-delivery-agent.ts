import { isIP } from 'node:net';
import type { ClientTransport } from '../client/client-transport.js';
import {
  type ClientTlsOptions,
  type NodeSmtpConnectOptions,
  type SmtpClientTimeouts,
  connectSmtp,
} from '../client/node-smtp-connection.js';
import type { SmtpCredentials } from '../client/sasl-client.js';
import type { AuthenticateOptions, SendOptions } from '../client/smtp-client-session.js';
import {
  type ConversationOptions,
  type ConversationOutcome,
  type StartTlsPolicy,
  runSmtpConversation,
} from '../client/smtp-conversation.js';
import type { DnsResolver } from '../dns-resolver.js';
import type {
  DeliveryAgent,
  DeliveryAttempt,
  Envelope,
  EnvelopeRecipient,
  MessageSource,
  RecipientResult,
} from '../envelope.js';
import { type DeliveryHost, asciiDomain, lookupDeliveryHosts } from './mx-hosts.js';
import { type Pop3LoginOptions, pop3Login } from './pop3-before-smtp.js';

/** How to reach a relay or a route's host, and what to say to it. */
export interface RelayHost {
  readonly host: string;
  /** Default 25 (465 with implicit TLS); Kerio's relay port defaults to 25 too. */
  readonly port?: number;
  readonly implicitTls?: boolean;
  /** Default `opportunistic`. */
  readonly startTls?: StartTlsPolicy;
  readonly tls?: ClientTlsOptions;
  /** Kerio's "SMTP server requires authentication": SMTP AUTH, or POP3 before SMTP. */
  readonly authentication?: RelayAuthentication;
  /** Speak LMTP to it (a mailbox server behind us). */
  readonly lmtp?: boolean;
}

export type RelayAuthentication =
  | ({ readonly method: 'smtp-auth'; readonly credentials: SmtpCredentials } & AuthenticateOptions)
  | ({
      readonly method: 'pop3-before-smtp';
      readonly username: string;
      readonly password: string;
    } & Partial<Omit<Pop3LoginOptions, 'username' | 'password'>>);

/**
 * A route for one domain (Kerio 1.10: a domain's "forward the message to another host", and
 * static routes generally): mail for `domain` (or, with `*.`, for its subdomains) goes to the
 * host, not to its MX.
 */
export interface DomainRoute extends RelayHost {
  /** `example.com`, or `*.example.com` for every subdomain. */
  readonly domain: string;
  /**
   * When the queue sends it: at once (`online`, the default), only on the scheduler's
   * `runQueue()` (`scheduler`), or when the remote host asks with ETRN (`etrn`) (Kerio 1.10).
   */
  readonly delivery?: 'online' | 'scheduler' | 'etrn';
}

export interface RemoteDeliveryAgentOptions {
  /** Our host name for EHLO (Kerio's "Internet hostname"). */
  readonly clientName: string;
  readonly resolver: DnsResolver;
  /** Uniform in [0, 1): chooses among MX hosts of equal preference. Default Math.random. */
  readonly random?: () => number;
  /**
   * Kerio's "Use relay SMTP server": everything not covered by a route goes there instead of to
   * the MX hosts. The queue does not apply its warning and bounce times to mail sent this way
   * (Kerio 12.5: the relay handles them).
   */
  readonly smarthost?: RelayHost;
  readonly routes?: readonly DomainRoute[];
  /** How MX delivery goes: port (default 25), STARTTLS (default opportunistic), TLS options. */
  readonly mx?: {
    readonly port?: number;
    readonly startTls?: StartTlsPolicy;
    readonly tls?: ClientTlsOptions;
    /** Hosts tried per domain in one attempt; default 5. */
    readonly maxHosts?: number;
  };
  /** Our own host names: MX lists that name us are cut there (RFC 5321 5.1). */
  readonly ownNames?: readonly string[];
  readonly timeouts?: Partial<SmtpClientTimeouts>;
  readonly send?: SendOptions;
  /** Default 100. */
  readonly maxRecipientsPerTransaction?: number;
  /** Domains (or route hosts) delivered to at the same time, for one message; default 4. */
  readonly parallelism?: number;
  /** Opens connections; default {@link connectSmtp} (tests pass their own). */
  readonly connect?: (options: NodeSmtpConnectOptions) => Promise<ClientTransport>;
  /** Logs in to POP3 for POP3-before-SMTP; default {@link pop3Login}. */
  readonly pop3Login?: (options: Pop3LoginOptions) => Promise<void>;
}

/** A delivery agent that also says how the queue should treat a recipient. */
export interface RoutingDeliveryAgent extends DeliveryAgent {
  /** Whether mail for the recipient goes through the relay server (Kerio's time limits do not apply). */
  viaRelay(recipient: string): boolean;
  /** Whether mail for the recipient waits for the scheduler or an ETRN, or null to go at once. */
  holdFor(recipient: string): 'scheduler' | 'etrn' | null;
}

type Target =
  | { readonly kind: 'route'; readonly key: string; readonly relay: RelayHost }
  | { readonly kind: 'mx'; readonly key: string; readonly domain: string };

/**
 * The remote half of delivery: groups the recipients by where they go (a domain route, the
 * smarthost, or each domain's MX hosts), tries the hosts in order (the next one when a host
 * cannot be reached, greets with 4xx or 5xx, or fails before the transaction), and returns a
 * result per recipient. It never throws; what could not be tried is deferred.
 */
export function remoteDeliveryAgent(options: RemoteDeliveryAgentOptions): RoutingDeliveryAgent {
  const random = options.random ?? Math.random;
  const connect = options.connect ?? connectSmtp;
  const login = options.pop3Login ?? pop3Login;

  const routeFor = (recipient: string): DomainRoute | undefined => {
    const domain = asciiDomain(domainOf(recipient));
    return options.routes?.find((route) => matchesDomain(route.domain, domain));
  };

  const targetOf = (recipient: string): Target => {
    const route = routeFor(recipient);
    if (route)
      return { kind: 'route', key: `route:${route.host}:${route.port ?? ''}`, relay: route };
    if (options.smarthost) return { kind: 'route', key: 'smarthost', relay: options.smarthost };
    const domain = domainOf(recipient).toLowerCase();
    return { kind: 'mx', key: `mx:${domain}`, domain };
  };

  const conversationOptions = (
    relay: Partial<RelayHost>,
    remoteMta: string,
  ): ConversationOptions => ({
    ...options.send,
    clientName: options.clientName,
    remoteMta,
    ...(relay.lmtp ? { lmtp: true } : {}),
    startTls: relay.startTls ?? 'opportunistic',
    ...(relay.authentication?.method === 'smtp-auth'
      ? {
          credentials: relay.authentication.credentials,
          auth: {
            ...(relay.authentication.mechanisms
              ? { mechanisms: relay.authentication.mechanisms }
              : {}),
            ...(relay.authentication.allowInsecure ? { allowInsecure: true } : {}),
          },
        }
      : {}),
    ...(options.maxRecipientsPerTransaction
      ? { maxRecipientsPerTransaction: options.maxRecipientsPerTransaction }
      : {}),
  });

  /** One host: connect (to each of its addresses in turn) and converse. */
  const tryHost = async (
    host: { name: string; port: number; addresses: readonly string[] },
    relay: Partial<RelayHost>,
    envelope: Envelope,
    message: MessageSource,
    attempt: DeliveryAttempt,
  ): Promise<ConversationOutcome | { unreachable: string }> => {
    let unreachable = `cannot connect to ${host.name}`;
    let last: ConversationOutcome | null = null;
    for (const address of host.addresses) {
      if (attempt.signal?.aborted) return { unreachable: 'delivery aborted' };
      const connectOptions = (): NodeSmtpConnectOptions => ({
        host: address,
        port: host.port,
        ...(relay.implicitTls ? { implicitTls: true } : {}),
        tls: {
          ...relay.tls,
          ...(relay.tls?.servername || isIP(host.name) ? {} : { servername: host.name }),
        },
        ...(options.timeouts ? { timeouts: options.timeouts } : {}),
        ...(attempt.signal ? { signal: attempt.signal } : {}),
      });
      let transport: ClientTransport;
      try {
        transport = await connect(connectOptions());
      } catch (error) {
        unreachable = `cannot connect to ${host.name} [${address}]: ${describe(error)}`;
        continue;
      }
      const conversation = conversationOptions(relay, host.name);
      let outcome = await runSmtpConversation(transport, envelope, message, conversation);
      if (outcome.tlsHandshakeFailed && (relay.startTls ?? 'opportunistic') === 'opportunistic') {
        // Opportunistic TLS that failed: this host in the clear (RFC 7435 section 3).
        try {
          const clear = await connect(connectOptions());
          outcome = await runSmtpConversation(clear, envelope, message, {
            ...conversation,
            startTls: 'never',
          });
        } catch (error) {
          unreachable = `cannot connect to ${host.name} [${address}]: ${describe(error)}`;
          continue;
        }
      }
      // Refused before the transaction (a 4xx greeting, say): the host's next address may do.
      if (!outcome.beforeTransaction) return outcome;
      last = outcome;
    }
    return last ?? { unreachable };
  };

  /** A group of recipients going to the same place: its hosts in order, until one takes the mail. */
  const deliverGroup = async (
    target: Target,
    envelope: Envelope,
    message: MessageSource,
    attempt: DeliveryAttempt,
  ): Promise<RecipientResult[]> => {
    const all = (result: Omit<RecipientResult, 'recipient'>) =>
      envelope.recipients.map((r) => ({ ...result, recipient: r.address }));
    let hosts: { name: string; port: number; addresses?: readonly string[] }[];
    let relay: Partial<RelayHost>;
    if (target.kind === 'route') {
      relay = target.relay;
      if (relay.authentication?.method === 'pop3-before-smtp') {
        const { method: _method, ...pop3 } = relay.authentication;
        try {
          await login({ host: target.relay.host, ...pop3 });
        } catch (error) {
          return all(deferred('4.7.0', `POP3 before SMTP: ${describe(error)}`));
        }
      }
      // A relay's name is left to the system's resolver (it may live in /etc/hosts).
      hosts = [
        {
          name: target.relay.host,
          port: target.relay.port ?? (target.relay.implicitTls ? 465 : 25),
          addresses: [target.relay.host],
        },
      ];
    } else {
      relay = {
        ...(options.mx?.startTls ? { startTls: options.mx.startTls } : {}),
        ...(options.mx?.tls ? { tls: options.mx.tls } : {}),
      };
      const lookup = await lookupDeliveryHosts(target.domain, options.resolver, random, {
        ...(options.ownNames ? { ownNames: options.ownNames } : {}),
      });
      if (lookup.kind !== 'hosts') {
        const status = lookup.kind === 'failed' ? 'failed' : 'deferred';
        return all({
          status,
          code: lookup.code,
          enhancedCode: lookup.enhancedCode,
          diagnostic: lookup.diagnostic,
        });
      }
      hosts = lookup.hosts.slice(0, options.mx?.maxHosts ?? 5).map((host: DeliveryHost) => ({
        name: host.name,
        port: options.mx?.port ?? 25,
        ...(host.addresses ? { addresses: host.addresses } : {}),
      }));
    }

    let last: ConversationOutcome | null = null;
    let unreachable = '';
    for (const host of hosts) {
      let addresses = host.addresses;
      if (!addresses) {
        if (isIP(host.name)) addresses = [host.name];
        else {
          try {
            addresses = await options.resolver.resolveAddresses(host.name);
          } catch (error) {
            unreachable = `address lookup for ${host.name} failed: ${describe(error)}`;
            continue;
          }
          if (addresses.length === 0) {
            unreachable = `${host.name} has no address`;
            continue;
          }
        }
      }
      const outcome = await tryHost({ ...host, addresses }, relay, envelope, message, attempt);
      if ('unreachable' in outcome) {
        unreachable = outcome.unreachable;
        continue;
      }
      if (!outcome.beforeTransaction) return outcome.results;
      last = outcome;
    }
    // 004's example status: "4.4.1 Cannot connect to remote host".
    if (last) return last.results;
    return all(
      deferred('4.4.1', `Cannot connect to remote host (${unreachable || 'no host to try'})`),
    );
  };

  return {
    viaRelay(recipient) {
      return !routeFor(recipient) && options.smarthost !== undefined;
    },
    holdFor(recipient) {
      const delivery = routeFor(recipient)?.delivery ?? 'online';
      return delivery === 'online' ? null : delivery;
    },
    async deliver(envelope, message, attempt) {
      const groups = new Map<string, { target: Target; recipients: EnvelopeRecipient[] }>();
      for (const recipient of envelope.recipients) {
        const target = targetOf(recipient.address);
        const group = groups.get(target.key) ?? { target, recipients: [] };
        group.recipients.push(recipient);
        groups.set(target.key, group);
      }
      const results = new Map<string, RecipientResult>();
      const queue = [...groups.values()];
      const worker = async () => {
        for (let group = queue.shift(); group; group = queue.shift()) {
          let outcome: RecipientResult[];
          try {
            outcome = await deliverGroup(
              group.target,
              { ...envelope, recipients: group.recipients },
              message,
              attempt,
            );
          } catch (error) {
            outcome = group.recipients.map((r) => ({
              ...deferred('4.3.0', describe(error)),
              recipient: r.address,
            }));
          }
          for (const result of outcome) results.set(result.recipient, result);
        }
      };
      await Promise.all(
        Array.from(
          { length: Math.max(1, Math.min(options.parallelism ?? 4, queue.length)) },
          worker,
        ),
      );
      return envelope.recipients.map((r) => results.get(r.address)!);
    },
  };
}

function deferred(enhancedCode: string, text: string): Omit<RecipientResult, 'recipient'> {
  return { status: 'deferred', code: 451, enhancedCode, diagnostic: `451 ${enhancedCode} ${text}` };
}

/** The domain of an address: what follows the last `@` (local parts may contain a quoted `@`). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1);
}

function matchesDomain(pattern: string, domain: string): boolean {
  const wanted = pattern.toLowerCase().replace(/\.$/, '');
  if (wanted.startsWith('*.')) return domain.endsWith(wanted.slice(1));
  return asciiDomain(wanted) === domain;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
