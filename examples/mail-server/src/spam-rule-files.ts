import type { Logger } from '@mailyard/mailstore-interface';
import {
  type SaConfig,
  SaRuleSet,
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
} from '@mailyard/spam-scoring';

/**
 * The SpamAssassin rule files of the configuration (`SpamAssassinRules`: a directory, or
 * `debian`), read when something first needs them, then kept: their settings (parsed, a second
 * or so of work) for Bayes's tokens, and their rules (compiled from the same parse, seconds more)
 * for the content test. A server whose clients are all whitelisted or authenticated never does
 * either. A read that fails is tried again by the next caller.
 */
export class SpamAssassinRuleFiles {
  private parsing: Promise<SaConfig | null> | null = null;
  private compiling: Promise<SaRuleSet | null> | null = null;

  constructor(
    private readonly where: string,
    private readonly logger: Logger,
  ) {}

  /** The parsed settings; null when the rules are Debian's and Debian's are not installed. */
  config(): Promise<SaConfig | null> {
    this.parsing ??= this.parse().catch((error: unknown) => {
      this.parsing = null;
      throw error;
    });
    return this.parsing;
  }

  /** The compiled rules; null as config() is. */
  rules(): Promise<SaRuleSet | null> {
    this.compiling ??= this.config()
      .then((config) => (config ? SaRuleSet.compile(config) : null))
      .catch((error: unknown) => {
        this.compiling = null;
        throw error;
      });
    return this.compiling;
  }

  private async parse(): Promise<SaConfig | null> {
    const directory = this.where === 'debian' ? await findDebianRuleDirectory() : this.where;
    if (directory === null) {
      this.logger.warn("spam: SpamAssassinRules is debian, but Debian's rules are not installed");
      return null;
    }
    return (await loadSpamAssassinConfig(directory)).config;
  }
}
