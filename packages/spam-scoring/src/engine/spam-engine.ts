import { IpAddressGroups, LOCAL_CLIENTS } from '@mailyard/access-policy';
import { applyVerdictHeaders } from '../core/apply-verdict.js';
import { type HeaderLine, spamHeaders, subjectTag } from '../core/spam-headers.js';
import {
  type ResolvedSpamOptions,
  type SpamRatingOptions,
  resolveSpamOptions,
} from '../core/spam-options.js';
import {
  type MessageInput,
  SPAM_STAGES,
  type SmtpFacts,
  type SmtpRejectReply,
  type SpamStage,
  type SpamTest,
  type StagedHit,
} from '../core/spam-test.js';
import { type SpamVerdict, decideVerdict } from '../core/spam-verdict.js';

export interface SpamEngineOptions extends SpamRatingOptions {
  /** The tests, in Kerio's order within each stage (lists, custom rules, content, Bayes). */
  readonly tests?: readonly SpamTest[];
  /**
   * Kerio's IP whitelist: clients it matches are not rated (only tests that say
   * `runsForWhitelisted`, the custom IP blacklist, still run). Default: Kerio's automatic private
   * ranges (`LOCAL_CLIENTS` of `@mailyard/access-policy`); null: no whitelist.
   */
  readonly whitelist?: ((ip: string) => boolean) | null;
  /** Told every verdict, to learn from those they are sure of (the Bayes filter's auto-learn). */
  readonly learners?: readonly SpamLearner[];
}

/** Something that learns from rated messages. */
export interface SpamLearner {
  autoLearn(message: MessageInput, verdict: SpamVerdict): Promise<'spam' | 'ham' | null>;
}

/** What the stages run so far found; handed to the next stage so that nothing runs twice. */
export interface StageOutcome {
  readonly stagesRun: readonly SpamStage[];
  readonly hits: readonly StagedHit[];
  readonly whitelisted: boolean;
  /** Set when a test blocked at SMTP level: the reply to send, and the message never comes. */
  readonly reply: SmtpRejectReply | null;
  /** Tests that failed (a DNS timeout, an unreadable token store): they count nothing. */
  readonly failures: readonly TestFailure[];
}

export interface TestFailure {
  readonly test: string;
  readonly stage: SpamStage;
  readonly error: string;
}

/** The verdict with what the application writes into the message. */
export interface RatedMessage extends SpamVerdict {
  readonly headers: readonly HeaderLine[];
  /** The Subject prefix for a tagged message, or null. */
  readonly subjectTag: string | null;
  readonly failures: readonly TestFailure[];
  /** What a learner learned the message as, if it did. */
  readonly autoLearned: 'spam' | 'ham' | null;
}

const NOTHING_YET: StageOutcome = {
  stagesRun: [],
  hits: [],
  whitelisted: false,
  reply: null,
  failures: [],
};

const defaultWhitelist = new IpAddressGroups({ whitelist: LOCAL_CLIENTS }).matcher('whitelist');

/**
 * Kerio's spam rating as a pipeline of test modules. It does no I/O of its own: tests that need
 * DNS, a token store or a scanner were given their adapters when made, and the engine awaits
 * them. An SMTP application calls `checkStage('connect')` at the connection (or first RCPT),
 * `checkStage('envelope')` at each RCPT, and `rate` after DATA, passing each outcome on; a
 * program without SMTP calls `rate` alone and every stage runs there.
 */
export class SpamEngine {
  readonly options: ResolvedSpamOptions;
  private readonly tests: readonly SpamTest[];
  private readonly whitelist: ((ip: string) => boolean) | null;
  private readonly learners: readonly SpamLearner[];

  constructor(options: SpamEngineOptions = {}) {
    this.options = resolveSpamOptions(options);
    this.tests = options.tests ?? [];
    this.whitelist = options.whitelist === undefined ? defaultWhitelist : options.whitelist;
    this.learners = options.learners ?? [];
  }

  /** Runs one SMTP-time stage (connect or envelope) after `earlier`. */
  async checkStage(
    stage: 'connect' | 'envelope',
    facts: SmtpFacts,
    earlier: StageOutcome = NOTHING_YET,
  ): Promise<StageOutcome> {
    return this.runStages(stagesUpTo(stage, earlier), facts, null, earlier);
  }

  /** Rates a received message: runs the stages not run yet, then decides. */
  async rate(
    facts: SmtpFacts,
    message: MessageInput,
    earlier: StageOutcome = NOTHING_YET,
  ): Promise<RatedMessage> {
    const pending = stagesUpTo('content', earlier);
    const outcome = await this.runStages(pending, facts, message, earlier);
    const contentSkipped = message.bytes.length > this.options.maxContentBytes;
    const verdict = decideVerdict(
      { hits: outcome.hits, whitelisted: outcome.whitelisted, contentSkipped },
      this.options,
    );
    const failures = [...outcome.failures];
    let autoLearned: 'spam' | 'ham' | null = null;
    for (const learner of this.learners) {
      try {
        autoLearned = (await learner.autoLearn(message, verdict)) ?? autoLearned;
      } catch (error) {
        failures.push({ test: 'AUTO_LEARN', stage: 'content', error: errorText(error) });
      }
    }
    return {
      ...verdict,
      headers: verdict.whitelisted ? [] : spamHeaders(verdict, this.options),
      subjectTag: subjectTag(verdict, this.options),
      failures,
      autoLearned,
    };
  }

  /** The message as delivered: headers added, Subject tagged. */
  static deliverable(message: Uint8Array, rated: RatedMessage): Uint8Array {
    return applyVerdictHeaders(message, rated.headers, rated.subjectTag);
  }

  private async runStages(
    stages: readonly SpamStage[],
    facts: SmtpFacts,
    message: MessageInput | null,
    earlier: StageOutcome,
  ): Promise<StageOutcome> {
    // A stage run again (the envelope stage at a later RCPT) replaces what it found before.
    const hits = earlier.hits.filter((hit) => !stages.includes(hit.stage));
    const failures = [...earlier.failures];
    let whitelisted = earlier.whitelisted;
    if (!earlier.stagesRun.includes('connect') && stages.includes('connect'))
      whitelisted =
        this.whitelist !== null && facts.clientIp !== '' && this.whitelist(facts.clientIp);
    const trusted = facts.authenticated || facts.trustedRelay === true;
    const tooLarge = message !== null && message.bytes.length > this.options.maxContentBytes;
    let decided = hits.some((hit) => hit.effect !== 'score');
    for (const stage of stages) {
      for (const test of this.tests) {
        if (test.stage !== stage || decided) continue;
        if (whitelisted && !test.runsForWhitelisted) continue;
        if (trusted && test.kind === 'rating' && !this.options.rateTrustedSenders) continue;
        if (tooLarge && test.readsContent) continue;
        try {
          const found = await test.run({
            facts,
            message: stage === 'content' ? message : null,
            earlier: hits,
          });
          for (const hit of found) {
            hits.push({ ...hit, stage });
            if (hit.effect !== 'score') decided = true;
          }
        } catch (error) {
          failures.push({
            test: test.name,
            stage,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    const block = hits.find((hit) => hit.effect === 'block' && hit.stage !== 'content');
    return {
      stagesRun: [...new Set([...earlier.stagesRun, ...stages])],
      hits,
      whitelisted,
      reply: block
        ? (block.reply ?? { code: 554, enhanced: '5.7.1', text: 'Rejected by spam filter' })
        : null,
      failures,
    };
  }
}

function stagesUpTo(last: SpamStage, earlier: StageOutcome): SpamStage[] {
  const stages = SPAM_STAGES.slice(0, SPAM_STAGES.indexOf(last) + 1);
  // The envelope stage runs at every RCPT: a new recipient may match a To rule.
  return stages.filter(
    (stage) => !earlier.stagesRun.includes(stage) || (stage === 'envelope' && last === 'envelope'),
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
