import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  IpAddressGroups,
  type IpGroupItem,
  LOCAL_CLIENTS,
  LOCAL_CLIENTS_GROUP,
} from '@mailyard/access-policy';
import { type Clock, type Logger, writeFileAtomically } from '@mailyard/mailstore-interface';
import { parseHeaders, summarize } from '@mailyard/mime';
import type { PostgresGreylist } from '@mailyard/mailstore-postgres';
import type { SessionInfo, SmtpReply } from '@mailyard/smtp-core';
import {
  FileBayesStore,
  type GreylistDecision,
  GreylistPolicy,
  type MessageInput,
  type RatedMessage,
  type SmtpFacts,
  type SmtpRejectReply,
  type SpamCounters,
  SpamEngine,
  SpamStatistics,
  type SpamTest,
  type StageOutcome,
  customRuleTests,
  type MailauthAuthenticator,
  type MailauthOutcome,
  dnsBlacklistTests,
  ipBlacklistTest,
  loadGreylist,
  mailauthAuthenticator,
  mailauthSpf,
  nodeDnsLookups,
  nodeMailauthResolver,
  spfTest,
  saveGreylist,
  spamLogLine,
  spamRejectLogLine,
  userMarkLogLine,
} from '@mailyard/spam-scoring';
import { withAuthenticationResults } from './authentication-results.js';
import { rememberedSpf } from './remembered-spf.js';
import { lazyRulesTest } from './lazy-spamassassin-rules.js';
import { RuleFileBayes } from './rule-file-bayes.js';
import { SpamAssassinRuleFiles } from './spam-rule-files.js';
import type { DnsConfig, SpamConfig } from './server-config.js';
import { SharedGreylist } from './shared-greylist.js';
import { StateSaver } from './state-saver.js';
import { readCountersFile } from './counters-file.js';
import {
  type AntivirusCounters,
  AntivirusStatistics,
  antivirusStatisticsFile,
  readAntivirusStatistics,
} from './antivirus-statistics.js';

export interface SpamFilterOptions {
  readonly config: SpamConfig;
  /** Our host name: SPF's and Authentication-Results' authserv-id (RFC 8601). */
  readonly hostname: string;
  /** The DNS servers SPF, DKIM, DMARC, ARC and the DNS blacklists ask. */
  readonly dns: DnsConfig;
  readonly ipGroups: Readonly<Record<string, readonly IpGroupItem[]>>;
  /** The relay control group (Kerio 12.2): its clients are trusted relays, not rated by default. */
  readonly relayTrustedGroup: string;
  /** Where the Bayes database and the greylisting state live (`<store>/spam`). */
  readonly directory: string;
  readonly clock: Clock;
  readonly securityLog: (line: string) => void;
  readonly spamLog: (line: string) => void;
  readonly logger: Logger;
  /**
   * Greylisting's state in the database the servers share (`--store postgres://`), in place
   * of `<directory>/greylist.json`.
   */
  readonly sharedGreylist?: PostgresGreylist;
}

/** What becomes of a message after DATA. */
export type RatingOutcome =
  /** Queue these bytes (the spam headers added, the Subject tagged). */
  | { readonly kind: 'deliver'; readonly bytes: Uint8Array; readonly rated: RatedMessage }
  /** Answer the client with this refusal; nothing is queued. */
  | { readonly kind: 'refuse'; readonly reply: SmtpReply; readonly rated: RatedMessage }
  /** Tell the client 250, and queue nothing (Kerio's discard); `original` for a quarantine copy. */
  | { readonly kind: 'discard'; readonly original: Uint8Array; readonly rated: RatedMessage };

/** A message a user marked: its size, and its bytes (only the first ones of a large message). */
export interface MarkedMessage {
  readonly size: number;
  readonly bytes: Uint8Array;
}

interface SessionState {
  outcome: StageOutcome | undefined;
  /** Recipients accepted in this transaction. */
  recipients: string[];
}

/**
 * Kerio's spam filter (Admin Guide 13) between the SMTP dialogue and the queue: the IP lists and
 * DNS blacklists when the client gives MAIL FROM (its login is known by then), custom From/To
 * rules at MAIL and each RCPT, greylisting at RCPT, and the content (SpamAssassin rules, Bayes)
 * after DATA, before the client hears 250. The engine (`@mailyard/spam-scoring`) decides; this
 * class only keeps each session's outcome, the durable state, the counters and the logs.
 */
export class SpamFilter {
  /** Kerio's counters (13.8), kept in `statistics.json` across restarts. */
  readonly statistics: SpamStatistics;
  /**
   * The antivirus's counters (14.6), which the content screen counts; kept here, beside the
   * spam counters, in `antivirus-statistics.json`, shown and reset with them.
   */
  readonly antivirusStatistics: AntivirusStatistics;
  private readonly antivirusSaver: StateSaver;
  private readonly sessions = new Map<string, SessionState>();
  private readonly trusted: ((ip: string) => boolean) | null;
  private readonly greylistSaver: StateSaver;
  private readonly statisticsSaver: StateSaver;
  private learning: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: SpamFilterOptions,
    readonly engine: SpamEngine,
    private readonly bayes: RuleFileBayes | null,
    private readonly greylist: GreylistPolicy | SharedGreylist | null,
    counters: SpamCounters | null,
    private readonly authenticator: MailauthAuthenticator | null,
    antivirusCounters: AntivirusCounters | null,
  ) {
    const groups = withLocalClients(options.ipGroups);
    this.trusted = options.relayTrustedGroup ? groups.matcher(options.relayTrustedGroup) : null;
    this.statistics = new SpamStatistics(counters ?? undefined);
    this.antivirusStatistics = new AntivirusStatistics(antivirusCounters ?? undefined);
    const failed = (what: string) => (error: unknown) =>
      options.logger.error(`spam: could not save ${what}`, { error });
    this.greylistSaver = new StateSaver(
      () =>
        this.greylist instanceof GreylistPolicy
          ? saveGreylist(greylistFile(options.directory), this.greylist)
          : Promise.resolve(),
      failed('the greylisting state'),
    );
    this.statisticsSaver = new StateSaver(
      () =>
        writeFileAtomically(
          statisticsFile(options.directory),
          JSON.stringify(this.statistics.snapshot()),
        ),
      failed('the statistics'),
    );
    this.antivirusSaver = new StateSaver(
      () =>
        writeFileAtomically(
          antivirusStatisticsFile(options.directory),
          JSON.stringify(this.antivirusStatistics.snapshot()),
        ),
      failed('the antivirus statistics'),
    );
  }

  /** The content screen counted: the antivirus counters go to disk. */
  antivirusCounted(): void {
    void this.antivirusSaver.save();
  }

  /** Opens the Bayes database and the greylisting state (a file that cannot be read stops the start). */
  static async open(options: SpamFilterOptions): Promise<SpamFilter> {
    const { config } = options;
    const groups = withLocalClients(options.ipGroups);
    await mkdir(options.directory, { recursive: true });
    const bayesFile = join(options.directory, 'bayes.json');
    // Read once, when a message first needs them, by the rules test and by Bayes alike.
    const ruleFiles =
      config.contentRules !== 'none'
        ? new SpamAssassinRuleFiles(config.contentRules, options.logger)
        : null;
    // Built with the rule files' Bayes settings: rating, auto-learning and the Junk folder's
    // lessons make the same tokens, those mailyard-spam makes with the same rules.
    const bayes = config.bayes
      ? new RuleFileBayes(
          {
            store: await FileBayesStore.open(bayesFile),
            ...(config.bayesAutoLearn ? {} : { autoLearn: null }),
          },
          ruleFiles,
        )
      : null;
    // A database learned by an older tokenizer is kept as it is, unused: said once, here.
    const bayesStatus = await bayes?.status();
    if (bayesStatus?.state === 'outdated')
      options.logger.warn(`spam: ${bayesFile}: ${bayesStatus.message}`);
    const grey = config.greylisting;
    const greylistOptions = {
      delayMs: grey.delaySeconds * 1000,
      retryWindowMs: grey.retryWindowHours * 3_600_000,
      autoWhitelistAfter: grey.autoWhitelistAfter,
      ...(grey.exemptGroup ? { exempt: groups.matcher(grey.exemptGroup) } : {}),
    };
    // Over a shared database, the state is there; else in greylist.json beside the store.
    const greylist: GreylistPolicy | SharedGreylist | null = !grey.enabled
      ? null
      : options.sharedGreylist
        ? new SharedGreylist(options.sharedGreylist, greylistOptions)
        : await loadGreylist(greylistFile(options.directory), greylistOptions);
    const tests: SpamTest[] = [];
    const dns = {
      ...(options.dns.servers.length > 0 ? { servers: options.dns.servers } : {}),
      timeoutMs: options.dns.timeoutMs,
    };
    const resolver = nodeMailauthResolver(dns);
    // Kerio's order (13.3): SPF before the lists and the custom rules.
    if (config.spf.enabled)
      tests.push(
        spfTest({
          check: rememberedSpf(mailauthSpf({ mta: options.hostname, resolver }), options.clock),
          action:
            config.spf.action === 'score'
              ? { kind: 'score', score: config.spf.score }
              : { kind: config.spf.action },
          ...(config.spf.exemptGroup ? { exempt: groups.matcher(config.spf.exemptGroup) } : {}),
          securityLog: options.securityLog,
        }),
      );
    if (config.blacklistGroup)
      tests.push(
        ipBlacklistTest({
          matches: groups.matcher(config.blacklistGroup),
          action:
            config.blacklistAction === 'block'
              ? { kind: 'block' }
              : { kind: 'score', score: config.blacklistScore },
        }),
      );
    if (config.dnsBlacklists.some((list) => list.enabled !== false))
      tests.push(
        ...dnsBlacklistTests({
          lists: config.dnsBlacklists,
          lookupFor: nodeDnsLookups(dns),
          securityLog: options.securityLog,
        }),
      );
    tests.push(...customRuleTests(config.customRules));
    const authenticator = config.mailAuth.enabled
      ? mailauthAuthenticator({ mta: options.hostname, resolver })
      : null;
    if (authenticator) tests.push(authenticator.test);
    if (ruleFiles)
      // After the mailauth test, so the rules know whether it verified DKIM (__DKIM_DEPENDABLE).
      tests.push(
        lazyRulesTest(
          ruleFiles,
          bayes !== null,
          authenticator ? authenticator.dkimVerified : undefined,
        ),
      );
    if (bayes) tests.push(bayes.test());
    const quarantine = config.quarantineAddress || null;
    const engine = new SpamEngine({
      tests,
      // Auto-learning is done here, in `rate`: only from messages whose content was rated.
      learners: [],
      enabled: config.enabled,
      rateTrustedSenders: config.rateTrusted,
      tagScore: config.tagScore,
      blockScore: config.blockScore,
      subjectPrefix: config.subjectTag === '' ? null : config.subjectTag,
      blockAction: { bounce: false, quarantine },
      customRuleAction: { bounce: false, quarantine },
      maxContentBytes: config.maxContentBytes,
      whitelist: config.whitelistGroup ? groups.matcher(config.whitelistGroup) : null,
    });
    const counters = await readStatistics(statisticsFile(options.directory));
    const antivirus = await readAntivirusStatistics(antivirusStatisticsFile(options.directory));
    return new SpamFilter(options, engine, bayes, greylist, counters, authenticator, antivirus);
  }

  /** MAIL FROM: the IP lists and DNS blacklists (once a connection), then the From rules. */
  async atMailFrom(from: string, session: SessionInfo): Promise<SmtpReply | undefined> {
    const state: SessionState = { outcome: this.sessions.get(session.id)?.outcome, recipients: [] };
    this.sessions.set(session.id, state);
    const facts = this.facts(session, from, []);
    const connect = await this.engine.checkStage('connect', facts, state.outcome);
    state.outcome = connect;
    if (connect.reply) return this.refused(connect.reply, facts, 'IP address lists');
    const envelope = await this.engine.checkStage('envelope', facts, connect);
    if (envelope.reply) return this.refused(envelope.reply, facts, 'sender rules');
    state.outcome = envelope;
    return undefined;
  }

  /** RCPT TO: the To rules with this recipient, then greylisting. */
  async atRcptTo(recipient: string, session: SessionInfo): Promise<SmtpReply | undefined> {
    const state = this.sessions.get(session.id);
    if (!state) return undefined;
    const from = session.envelope?.from ?? '';
    const facts = this.facts(session, from, [...state.recipients, recipient]);
    const outcome = await this.engine.checkStage('envelope', facts, state.outcome);
    if (outcome.reply) return this.refused(outcome.reply, facts, 'recipient rules');
    if (this.greylist && !facts.authenticated && !outcome.whitelisted) {
      const decision = await this.greylistDecision(this.greylist, facts.clientIp, from, recipient);
      if (decision.action === 'defer' && decision.reply) return toSmtpReply(decision.reply);
    }
    state.outcome = outcome;
    state.recipients.push(recipient);
    return undefined;
  }

  /**
   * Greylisting's verdict on one recipient. The shared state unreachable: the recipient is
   * deferred (451 4.3.0), neither let through unchecked nor refused for good.
   */
  private async greylistDecision(
    greylist: GreylistPolicy | SharedGreylist,
    clientIp: string,
    from: string,
    recipient: string,
  ): Promise<GreylistDecision> {
    const now = this.options.clock.now();
    if (greylist instanceof GreylistPolicy) {
      const decision = greylist.check(clientIp, from, recipient, now);
      if (decision.reason !== 'exempt') await this.greylistSaver.save();
      return decision;
    }
    try {
      return await greylist.check(clientIp, from, recipient, now);
    } catch (error) {
      this.options.logger.error('spam: the greylisting state cannot be read', { error });
      return {
        action: 'defer',
        reason: 'new',
        reply: { code: 451, enhanced: '4.3.0', text: 'Greylisting unavailable, try again later' },
      };
    }
  }

  /** After DATA: rates the message and says what to do with it. */
  async rate(
    envelope: { readonly from: string; readonly recipients: readonly string[] },
    bytes: Uint8Array,
    session: SessionInfo,
  ): Promise<RatingOutcome> {
    const state = this.sessions.get(session.id);
    const facts = this.facts(session, envelope.from, envelope.recipients);
    const message: MessageInput = { bytes, summary: summarize(bytes) };
    const rated = await this.engine.rate(facts, message, state?.outcome);
    // Not from whitelisted or trusted senders' mail: its content was not rated (and only its
    // header may be here), so a score of 0 says nothing about it being ham.
    if (this.bayes && this.options.config.bayesAutoLearn && this.ratesContent(session))
      await this.bayes
        .filter()
        .then((bayes) => bayes.autoLearn(message, rated))
        .catch((error: unknown) =>
          this.options.logger.warn('spam: auto-learning failed', { session: session.id, error }),
        );
    for (const failure of rated.failures)
      this.options.logger.warn(`spam: test ${failure.test} failed: ${failure.error}`, {
        session: session.id,
      });
    // Kerio's "messages checked" are those rated: not whitelisted or trusted senders' mail.
    if (this.ratesContent(session)) {
      this.statistics.record(rated);
      void this.statisticsSaver.save();
    }
    const logged = {
      from: envelope.from,
      to: envelope.recipients.join(', '),
      size: bytes.length,
      subject: subjectOf(bytes),
    };
    if (rated.action === 'tag' || rated.action === 'discard' || rated.action === 'block')
      this.options.spamLog(spamLogLine(rated, logged));
    if (rated.action === 'block' || rated.action === 'discard') {
      const threshold = this.engine.options.blockScore;
      this.options.securityLog(
        spamRejectLogLine(rated, { from: envelope.from, to: envelope.recipients }, threshold),
      );
    }
    if (rated.action === 'block')
      return { kind: 'refuse', reply: toSmtpReply(rated.reply!), rated };
    const authenticated = await this.authenticationOf(message);
    const dmarc = authenticated?.dmarc;
    if (
      rated.action !== 'discard' &&
      this.options.config.mailAuth.dmarcReject === 'reject' &&
      dmarc?.result === 'fail' &&
      dmarc.policy === 'reject'
    ) {
      this.options.securityLog(
        oneLine(
          `Message from <${envelope.from}> to ${envelope.recipients.map((to) => `<${to}>`).join(', ')} from IP address ${session.remoteAddress} rejected: it fails DMARC and ${dmarc.domain} publishes p=reject`,
        ),
      );
      return {
        kind: 'refuse',
        reply: {
          code: 550,
          enhanced: '5.7.1',
          lines: [`Rejected by the DMARC policy of ${oneLine(dmarc.domain)}`],
        },
        rated,
      };
    }
    if (rated.action === 'discard') {
      if (this.options.config.blockAction === 'reject')
        return {
          kind: 'refuse',
          reply: { code: 550, enhanced: '5.7.1', lines: ['Message rejected as spam'] },
          rated,
        };
      return { kind: 'discard', original: bytes, rated };
    }
    const deliverable = withAuthenticationResults(
      SpamEngine.deliverable(bytes, rated),
      this.options.hostname,
      authenticated?.authenticationResults ?? null,
    );
    return { kind: 'deliver', bytes: deliverable, rated };
  }

  /** What DKIM, DMARC and ARC found, when they ran on this message (a failure is logged). */
  private async authenticationOf(message: MessageInput): Promise<MailauthOutcome | null> {
    const outcome = this.authenticator?.outcomeFor(message);
    if (!outcome) return null;
    // The engine listed a failed run among `failures` and logged it: no results to write.
    return outcome.catch(() => null);
  }

  /**
   * Whether the message's content can change its verdict: not for a whitelisted client, nor an
   * authenticated one or a trusted relay unless those are rated (`SpamRateTrusted`).
   */
  ratesContent(session: SessionInfo): boolean {
    if (this.sessions.get(session.id)?.outcome?.whitelisted) return false;
    const trusted = session.user !== null || (this.trusted?.(session.remoteAddress) ?? false);
    return !trusted || this.options.config.rateTrusted;
  }

  /** The message as the quarantine address gets it: the headers name every test's score. */
  quarantineCopy(bytes: Uint8Array, rated: RatedMessage): Uint8Array {
    return SpamEngine.deliverable(bytes, { ...rated, subjectTag: null });
  }

  /** The connection ended. */
  forget(session: SessionInfo): void {
    this.sessions.delete(session.id);
  }

  /**
   * A user moved or copied messages into Junk (spam) or out of it (ham): the server-wide Bayes
   * filter learns each, the counters count it, the Spam log says so (Kerio 13.4, 13.8, 24.8).
   * One lesson at a time, in the order the users gave them.
   */
  learnFromUser(
    mark: { readonly user: string; readonly as: 'spam' | 'ham'; readonly folder: string },
    messages: () => AsyncIterable<MarkedMessage>,
  ): Promise<void> {
    this.learning = this.learning.then(async () => {
      try {
        for await (const { size, bytes } of messages()) {
          // Over the content limit, a message is not rated (Kerio 13.4); nor is it learned.
          if (bytes.length === size && size <= this.options.config.maxContentBytes)
            await (
              await this.bayes?.filter()
            )?.learn({ bytes, summary: summarize(bytes) }, mark.as);
          this.statistics.recordUserMark(mark.as);
          void this.statisticsSaver.save();
          const headers = parseHeaders(bytes);
          this.options.spamLog(
            userMarkLogLine({
              ...mark,
              size,
              from: headers.get('from') ?? '',
              subject: headers.get('subject') ?? '',
            }),
          );
        }
      } catch (error) {
        this.options.logger.error(`spam: could not learn ${mark.user}'s messages as ${mark.as}`, {
          error,
        });
      }
    });
    return this.learning;
  }

  /** Kerio's Reset of the spam and antivirus statistics (13.8, 14.6): from zero, on disk too. */
  async resetStatistics(): Promise<void> {
    this.statistics.reset();
    this.antivirusStatistics.reset();
    await Promise.all([this.statisticsSaver.save(), this.antivirusSaver.save()]);
  }

  /** Waits for lessons under way, and for the greylisting state and counters to be on disk. */
  async close(): Promise<void> {
    await this.learning;
    await Promise.all([
      this.greylistSaver.idle(),
      this.statisticsSaver.idle(),
      this.antivirusSaver.idle(),
    ]);
  }
  private facts(session: SessionInfo, from: string, recipients: readonly string[]): SmtpFacts {
    return {
      clientIp: session.remoteAddress,
      helo: session.clientName ?? '',
      mailFrom: from,
      rcptTo: recipients,
      authenticated: session.user !== null,
      trustedRelay: this.trusted?.(session.remoteAddress) ?? false,
    };
  }

  private refused(reply: SmtpRejectReply, facts: SmtpFacts, what: string): SmtpReply {
    this.options.securityLog(
      `Message from <${facts.mailFrom}> to ${facts.rcptTo.map((to) => `<${to}>`).join(', ') || '<>'} from IP address ${facts.clientIp} rejected by spam filter (${what}): ${reply.text}`.replace(
        /[\r\n]+/g,
        ' ',
      ),
    );
    return toSmtpReply(reply);
  }
}

function greylistFile(directory: string): string {
  return join(directory, 'greylist.json');
}

export function statisticsFile(directory: string): string {
  return join(directory, 'statistics.json');
}

/** The counters a previous run kept; null when there are none (only ENOENT means that). */
export async function readStatistics(path: string): Promise<SpamCounters | null> {
  return readCountersFile(path, COUNTER_NAMES);
}

const COUNTER_NAMES: readonly (keyof SpamCounters)[] = [
  'messagesChecked',
  'spamTagged',
  'spamRejected',
  'markedSpamByUsers',
  'markedHamByUsers',
];

/** The IP groups, with Kerio's automatic local clients when the file does not define them. */
function withLocalClients(
  groups: Readonly<Record<string, readonly IpGroupItem[]>>,
): IpAddressGroups {
  return new IpAddressGroups({ [LOCAL_CLIENTS_GROUP]: LOCAL_CLIENTS, ...groups });
}

function toSmtpReply(reply: SmtpRejectReply): SmtpReply {
  return { code: reply.code, enhanced: reply.enhanced, lines: [reply.text] };
}

function subjectOf(bytes: Uint8Array): string {
  return parseHeaders(bytes).get('subject') ?? '';
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
