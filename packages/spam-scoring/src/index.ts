export {
  type MessageInput,
  SPAM_STAGES,
  type SmtpFacts,
  type SmtpRejectReply,
  type SpamStage,
  type SpamTest,
  type SpamTestContext,
  type SpamTestKind,
  type StagedHit,
  type TestHit,
} from './core/spam-test.js';
export {
  type BlockedMessageAction,
  MAX_BLOCK_SCORE,
  MAX_SPAM_SCORE,
  type ResolvedSpamOptions,
  SPAM_DEFAULTS,
  SpamConfigError,
  type SpamRatingOptions,
  resolveSpamOptions,
} from './core/spam-options.js';
export { type SpamAction, type SpamVerdict, decideVerdict } from './core/spam-verdict.js';
export { type HeaderLine, spamHeaders, subjectTag } from './core/spam-headers.js';
export { applyVerdictHeaders } from './core/apply-verdict.js';
export { matchesWildcard } from './core/wildcard.js';
export {
  type CustomRule,
  type CustomRuleAction,
  type CustomRuleType,
  customRuleMatches,
} from './core/custom-rule.js';
export {
  type RatedMessage,
  SpamEngine,
  type SpamLearner,
  type SpamEngineOptions,
  type StageOutcome,
  type TestFailure,
} from './engine/spam-engine.js';
export {
  type IpBlacklistOptions,
  type ListAction,
  ipBlacklistTest,
  listHit,
} from './engine/ip-list-tests.js';
export { customRuleTests } from './engine/custom-rule-tests.js';
export {
  readPerlMatch,
  translatePerlRegex,
  type PerlMatch,
  type TranslatedRegex,
} from './spamassassin/perl-regex.js';
export {
  DEFAULT_ENVIRONMENT,
  FEATURES_NOT_BUILT,
  DEFAULT_PLUGINS,
  type SaConfig,
  type SaRuleDefinition,
  type SaRuleKind,
  emptySaConfig,
  parseCfFile,
} from './spamassassin/cf-parser.js';
export { type CfEnvironment, evaluateCondition } from './spamassassin/cf-condition.js';
export { type MetaExpression, parseMetaExpression } from './spamassassin/meta-expression.js';
export {
  type SaRuleHit,
  SaRuleSet,
  type SaRuleSetStats,
  type ScoreSet,
  type UnsupportedRule,
} from './spamassassin/sa-rule-set.js';
export {
  type HeaderModifier,
  SaMessageView,
  type ViewEnvelope,
} from './spamassassin/message-view.js';
export { NO_REGISTRY, type RegistryLists } from './spamassassin/registry-boundaries.js';
export { type RenderedHtml, renderHtml } from './spamassassin/html-text.js';
export {
  type SpamAssassinTestOptions,
  spamAssassinTest,
} from './spamassassin/spamassassin-test.js';
export {
  DEBIAN_RULE_DIRECTORIES,
  type LoadedRuleConfig,
  type LoadedRules,
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
  loadSpamAssassinRules,
} from './node/load-spamassassin-rules.js';
export {
  BAYES_TOKENIZER_VERSION,
  MAX_TOKENS_PER_MESSAGE,
  bayesTokens,
} from './bayes/bayes-tokenizer.js';
export {
  type BayesStopwords,
  type BayesStopwordSettings,
  BUILT_IN_ENGLISH_STOPWORDS,
  DEFAULT_BAYES_STOPWORDS,
  DEFAULT_STOPWORD_LANGUAGES,
  STOPWORD_CACHE_SIZE,
  bayesStopwords,
} from './bayes/bayes-stopwords.js';
export { type BayesRuleSettings, bayesRuleOptions } from './bayes/bayes-rule-settings.js';
export {
  type BayesMath,
  DEFAULT_BAYES_MATH,
  type TokenCounts,
  chi2Q,
  combineProbabilities,
  tokenProbability,
} from './bayes/chi-square.js';
export {
  type BayesExpiryPolicy,
  type BayesTokenAges,
  DEFAULT_BAYES_EXPIRY,
  expiryCutoff,
} from './bayes/bayes-expiry.js';
export { type ReceivedHops, receiveDate, receivedHops } from './spamassassin/receive-date.js';
export {
  type BayesClass,
  type BayesExpiryOutcome,
  type BayesStore,
  type BayesTotals,
  type BayesUpdate,
  MemoryBayesStore,
} from './bayes/bayes-store.js';
export {
  type AutoLearnThresholds,
  type BayesBand,
  type BayesClassification,
  BayesFilter,
  type BayesFilterOptions,
  type BayesStatus,
  DEFAULT_BAYES_BANDS,
  type LearnOutcome,
} from './bayes/bayes-filter.js';
export { messageSignature } from './bayes/message-signature.js';
export {
  BayesStoreError,
  FileBayesStore,
  type FileBayesStoreOptions,
} from './node/file-bayes-store.js';
export {
  type DnsBlacklist,
  KERIO_DNS_BLACKLISTS,
  dnsblQueryName,
  isListing,
  rhsblQueryName,
} from './core/dns-blacklist.js';
export {
  type DnsBlacklistTestOptions,
  type DnsLookup,
  dnsBlacklistTests,
} from './engine/dns-blacklist-tests.js';
export {
  type NodeDnsLookupOptions,
  nodeDnsLookup,
  nodeDnsLookups,
} from './node/node-dns-lookup.js';
export { SA_EVAL_TESTS, type SaEvalTest, parseEvalCall } from './spamassassin/eval-tests.js';
export { IMAGE_SCAN_SIZE } from './spamassassin/image-info-eval-tests.js';
export { requiredLiterals } from './spamassassin/required-literal.js';
export {
  type LoggedMessage,
  type SpamCounters,
  SpamStatistics,
  spamLogLine,
  spamRejectLogLine,
  userMarkLogLine,
} from './core/spam-statistics.js';
export {
  type GreylistDecision,
  type GreylistOptions,
  GreylistPolicy,
  type GreylistState,
  networkOf,
} from './core/greylist.js';
export { GreylistStoreError, loadGreylist, saveGreylist } from './node/file-greylist-store.js';
export {
  type AttachmentRule,
  type BlockedAttachment,
  KERIO_ATTACHMENT_RULES,
  blockedAttachments,
  removeAttachments,
} from './core/attachment-filter.js';
export { type ScanResult, type VirusScanner } from './core/virus-scanner.js';
export { ClamdError, type ClamdOptions, ClamdScanner } from './node/clamd-scanner.js';
export { type SpfCheck, type SpfResult, type SpfTestOptions, spfTest } from './engine/spf-test.js';
export {
  type DnsResolve,
  type MailauthResolverOptions,
  type MailauthSpfOptions,
  mailauthSpf,
  nodeMailauthResolver,
} from './node/mailauth-spf.js';
export {
  MAILAUTH_SCORES,
  type MailauthAuthenticator,
  type MailauthOutcome,
  type MailauthTestOptions,
  mailauthAuthenticator,
  mailauthTest,
} from './node/mailauth-test.js';
