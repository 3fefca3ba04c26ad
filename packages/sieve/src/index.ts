// @mailyard/sieve: the Sieve mail filtering language (RFC 5228) with registered extensions.
// protocol/ parses, compiler/ checks and compiles against an extension registry, interpreter/
// runs a compiled script against a message and returns actions; extensions/ holds the core and
// the extensions, each a module registered through the same API third parties use.

// Parsing (pure, synchronous).
export type {
  ArgumentNode,
  CommandNode,
  NumberNode,
  ScriptNode,
  StringListNode,
  StringNode,
  TagNode,
  TestNode,
} from './protocol/ast.js';
export {
  type SieveDiagnostic,
  type SourcePosition,
  formatSieveDiagnostic,
} from './protocol/diagnostic.js';
export { DEFAULT_PARSE_LIMITS, type ParseLimits } from './protocol/parse-limits.js';
export { type ParseResult, parseScript } from './protocol/parser.js';

// Compiling.
export { type SieveCompileOptions, compileSieve } from './compiler/compile-script.js';
export {
  type CompileOptions,
  type CompileResult,
  compileWithRegistry,
} from './compiler/compile.js';
export type {
  CompiledBlock,
  CompiledCommand,
  CompiledIf,
  CompiledNode,
  CompiledScript,
  CompiledTest,
} from './compiler/program.js';

// The extension API.
export { Arguments, type CompiledMatch, type TagValue } from './compiler/arguments.js';
export type {
  ActionDefinition,
  AddressPartDefinition,
  CommandDefinition,
  ComparatorDefinition,
  EnvelopePartDefinition,
  MatchContext,
  MatchTypeDefinition,
  ParameterSpec,
  SieveExtension,
  Signature,
  TagExtension,
  TagSpec,
  TestDefinition,
  ValidationContext,
  ValueKind,
  VariableModifier,
  VariableNamespace,
} from './compiler/definitions.js';
export { ExtensionRegistry, type Registered } from './compiler/registry.js';
export type {
  CompiledValue,
  SieveString,
  SieveStringList,
  TemplatePart,
  VariableReference,
} from './compiler/strings.js';
export { type GlobBudget, type GlobPattern, matchGlob, parseGlob } from './compiler/glob.js';

// Running.
export type {
  DiscardAction,
  FileintoAction,
  KeepAction,
  RedirectAction,
  RejectAction,
  SieveAction,
  SieveActionTypes,
} from './interpreter/actions.js';
export {
  type SieveAddress,
  addressText,
  envelopeAddress,
  isPlainAddress,
} from './interpreter/address.js';
export type { SieveEnvelope } from './interpreter/envelope.js';
export { DEFAULT_HOST, type SieveHost } from './interpreter/host.js';
export { DEFAULT_RUNTIME_LIMITS, type RuntimeLimits } from './interpreter/limits.js';
export { SieveMessage } from './interpreter/message.js';
export { SieveResult } from './interpreter/result.js';
export type { SieveRuntime, SieveRuntimeError } from './interpreter/runtime.js';
export {
  type RunOptions,
  type SieveRunInput,
  type SieveRunResult,
  runScript,
} from './interpreter/interpreter.js';

// The extensions.
export { STANDARD_EXTENSIONS, standardRegistry } from './extensions/index.js';
export {
  ASCII_CASEMAP,
  ASCII_NUMERIC,
  OCTET,
  comparatorAsciiNumeric,
} from './extensions/comparators.js';
export { CONTAINS, IS, MATCHES } from './extensions/match-types.js';
export { ALL, DOMAIN, LOCALPART } from './extensions/address-parts.js';
export { comparatorAsciiCasemap, comparatorOctet, core, envelope } from './extensions/core.js';
export { encodedCharacter } from './extensions/encoded-character.js';
export { fileintoExtension } from './extensions/fileinto.js';
export { ereject, reject } from './extensions/reject.js';
export { relational } from './extensions/relational.js';
export {
  DEFAULT_REGEX_OPTIONS,
  QUOTEREGEX,
  type RegexOptions,
  regex,
  regexExtension,
  regexMatchType,
} from './extensions/regex.js';
export {
  DEFAULT_EDITHEADER_OPTIONS,
  type EditheaderOptions,
  editheader,
  editheaderExtension,
} from './extensions/editheader.js';
export {
  DEFAULT_ENOTIFY_OPTIONS,
  ENCODEURL,
  type EnotifyOptions,
  type NotifyAction,
  enotify,
  enotifyExtension,
} from './extensions/enotify.js';
export { mboxmetadata, servermetadata } from './extensions/metadata.js';
export { specialUse } from './extensions/special-use.js';
export { mailboxid } from './extensions/mailboxid.js';
export { redirectDeliverBy, redirectDsn } from './extensions/redirect-dsn.js';
export { extlists } from './extensions/extlists.js';
export {
  DEFAULT_INCLUDE_OPTIONS,
  type IncludeOptions,
  include,
  includeExtension,
} from './extensions/include.js';
export { fcc } from './extensions/fcc.js';
export {
  DEFAULT_FOREVERYPART_OPTIONS,
  type ForeverypartOptions,
  extracttext,
  foreverypart,
  foreverypartExtension,
} from './extensions/foreverypart.js';
export { mime } from './extensions/mime.js';
export { variables } from './extensions/variables.js';
export {
  VACATION_ACTION,
  type VacationAction,
  type VacationReply,
  type VacationTracking,
  isSystemSender,
  vacation,
  vacationSeconds,
} from './extensions/vacation.js';
export { copy } from './extensions/copy.js';
export { canonicalFlag, flagSet, imap4flags } from './extensions/imap4flags.js';
export { mailbox } from './extensions/mailbox.js';
export { type SubaddressOptions, createSubaddress, subaddress } from './extensions/subaddress.js';
export { environment } from './extensions/environment.js';
export { ihave } from './extensions/ihave.js';
export { body } from './extensions/body.js';
export { date, datePart, parseZone } from './extensions/date.js';
export { index, indexedValues } from './extensions/index-extension.js';
export { DUPLICATE_ACTION, type DuplicateAction, duplicate } from './extensions/duplicate.js';
export {
  type SpamScoreSource,
  type SpamtestOptions,
  type VirusVerdictSource,
  createSpamtest,
  spamtest,
  spamtestValue,
  spamtestplus,
  virustest,
} from './extensions/spamtest.js';

// Kerio's rule model and its round trip with Sieve (rules.md).
export * from './kerio-rules/index.js';
export {
  UNICODE_CASEMAP,
  comparatorUnicodeCasemap,
  unicodeCasemap,
} from './extensions/unicode-casemap.js';
