import {
  BayesFilter,
  type BayesFilterOptions,
  type BayesStatus,
  type SpamTest,
  bayesRuleOptions,
} from '@mailyard/spam-scoring';
import type { SpamAssassinRuleFiles } from './spam-rule-files.js';

/**
 * The server's Bayes filter, built with the Bayes settings of the SpamAssassin rule files the
 * server rates with (`bayes_ignore_header`, `bayes_stopword_*`): the one filter that classifies,
 * auto-learns and learns from the IMAP Junk folder, so all of them make the same tokens. The
 * rule files are read when Bayes first needs them (SpamAssassinRuleFiles); without rule files
 * (`SpamAssassinRules` none, or Debian's not installed), SpamAssassin's defaults.
 */
export class RuleFileBayes {
  private building: Promise<BayesFilter> | null = null;

  constructor(
    private readonly options: Omit<BayesFilterOptions, 'stopwords' | 'ignoredHeaders'>,
    private readonly ruleFiles: SpamAssassinRuleFiles | null,
  ) {}

  /** The filter, once the rule files' settings are known. */
  filter(): Promise<BayesFilter> {
    this.building ??= this.build().catch((error: unknown) => {
      this.building = null;
      throw error;
    });
    return this.building;
  }

  /**
   * Whether the filter scores, and why not. It depends on the database alone, not on the tokens,
   * so it is answered at start without reading the rule files.
   */
  status(): Promise<BayesStatus> {
    return new BayesFilter(this.options).status();
  }

  /** BayesFilter's content test, run by the filter built with the rule files' settings. */
  test(): SpamTest {
    return {
      ...new BayesFilter(this.options).test(),
      run: async (context) => (await this.filter()).test().run(context),
    };
  }

  private async build(): Promise<BayesFilter> {
    const config = this.ruleFiles ? await this.ruleFiles.config() : null;
    return new BayesFilter({ ...this.options, ...(config ? bayesRuleOptions(config) : {}) });
  }
}
