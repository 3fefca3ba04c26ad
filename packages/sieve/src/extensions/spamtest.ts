// spamtest, spamtestplus and virustest (RFC 5235): the verdicts of the spam and virus scanners
// that ran before the script, read from header fields the host names, on the RFC's scales.
import type { Arguments } from '../compiler/arguments.js';
import type { SieveExtension, TestDefinition, ValidationContext } from '../compiler/definitions.js';
import type { SieveRuntime } from '../interpreter/runtime.js';

/** Where the spam score is and what its range is. */
export interface SpamScoreSource {
  /** The header field holding the score. Default `X-Spam-Score` (Kerio, spam.md 2.10). */
  readonly header: string;
  /**
   * Reads the number from the field's value (a host's own pattern: `score=(-?[\d.]+)` for
   * `X-Spam-Status`). Default: the value is the number.
   */
  readonly parse?: (value: string) => number | undefined;
  /** The score that means "not spam at all". Default 0. */
  readonly min?: number;
  /** The score that means "certainly spam". Default 10 (Kerio's scale, 0.0 to 10.0). */
  readonly max: number;
}

/** Where the virus scanner's verdict is, and how it maps onto RFC 5235's 1 to 5. */
export interface VirusVerdictSource {
  readonly header: string;
  /**
   * The level of a field's value: 1 no virus, 2 a virus removed, 3 cleaned, 4 suspected, 5
   * infected; undefined for "not tested" (0).
   */
  readonly level: (value: string) => number | undefined;
}

export interface SpamtestOptions {
  /** Default: Kerio's `X-Spam-Score`, 0 to 10. */
  readonly spam?: SpamScoreSource;
  /** Default: none (virustest always says 0, "not tested"). */
  readonly virus?: VirusVerdictSource;
}

const KERIO_SPAM_SCORE: SpamScoreSource = { header: 'X-Spam-Score', max: 10 };

function number(value: string): number | undefined {
  const parsed = Number(value.trim());
  return value.trim() !== '' && Number.isFinite(parsed) ? parsed : undefined;
}

/** The score as a fraction of the range (0 to 1), or undefined when the message was not scored. */
function spamRatio(runtime: SieveRuntime, source: SpamScoreSource): number | undefined {
  const value = runtime.message.headerValues(source.header)[0];
  if (value === undefined) return undefined;
  const score = (source.parse ?? number)(value);
  if (score === undefined) return undefined;
  const min = source.min ?? 0;
  const span = source.max - min;
  if (!(span > 0)) return undefined;
  return Math.min(1, Math.max(0, (score - min) / span));
}

/**
 * spamtest's value (RFC 5235 section 3.2): "0" not tested, "1" (not spam) to "10" (spam); with
 * `:percent` (spamtestplus, section 3.3) "0" to "100".
 */
export function spamtestValue(
  runtime: SieveRuntime,
  source: SpamScoreSource,
  percent: boolean,
): string {
  const ratio = spamRatio(runtime, source);
  if (ratio === undefined) return '0';
  // Rounded down, as Pigeonhole does (the RFC leaves the mapping to the implementation): 10 only
  // for the top of the range, 1 for anything below a ninth of it.
  return String(percent ? Math.floor(ratio * 100) : 1 + Math.floor(ratio * 9));
}

// RFC 5235 gives one string; taken as a list of one, as the match types compare key lists.
const VALUE = [{ name: 'value', kind: 'string-list' as const }];

function checkPercent(args: Arguments, context: ValidationContext): void {
  if (args.has('percent') && !context.has('spamtestplus'))
    context.error(args, "the :percent tag of spamtest needs the 'spamtestplus' extension");
}

/**
 * The three extensions over one configuration: spamtest, spamtestplus (spamtest with
 * `:percent`; requiring it enables spamtest, RFC 5235 section 3.3) and virustest.
 */
export function createSpamtest(options: SpamtestOptions = {}): readonly SieveExtension[] {
  const spam = options.spam ?? KERIO_SPAM_SCORE;
  const spamtestTest: TestDefinition = {
    name: 'spamtest',
    comparator: true,
    matchType: true,
    // RFC 5235 section 3.1: values are compared as numbers unless the script says otherwise.
    defaultComparator: 'i;ascii-numeric',
    tags: [{ name: 'percent' }],
    positional: VALUE,
    keyList: 0,
    validate: checkPercent,
    evaluate: (args, _data, runtime) =>
      runtime.matches(
        args,
        [spamtestValue(runtime, spam, args.has('percent'))],
        args.stringList(0),
      ),
  };
  const virustestTest: TestDefinition = {
    name: 'virustest',
    comparator: true,
    matchType: true,
    defaultComparator: 'i;ascii-numeric',
    positional: VALUE,
    keyList: 0,
    evaluate(args, _data, runtime) {
      const source = options.virus;
      const value = source && runtime.message.headerValues(source.header)[0];
      const level = value === undefined || !source ? undefined : source.level(value);
      const verdict =
        level === undefined || !Number.isInteger(level) || level < 1 || level > 5 ? 0 : level;
      return runtime.matches(args, [String(verdict)], args.stringList(0));
    },
  };
  return [
    { capability: 'spamtest', tests: [spamtestTest] },
    { capability: 'spamtestplus', tests: [spamtestTest] },
    { capability: 'virustest', tests: [virustestTest] },
  ];
}

/** spamtest, spamtestplus and virustest on Kerio's X-Spam-Score (0 to 10), no virus header. */
export const [spamtest, spamtestplus, virustest] = createSpamtest() as [
  SieveExtension,
  SieveExtension,
  SieveExtension,
];
