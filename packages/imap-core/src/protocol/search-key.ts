import type { SequenceSet } from './sequence-set.js';

/** A calendar day, as SEARCH's `date` argument gives it (no time, no zone). */
export interface SearchDate {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  readonly day: number;
}

/**
 * A search key (RFC 9051 section 6.4.4, with CONDSTORE's MODSEQ, WITHIN's OLDER and YOUNGER,
 * OBJECTID's EMAILID and THREADID and SAVEDATE's keys) as a typed tree. Strings are the octets the
 * client sent: their charset is the command's CHARSET, decoded by the session.
 */
export type SearchKey =
  | { readonly type: 'all' }
  | { readonly type: 'and'; readonly keys: readonly SearchKey[] }
  | { readonly type: 'or'; readonly left: SearchKey; readonly right: SearchKey }
  | { readonly type: 'not'; readonly key: SearchKey }
  /** ANSWERED, DELETED, DRAFT, FLAGGED, SEEN, KEYWORD and their UN- forms. */
  | { readonly type: 'flag'; readonly flag: string; readonly set: boolean }
  | { readonly type: 'recent' }
  | { readonly type: 'new' }
  | { readonly type: 'old' }
  /** FROM, TO, CC, BCC, SUBJECT and HEADER: a substring of a header field. */
  | { readonly type: 'header'; readonly field: string; readonly value: Uint8Array }
  | { readonly type: 'body'; readonly value: Uint8Array }
  | { readonly type: 'text'; readonly value: Uint8Array }
  | {
      readonly type: 'date';
      /** INTERNALDATE (BEFORE/ON/SINCE), the Date header (SENT*), or SAVEDATE (SAVED*). */
      readonly field: 'internal' | 'sent' | 'saved';
      readonly comparison: 'before' | 'on' | 'since';
      readonly date: SearchDate;
    }
  | { readonly type: 'size'; readonly comparison: 'larger' | 'smaller'; readonly size: number }
  | { readonly type: 'sequence'; readonly set: SequenceSet }
  | { readonly type: 'uid'; readonly set: SequenceSet }
  | {
      readonly type: 'modseq';
      readonly modSeq: number;
      /** `"/flags/\\Seen" all`: accepted, and answered from the message's mod-sequence. */
      readonly entry?: { readonly flag: string; readonly kind: 'priv' | 'shared' | 'all' };
    }
  /** WITHIN (RFC 5032): INTERNALDATE more (OLDER) or less (YOUNGER) than this many seconds ago. */
  | { readonly type: 'age'; readonly comparison: 'older' | 'younger'; readonly seconds: number }
  | { readonly type: 'emailid'; readonly id: string }
  | { readonly type: 'threadid'; readonly id: string }
  | { readonly type: 'savedatesupported' };
