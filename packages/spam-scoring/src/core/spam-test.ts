import type { MessageSummary } from '@mailyard/mime';

/**
 * When Kerio decides a test: at the connection or a recipient (IP lists, DNS blacklists), at
 * MAIL FROM / RCPT TO (custom From/To rules at the top of the list, RHSBL), or after DATA
 * (header rules, content rules, Bayes). An SMTP application runs each stage when it gets there, so
 * that a block at an early stage is an SMTP reply and the message is never received.
 */
export type SpamStage = 'connect' | 'envelope' | 'content';

/** The stages in the order they happen. */
export const SPAM_STAGES: readonly SpamStage[] = ['connect', 'envelope', 'content'];

/** What the SMTP dialogue has told us about the sender, as far as it has got. */
export interface SmtpFacts {
  /** The client's IP address (v4, v6 or v4-mapped v6). */
  readonly clientIp: string;
  /** The HELO/EHLO argument, or '' before it. */
  readonly helo: string;
  /** The MAIL FROM address without brackets; '' for the null sender `<>` or before MAIL. */
  readonly mailFrom: string;
  /** The RCPT TO addresses so far. */
  readonly rcptTo: readonly string[];
  /** The client authenticated (SMTP AUTH). */
  readonly authenticated: boolean;
  /**
   * The client is a trusted relay agent (Kerio's SMTP relay options: the Relay Control IP group,
   * POP3 before SMTP). Authenticated clients are trusted whatever this says.
   */
  readonly trustedRelay?: boolean;
}

/** The message received after DATA: its bytes and `@mailyard/mime`'s summary of them. */
export interface MessageInput {
  readonly bytes: Uint8Array;
  readonly summary: MessageSummary;
}

/**
 * What a test found. `score` adds to the message's score; `block` rejects the message (at SMTP
 * level when the stage is connect or envelope); `allow` treats it as non-spam: Kerio's custom
 * Allow, which ends the rating and sets every other test's contribution to 0.
 */
export interface TestHit {
  /** The test's name, as `X-Spam-Status` lists it (`GTUBE`, `BAYES_99`, `CUSTOM_RULE_2`). */
  readonly name: string;
  readonly effect: 'score' | 'block' | 'allow';
  /** The contribution to the score (0 for block and allow). */
  readonly score: number;
  /** One line for `X-Spam-Report` and the logs. */
  readonly description: string;
  /** For a block at SMTP level: the reply the client gets (default 554 5.7.1). */
  readonly reply?: SmtpRejectReply;
}

export interface SmtpRejectReply {
  readonly code: number;
  readonly enhanced: string;
  readonly text: string;
}

/** A hit with the stage that produced it. */
export interface StagedHit extends TestHit {
  readonly stage: SpamStage;
}

/**
 * Which Kerio switch a test answers to: `list` tests (IP white/blacklists, DNS blacklists, custom
 * rules) run for trusted senders too; `rating` tests (content rules, Bayes) are skipped for
 * authenticated clients and trusted relays unless `rateTrustedSenders` is on (Kerio 13.1).
 */
export type SpamTestKind = 'list' | 'rating';

/** What a test sees when it runs. */
export interface SpamTestContext {
  readonly facts: SmtpFacts;
  /** The message, for content-stage tests; null at connect and envelope. */
  readonly message: MessageInput | null;
  /** What earlier tests found, in order. */
  readonly earlier: readonly StagedHit[];
}

/**
 * A test, registered with the engine as a module. A test that needs the outside world (DNS, a
 * token store, a scanner) is given its adapter when it is made; the engine only awaits it.
 */
export interface SpamTest {
  readonly name: string;
  readonly stage: SpamStage;
  readonly kind: SpamTestKind;
  /** Reads the message's content, so it is skipped for messages over `maxContentBytes`. */
  readonly readsContent?: boolean;
  /** Runs even for whitelisted clients (Kerio's custom IP blacklist does). */
  readonly runsForWhitelisted?: boolean;
  run(context: SpamTestContext): readonly TestHit[] | Promise<readonly TestHit[]>;
}
