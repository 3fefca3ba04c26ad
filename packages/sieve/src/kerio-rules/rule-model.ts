/**
 * Kerio's rule model (Kerio Outlook Connector 6.2, "Rules for incoming messages"; the spec is
 * rules.md): an ordered list of rules, each a set of conditions joined by and/or and a set of
 * actions, plus the two predefined rules the Rule Editor cannot edit (Spam, Out of office) and
 * the hand-written Sieve that fits none of these shapes. The model is what a settings screen
 * edits; `rulesToSieve` and `sieveToRules` convert it to and from the user's Sieve script.
 */

/** The six Rule Condition Options. The negative ones wrap the test in `not`. */
export type RuleMatch =
  'is' | 'is-not' | 'contains' | 'does-not-contain' | 'matches' | 'does-not-match';

/** The address lines a condition can look at (C1-C5); `recipient` is To or Cc. */
export type AddressLine = 'recipient' | 'from' | 'to' | 'cc' | 'sender';

export type RuleCondition =
  /** C1-C5: the address (not the display name) in the line, matched against the keys. */
  | {
      readonly kind: 'address';
      readonly line: AddressLine;
      readonly match: RuleMatch;
      readonly keys: readonly string[];
    }
  /** C6: the decoded Subject matched against the keys. With `matches`, `*` and `?` are wildcards and `\` escapes them (RFC 5228 2.7.1). */
  | { readonly kind: 'subject'; readonly match: RuleMatch; readonly keys: readonly string[] }
  /** C7: at least one MIME part with `Content-Disposition: attachment`. */
  | { readonly kind: 'has-attachment' }
  /** C8: more than `size` units (K = 1024 octets, as Sieve counts). */
  | { readonly kind: 'size-over'; readonly size: number; readonly unit: SizeUnit }
  /** C9: the antispam filter flagged the message (`X-Spam-Flag: YES`). */
  | { readonly kind: 'spam' }
  /** C10: every message; when chosen it is the rule's only condition. */
  | { readonly kind: 'all-messages' };

export type SizeUnit = 'B' | 'KB' | 'MB';

/**
 * A rule's actions. Kerio offers each action once per rule, as checkboxes, and runs them in a
 * fixed order (A1 to A8), so they are a record rather than a list: there is no order to keep.
 */
export interface RuleActions {
  /** A1: file into this folder (own `INBOX/Orders`, shared `~user@domain/F`, public `#public/F`). */
  readonly moveTo?: string;
  /** A2: redirect to each address (the original envelope sender is kept). */
  readonly forwardTo?: readonly string[];
  /** A3: bounce with this text (RFC 5429 `reject`). */
  readonly reject?: string;
  /** A4: an explicit `keep`; only with another action, never with discard. */
  readonly keepInInbox?: boolean;
  /** A5: store the message nowhere. */
  readonly discard?: boolean;
  /** A6: a short mail to `address`; `$from$`, `$from-name$`, `$subject$`, `$text$`, `$text[N]$` are expanded when it is sent. */
  readonly notify?: { readonly address: string; readonly text: string };
  /** A7: answer each sender at most once a week with this text, unless out of office is on. */
  readonly autoreply?: string;
  /** A8: process no later rule. */
  readonly stop?: boolean;
}

/** A rule made in the Rule Editor. */
export interface UserRule {
  readonly kind: 'user';
  readonly name: string;
  readonly enabled: boolean;
  /** How the conditions combine; it matters only with more than one. */
  readonly operator: 'and' | 'or';
  readonly conditions: readonly RuleCondition[];
  readonly actions: RuleActions;
}

/** The predefined Spam rule: flagged mail goes to the Junk folder before any user rule sees it. */
export interface SpamRule {
  readonly kind: 'spam';
  readonly enabled: boolean;
  /** The folder spam goes to; Kerio's is `Junk E-mail`. */
  readonly folder: string;
  /** "Also trust senders from...": addresses whose mail is never moved. */
  readonly trustedSenders: readonly string[];
  /** "Also trust senders from my Contacts folder" (RFC 6134 `:list`, answered by the host). */
  readonly trustContacts: boolean;
}

/** The predefined Out of office rule (RFC 5230 vacation, once per sender per 7 days). */
export interface OutOfOfficeRule {
  readonly kind: 'out-of-office';
  readonly enabled: boolean;
  readonly text: string;
  /** Every address of the account, so that mail to an alias is answered too. */
  readonly addresses: readonly string[];
}

/** Sieve that fits no rule shape, kept byte for byte where it stood. */
export interface CustomRule {
  readonly kind: 'custom';
  readonly text: string;
}

export type Rule = UserRule | SpamRule | OutOfOfficeRule | CustomRule;

/** A user's whole rule list, in order, and what the script requires beyond what the rules need. */
export interface RuleList {
  readonly rules: readonly Rule[];
  /**
   * Capabilities the script's `require` named that the model rules do not need: hand-written
   * (custom) parts may use them, so they are required again when the script is written.
   */
  readonly extraCapabilities?: readonly string[];
}

/** Kerio's names, for the predefined rules' markers. */
export const SPAM_RULE_NAME = 'Spam';
export const OUT_OF_OFFICE_RULE_NAME = 'Out of office';
/** Kerio's folder for spam (rules.md 5.2). */
export const JUNK_FOLDER = 'Junk E-mail';
/** A3's text when the user gives none. */
export const DEFAULT_REJECT_TEXT = "Message rejected by the recipient's filter rules.";
