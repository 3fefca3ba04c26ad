import { decodeEncodedWords, fieldValue, parseAddressList, type Headers } from '@mailyard/mime';
import { matchesWildcard } from './wildcard.js';

/** Kerio's custom rule condition types (13.3). */
export type CustomRuleType = 'empty' | 'missing' | 'address' | 'domain' | 'substring' | 'binary';

export type CustomRuleAction =
  /** "Treat the message as non-spam (overrides the SpamAssassin score)". */
  | { readonly kind: 'allow' }
  /** "Treat the message as spam and reject it". */
  | { readonly kind: 'reject' }
  /** "Add this value to the spam score" (may be negative). */
  | { readonly kind: 'score'; readonly score: number };

export interface CustomRule {
  /** From, To, Cc, Subject, Sender or any header name (without a colon). */
  readonly header: string;
  readonly type: CustomRuleType;
  /** The address, domain or substring; `*` wildcards in address and domain. Unused otherwise. */
  readonly content?: string;
  readonly action: CustomRuleAction;
  readonly description?: string;
  /** Default true. */
  readonly enabled?: boolean;
}

/** The values a rule is tested against: a header's values, and for From/To the envelope's. */
export interface RuleSubject {
  /** Each occurrence of the header (or envelope address), decoded; empty list when absent. */
  readonly values: readonly string[];
  /** Each value's raw bytes, for "contains binary data". */
  readonly raw: readonly Uint8Array[];
  /** The addresses in the values (for address and domain rules). */
  readonly addresses: readonly string[];
}

/** Whether the rule's condition holds. Pure. */
export function customRuleMatches(rule: CustomRule, subject: RuleSubject): boolean {
  const content = rule.content ?? '';
  switch (rule.type) {
    case 'missing':
      return subject.values.length === 0;
    case 'empty':
      return subject.values.length > 0 && subject.values.every((value) => value.trim() === '');
    case 'address':
      return subject.addresses.some((address) => matchesWildcard(content, address));
    case 'domain': {
      const domainPattern = content.startsWith('@') ? content.slice(1) : content;
      return subject.addresses.some((address) => {
        const at = address.lastIndexOf('@');
        return at >= 0 && matchesWildcard(domainPattern, address.slice(at + 1));
      });
    }
    case 'substring': {
      const needle = content.toLowerCase();
      return subject.values.some((value) => value.toLowerCase().includes(needle));
    }
    case 'binary':
      return subject.raw.some(hasNationalCharacters);
  }
}

/**
 * "Contains binary data": national or charset-specific characters, written as 8-bit bytes or as
 * encoded words (RFC 2047) whose decoding is not plain ASCII.
 */
function hasNationalCharacters(raw: Uint8Array): boolean {
  if (raw.some((byte) => byte >= 0x80)) return true;
  const text = new TextDecoder('latin1').decode(raw);
  if (!text.includes('=?')) return false;
  return /[^\x00-\x7f]/.test(decodeEncodedWords(text));
}

const encoder = new TextEncoder();

/** The header's occurrences in the message as a rule subject. */
export function headerSubject(headers: Headers, name: string): RuleSubject {
  const fields = headers.lookup(name);
  const unfolded = fields.map((field) => fieldValue(headers.bytes, field));
  return {
    values: unfolded.map((value) => decodeEncodedWords(value)),
    raw: fields.map((field) => headers.rawValue(field)),
    addresses: unfolded.flatMap(addressesIn),
  };
}

/** Envelope addresses (MAIL FROM, RCPT TO) as a rule subject; `''` is the null sender. */
export function envelopeSubject(addresses: readonly string[]): RuleSubject {
  return {
    values: addresses,
    raw: addresses.map((address) => encoder.encode(address)),
    addresses: addresses.filter((address) => address !== ''),
  };
}

/** Two subjects as one (Kerio compares From with MAIL FROM and the From header alike). */
export function joinSubjects(a: RuleSubject, b: RuleSubject): RuleSubject {
  return {
    values: [...a.values, ...b.values],
    raw: [...a.raw, ...b.raw],
    addresses: [...a.addresses, ...b.addresses],
  };
}

function addressesIn(value: string): string[] {
  return parseAddressList(value).flatMap((entry) =>
    entry.type === 'mailbox' ? [entry.address] : entry.members.map((mailbox) => mailbox.address),
  );
}
