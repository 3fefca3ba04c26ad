import {
  ConnectionTracker,
  DEFAULT_MAX_FAILURES,
  HarvestGuard,
  type IpAddressGroups,
  RateWindow,
  type RecentLogins,
} from '@mailyard/access-policy';
import type { Clock, Directory, MailStore } from '@mailyard/mailstore-interface';
import { type LoginGuard, SaslServer, type SaslServerOptions } from '@mailyard/sasl';
import type { DnsResolver } from '../dns-resolver.js';
import type { SmtpReply } from '../protocol/smtp-reply.js';
import type { ConnectionDetails } from '../session/session-transport.js';
import type { SessionInfo, SmtpServerHooks } from '../session/smtp-hooks.js';
import type { SessionLimits } from '../session/session-limits.js';
import { addressDomain } from './recipient-domain.js';
import { leadsNowhere, resolveLocalRecipient, storeRefusal } from '../delivery/local-recipients.js';
import {
  accountLockedLine,
  failedLoginLine,
  harvestAttackLine,
  lockedOutLine,
  relayAttemptLine,
  relayByPop3Line,
} from './security-log-lines.js';

/**
 * Kerio MailServer's SMTP server settings (Admin Guide 12.2, 12.8, 13.6; shared/spec/protocols.md
 * 1.3, 1.4, 1.6). Figures in brackets are the screenshots' values, which we take as defaults.
 */
export interface KerioSmtpPolicyOptions {
  /** Local domains, users and aliases: who may receive, and what is a relay. */
  readonly directory: Directory;
  /**
   * The store local delivery writes into. With it, RCPT also refuses what delivery would: a
   * mailbox at its quota (452 4.2.2) and an alias to a public folder that does not exist
   * (550 5.2.1). Without it only the directory is asked.
   */
  readonly store?: MailStore;
  /** The named IP address groups the options below refer to. */
  readonly ipGroups?: IpAddressGroups;
  /** Relay control: who may send to domains that are not ours. */
  readonly relay?: {
    /** "Users from IP address group": the trusted group. */
    readonly trustedGroup?: string;
    /** "Users authenticated through SMTP for outgoing mail" [on]. */
    readonly authenticated?: boolean;
    /** "POP3 before SMTP": the logins the POP3 server records, with their window [30 min]. */
    readonly pop3BeforeSmtp?: RecentLogins;
    /** Anyone may relay. Don't. */
    readonly open?: boolean;
    /** "Hide local IP in Received headers": leave the trusted group's addresses out of them. */
    readonly hideTrustedAddresses?: boolean;
  };
  /** Per-IP limits; an IP in `exemptGroup` ("Do not apply these limits to") escapes them all. */
  readonly ipLimits?: {
    readonly exemptGroup?: string;
    /** "Max. messages per hour from one IP" [50]; 0 = unlimited. */
    readonly messagesPerHour?: number;
    /** "Max. concurrent SMTP connections from one IP" [20]; 0 = unlimited. */
    readonly connectionsPerIp?: number;
    /** "Max. unknown recipients" before the IP is blocked for an hour [10]; 0 = off. */
    readonly unknownRecipients?: number;
  };
  /** Session limits: "Max. recipients in a message" [100], "Max. failed commands" [3], size, hops. */
  readonly sessionLimits?: Partial<SessionLimits>;
  /** "Block if sender's mail domain was not found in DNS", with the resolver to ask. */
  readonly senderDomainCheck?: DnsResolver;
  /**
   * The login guard shared with the IMAP and POP3 servers (`@mailyard/access-policy`'s
   * `LoginGuard`: address and account lockouts, the per-account throttle). The policy hands it
   * to the server (`loginGuard` below) and writes the Security log lines of its locks.
   */
  readonly loginGuard?: LoginGuard;
  /** Failed logins that lock an address, for the Security log's "blocked after N" [5]. */
  readonly lockoutFailures?: number;
  /** Failed logins that lock an account, for the Security log's account line [5]. */
  readonly accountLockoutFailures?: number;
  /**
   * SMTP AUTH. With `requireSecureAuth` ("Require secure authentication"), PLAIN and LOGIN are
   * offered only over TLS, except to `insecureAuthGroup`.
   */
  readonly auth?: {
    readonly sasl: Omit<SaslServerOptions, 'allowPlaintext'>;
    readonly requireSecureAuth?: boolean;
    readonly insecureAuthGroup?: string;
  };
  /** The spam repellent: milliseconds to wait before the greeting [25 s], and who is exempt. */
  readonly greetingDelay?: { readonly ms: number; readonly exemptGroup?: string };
  /** Where Security log lines go (without their time prefix). */
  readonly securityLog?: (line: string) => void;
  readonly clock?: Clock;
}

/** Per-connection facts the policy remembers between hooks. */
interface ConnectionState {
  release: (() => void) | null;
  /** An AUTH failed on this connection: the trusted IP group no longer vouches for it (Kerio 12.2). */
  authFailed: boolean;
}

const HOUR = 60 * 60_000;

/**
 * Kerio's SMTP policy, ready to use, built on the server engine's hooks. `hooks(app)` wraps the
 * application's own hooks: the policy decides first, the application after it (and alone stores
 * the message). `limits`, `sasl` and `greetingDelay` go into the server's options.
 */
export class KerioSmtpPolicy {
  private readonly connections = new Map<string, ConnectionState>();
  private readonly tracker: ConnectionTracker | null;
  private readonly harvest: HarvestGuard | null;
  private readonly rate: RateWindow | null;
  private readonly plainSasl: SaslServer | undefined;
  private readonly secureSasl: SaslServer | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly options: KerioSmtpPolicyOptions) {
    const limits = options.ipLimits ?? {};
    const clock = options.clock;
    this.tracker = limits.connectionsPerIp
      ? new ConnectionTracker({ maxPerIp: limits.connectionsPerIp })
      : null;
    this.harvest = limits.unknownRecipients
      ? new HarvestGuard({
          maxUnknown: limits.unknownRecipients,
          blockMs: HOUR,
          ...(clock ? { clock } : {}),
        })
      : null;
    this.rate = limits.messagesPerHour
      ? new RateWindow({
          limit: limits.messagesPerHour,
          windowMs: HOUR,
          ...(clock ? { clock } : {}),
        })
      : null;
    if (options.auth) {
      this.plainSasl = new SaslServer({ ...options.auth.sasl, allowPlaintext: true });
      this.secureSasl = options.auth.requireSecureAuth
        ? new SaslServer({ ...options.auth.sasl, allowPlaintext: false })
        : this.plainSasl;
    }
    this.log = options.securityLog ?? (() => {});
  }

  /** The login guard to give the server. */
  get loginGuard(): LoginGuard | undefined {
    return this.options.loginGuard;
  }

  /** The session limits to give the server. */
  get limits(): Partial<SessionLimits> {
    return this.options.sessionLimits ?? {};
  }

  /** The SASL server for a connection: plaintext mechanisms only where the settings allow them. */
  readonly sasl = (connection: ConnectionDetails): SaslServer | undefined => {
    const exempt = this.options.auth?.insecureAuthGroup;
    return exempt && this.inGroup(exempt, connection.remoteAddress)
      ? this.plainSasl
      : this.secureSasl;
  };

  /** For the server's `received.hideAddress`: whether this client's address stays out of Received. */
  readonly hideAddress = (session: SessionInfo): boolean => {
    const relay = this.options.relay ?? {};
    return (
      relay.hideTrustedAddresses === true &&
      relay.trustedGroup !== undefined &&
      this.inGroup(relay.trustedGroup, session.remoteAddress)
    );
  };

  /** The greeting delay for a client address (0 for exempt ones). */
  readonly greetingDelay = (remoteAddress: string): number => {
    const delay = this.options.greetingDelay;
    if (!delay || (delay.exemptGroup && this.inGroup(delay.exemptGroup, remoteAddress))) return 0;
    return delay.ms;
  };

  /** The application's hooks, with the policy in front of them. */
  hooks(app: SmtpServerHooks = {}): SmtpServerHooks {
    return {
      ...app,
      onConnect: async (session) => (await this.onConnect(session)) ?? app.onConnect?.(session),
      onAuth: async (outcome, session) => {
        const verdict = this.onAuth(outcome, session);
        return verdict ?? app.onAuth?.(outcome, session);
      },
      onMailFrom: async (from, envelope, session) =>
        (await this.onMailFrom(from, session)) ?? app.onMailFrom?.(from, envelope, session),
      onRcptTo: async (recipient, session) =>
        (await this.onRcptTo(recipient.address, session)) ?? app.onRcptTo?.(recipient, session),
      onMessage: async (envelope, message, session) => {
        const result = await app.onMessage?.(envelope, message, session);
        if (!this.exempt(session.remoteAddress)) this.rate?.tryTake(session.remoteAddress);
        return result;
      },
      onClose: (session) => {
        this.connections.get(session.id)?.release?.();
        this.connections.delete(session.id);
        app.onClose?.(session);
      },
    };
  }

  private async onConnect(session: SessionInfo): Promise<SmtpReply | undefined> {
    const state: ConnectionState = { release: null, authFailed: false };
    this.connections.set(session.id, state);
    const ip = session.remoteAddress;
    if (this.exempt(ip)) return undefined;
    if (this.harvest?.isBlocked(ip)) return blocked();
    if (this.tracker) {
      state.release = this.tracker.open(ip);
      if (!state.release)
        return {
          code: 421,
          enhanced: '4.7.0',
          lines: ['Too many connections from your IP address'],
        };
    }
    return undefined;
  }

  /** The engine asked the login guard and told it the outcome; the Security log is ours. */
  private onAuth(
    outcome: Parameters<NonNullable<SmtpServerHooks['onAuth']>>[0],
    session: SessionInfo,
  ): SmtpReply | undefined {
    if (outcome.ok) return undefined;
    const ip = session.remoteAddress;
    this.state(session).authFailed = true;
    this.log(failedLoginLine('SMTP', ip, outcome.mechanism, outcome.reason));
    if (outcome.justLocked) {
      this.log(lockedOutLine('SMTP', ip, this.options.lockoutFailures ?? DEFAULT_MAX_FAILURES));
    }
    if (outcome.accountJustLocked && outcome.authenticationId !== undefined) {
      const failures = this.options.accountLockoutFailures ?? DEFAULT_MAX_FAILURES;
      this.log(accountLockedLine(outcome.authenticationId, failures));
    }
    return undefined;
  }

  private async onMailFrom(from: string, session: SessionInfo): Promise<SmtpReply | undefined> {
    const ip = session.remoteAddress;
    if (!this.exempt(ip)) {
      if (this.harvest?.isBlocked(ip)) return blocked();
      // Counted when a message is accepted; refused here once the last hour's count is full.
      if (this.rate && this.rate.count(ip) >= this.options.ipLimits!.messagesPerHour!) {
        return {
          code: 450,
          enhanced: '4.7.0',
          lines: ['Too many messages from your IP address in the last hour'],
        };
      }
    }
    const resolver = this.options.senderDomainCheck;
    const domain = addressDomain(from);
    if (!resolver || domain === null || domain.startsWith('[')) return undefined;
    try {
      const found =
        (await resolver.resolveMx(domain)).length > 0 ||
        (await resolver.resolveAddresses(domain)).length > 0;
      if (!found)
        return {
          code: 553,
          enhanced: '5.1.8',
          lines: [`Sender domain ${domain} not found in DNS`],
        };
    } catch {
      return {
        code: 451,
        enhanced: '4.4.3',
        lines: [`Cannot look up sender domain ${domain}, try again later`],
      };
    }
    return undefined;
  }

  private async onRcptTo(address: string, session: SessionInfo): Promise<SmtpReply | undefined> {
    const ip = session.remoteAddress;
    if (!this.exempt(ip) && this.harvest?.isBlocked(ip)) return blocked();
    const { directory } = this.options;
    // The bare postmaster is the primary domain's (RFC 5321 4.1.1.3): ours, never a relay.
    const domain = addressDomain(address);
    const local =
      domain === null
        ? await directory.primaryDomain()
        : domain.startsWith('[')
          ? null
          : await directory.localDomain(domain);
    if (local === null && domain === null) return this.unknownRecipient(address, ip);
    const sender = session.user ? await directory.findUser(session.user) : null;
    if (local === null) {
      const from = session.envelope?.from ?? '';
      const relay = this.relayGrant(session);
      if (relay === null) {
        this.log(relayAttemptLine(ip, from, address));
        return { code: 554, enhanced: '5.7.1', lines: [`<${address}>: Relay access denied`] };
      }
      // The one grant the client cannot see: its own AUTH, the administrator's group or an
      // open relay are choices someone made for this connection; a POP3 login from the same
      // address, maybe another program's, is not. Whoever wonders why mail went out finds why.
      if (relay.pop3Login !== undefined) {
        this.log(relayByPop3Line(ip, from, address, relay.pop3Login));
      }
      if (sender?.ownDomainOnly) return ownDomainOnly();
      return undefined;
    }
    if (sender?.ownDomainOnly && sender.domain !== local) return ownDomainOnly();
    // Every reason local delivery would have to refuse the message later, and which can be
    // known now, is answered now: a 250 followed by a bounce to an unverified sender is
    // backscatter. The same resolution local delivery makes, asked the same way.
    const resolution = await resolveLocalRecipient(directory, address);
    if (leadsNowhere(resolution)) return this.unknownRecipient(address, ip);
    // Kerio: a user who may receive from their own domain only.
    const senderDomain = addressDomain(session.envelope?.from ?? '');
    for (const mailbox of resolution.mailboxes) {
      const user = await directory.findUser(mailbox);
      if (user?.ownDomainOnly && senderDomain !== user.domain) return ownDomainOnly();
    }
    const store = this.options.store;
    switch (store ? await storeRefusal(store, resolution) : null) {
      case 'mailbox-full':
        // Kerio 8.3: while a quota is reached, new messages are refused. Temporarily: the
        // owner may make room, and the sending server retries.
        return { code: 452, enhanced: '4.2.2', lines: [`<${address}>: Mailbox full`] };
      case 'folder-missing':
        return { code: 550, enhanced: '5.2.1', lines: [`<${address}>: Mailbox unavailable`] };
      default:
        return undefined;
    }
  }

  private unknownRecipient(address: string, ip: string): SmtpReply {
    const refusal: SmtpReply = {
      code: 550,
      enhanced: '5.1.1',
      lines: [`<${address}>: Recipient address rejected: User unknown`],
    };
    if (!this.harvest || this.exempt(ip)) return refusal;
    const verdict = this.harvest.recordUnknown(ip);
    if (verdict.justBlocked) this.log(harvestAttackLine(ip));
    return verdict.blocked ? blocked() : refusal;
  }

  /**
   * Kerio 12.2's relay rule, in its order: null when the client may not relay, and the POP3
   * login that lets it when that is the reason. A failed AUTH is not rescued by the trusted group.
   */
  private relayGrant(session: SessionInfo): { readonly pop3Login?: string } | null {
    const relay = this.options.relay ?? {};
    if (relay.open) return {};
    if (session.user !== null && (relay.authenticated ?? true)) return {};
    const state = this.state(session);
    if (
      relay.trustedGroup &&
      !state.authFailed &&
      this.inGroup(relay.trustedGroup, session.remoteAddress)
    )
      return {};
    const pop3Login = relay.pop3BeforeSmtp?.recent(session.remoteAddress);
    return pop3Login == null ? null : { pop3Login };
  }

  private exempt(ip: string): boolean {
    const group = this.options.ipLimits?.exemptGroup;
    return group !== undefined && this.inGroup(group, ip);
  }

  private inGroup(group: string, ip: string): boolean {
    return this.options.ipGroups?.contains(group, ip) ?? false;
  }

  private state(session: SessionInfo): ConnectionState {
    let state = this.connections.get(session.id);
    if (!state) this.connections.set(session.id, (state = { release: null, authFailed: false }));
    return state;
  }
}

function blocked(): SmtpReply {
  return {
    code: 421,
    enhanced: '4.7.0',
    lines: ['Your IP address is blocked for an hour (directory harvest)'],
  };
}

function ownDomainOnly(): SmtpReply {
  return {
    code: 550,
    enhanced: '5.7.1',
    lines: ['This account may send and receive mail within its own domain only'],
  };
}
