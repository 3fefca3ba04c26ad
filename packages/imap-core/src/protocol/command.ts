import type { SearchKey } from './search-key.js';
import type { SequenceSet } from './sequence-set.js';

/**
 * The commands of IMAP4rev1 (RFC 3501), IMAP4rev2 (RFC 9051) and the extensions this engine
 * implements, as typed values. Mailbox names are the strings the client sent (UTF-8 decoded,
 * modified UTF-7 not yet undone: that depends on the session's dialect).
 */
export type Command =
  | SimpleCommand
  | LoginCommand
  | AuthenticateCommand
  | EnableCommand
  | SelectCommand
  | CreateCommand
  | MailboxCommand
  | RenameCommand
  | ListCommand
  | LsubCommand
  | StatusCommand
  | AppendCommand
  | SearchCommand
  | FetchCommand
  | StoreCommand
  | CopyCommand
  | ExpungeCommand
  | SortCommand
  | ThreadCommand
  | IdCommand
  | GetQuotaCommand
  | SetQuotaCommand
  | AclCommand
  | SetAclCommand
  | CompressCommand;

export type CommandName = Command['name'];

interface Tagged {
  readonly tag: string;
}

export interface SimpleCommand extends Tagged {
  readonly name:
    | 'CAPABILITY'
    | 'NOOP'
    | 'LOGOUT'
    | 'STARTTLS'
    | 'UNAUTHENTICATE'
    | 'CHECK'
    | 'CLOSE'
    | 'UNSELECT'
    | 'NAMESPACE'
    | 'IDLE';
}

export interface LoginCommand extends Tagged {
  readonly name: 'LOGIN';
  readonly user: string;
  readonly password: string;
}

export interface AuthenticateCommand extends Tagged {
  readonly name: 'AUTHENTICATE';
  readonly mechanism: string;
  /** SASL-IR (RFC 4959): base64 text, or `=` for an empty response. */
  readonly initialResponse?: string;
}

export interface EnableCommand extends Tagged {
  readonly name: 'ENABLE';
  readonly capabilities: readonly string[];
}

/** QRESYNC's SELECT parameter (RFC 7162 section 3.2.5). */
export interface QresyncParameters {
  readonly uidValidity: number;
  readonly modSeq: number;
  readonly knownUids?: SequenceSet;
  /** Message numbers and the UIDs the client believes they have, to find expunges cheaply. */
  readonly sequenceMatch?: { readonly sequences: SequenceSet; readonly uids: SequenceSet };
}

export interface SelectCommand extends Tagged {
  readonly name: 'SELECT' | 'EXAMINE';
  readonly mailbox: string;
  readonly condstore: boolean;
  readonly qresync?: QresyncParameters;
}

export interface CreateCommand extends Tagged {
  readonly name: 'CREATE';
  readonly mailbox: string;
  /** RFC 6154 `USE (\Sent ...)`. */
  readonly specialUse: readonly string[];
}

export interface MailboxCommand extends Tagged {
  readonly name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE' | 'GETQUOTAROOT' | 'GETACL' | 'MYRIGHTS';
  readonly mailbox: string;
}

export interface RenameCommand extends Tagged {
  readonly name: 'RENAME';
  readonly from: string;
  readonly to: string;
}

/** LIST-EXTENDED (RFC 5258) selection options. */
export interface ListSelection {
  readonly subscribed: boolean;
  readonly remote: boolean;
  readonly recursiveMatch: boolean;
  readonly specialUse: boolean;
}

/** LIST-EXTENDED return options, with LIST-STATUS (RFC 5819). */
export interface ListReturn {
  readonly subscribed: boolean;
  readonly children: boolean;
  readonly specialUse: boolean;
  readonly myRights: boolean;
  readonly status: readonly StatusItem[] | null;
}

export interface ListCommand extends Tagged {
  readonly name: 'LIST';
  readonly reference: string;
  readonly patterns: readonly string[];
  readonly selection: ListSelection;
  readonly returns: ListReturn;
  /** Whether the client used any LIST-EXTENDED syntax (selection, several patterns, RETURN). */
  readonly extended: boolean;
}

export interface LsubCommand extends Tagged {
  readonly name: 'LSUB';
  readonly reference: string;
  readonly pattern: string;
}

export type StatusItem =
  | 'MESSAGES'
  | 'RECENT'
  | 'UIDNEXT'
  | 'UIDVALIDITY'
  | 'UNSEEN'
  | 'DELETED'
  | 'SIZE'
  | 'HIGHESTMODSEQ'
  | 'APPENDLIMIT'
  | 'MAILBOXID';

export interface StatusCommand extends Tagged {
  readonly name: 'STATUS';
  readonly mailbox: string;
  readonly items: readonly StatusItem[];
}

export interface AppendMessage {
  readonly flags: readonly string[];
  /** UTC milliseconds, from the date-time argument. */
  readonly internalDate?: number;
  /** The zone of the date-time argument, minutes east of UTC. */
  readonly internalDateZone?: number;
  readonly content: Uint8Array;
  /** Sent as literal8 (BINARY, RFC 3516) or inside `UTF8 (...)` (RFC 6855). */
  readonly binary: boolean;
  readonly utf8: boolean;
}

export interface AppendCommand extends Tagged {
  readonly name: 'APPEND';
  readonly mailbox: string;
  /** One message, or several with MULTIAPPEND (RFC 3502). */
  readonly messages: readonly AppendMessage[];
}

/** ESEARCH return options (RFC 4731), SAVE (RFC 5182). Null when RETURN was not given. */
export interface SearchReturn {
  readonly min: boolean;
  readonly max: boolean;
  readonly all: boolean;
  readonly count: boolean;
  readonly save: boolean;
}

export interface SearchCommand extends Tagged {
  readonly name: 'SEARCH';
  readonly uid: boolean;
  readonly returns: SearchReturn | null;
  readonly charset: string | null;
  readonly key: SearchKey;
}

export type SortKey = 'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO';

export interface SortCriterion {
  readonly key: SortKey;
  readonly reverse: boolean;
}

export interface SortCommand extends Tagged {
  readonly name: 'SORT';
  readonly uid: boolean;
  readonly criteria: readonly SortCriterion[];
  readonly charset: string;
  readonly key: SearchKey;
  /** ESORT (RFC 5267): MIN, MAX, ALL, COUNT. */
  readonly returns: SearchReturn | null;
}

export interface ThreadCommand extends Tagged {
  readonly name: 'THREAD';
  readonly uid: boolean;
  readonly algorithm: 'ORDEREDSUBJECT' | 'REFERENCES';
  readonly charset: string;
  readonly key: SearchKey;
}

/** A part number: `[]` is the whole message, `[2, 1]` is part 2.1. */
export type PartPath = readonly number[];

export interface BodySection {
  readonly part: PartPath;
  readonly text?: 'HEADER' | 'TEXT' | 'MIME' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT';
  /** Field names for HEADER.FIELDS and HEADER.FIELDS.NOT, as the client wrote them. */
  readonly fields?: readonly string[];
}

export interface PartialRange {
  readonly start: number;
  readonly length: number;
}

export type FetchItem =
  | {
      readonly type:
        | 'UID'
        | 'FLAGS'
        | 'INTERNALDATE'
        | 'RFC822.SIZE'
        | 'ENVELOPE'
        | 'BODY'
        | 'BODYSTRUCTURE'
        | 'MODSEQ'
        | 'EMAILID'
        | 'THREADID'
        | 'SAVEDATE'
        | 'RFC822'
        | 'RFC822.HEADER'
        | 'RFC822.TEXT';
    }
  | {
      readonly type: 'BODY[]';
      readonly peek: boolean;
      readonly section: BodySection;
      readonly partial?: PartialRange;
    }
  | {
      readonly type: 'BINARY[]';
      readonly peek: boolean;
      readonly part: PartPath;
      readonly partial?: PartialRange;
    }
  | { readonly type: 'BINARY.SIZE'; readonly part: PartPath };

export interface FetchCommand extends Tagged {
  readonly name: 'FETCH';
  readonly uid: boolean;
  readonly sequence: SequenceSet;
  readonly items: readonly FetchItem[];
  /** CONDSTORE `CHANGEDSINCE` (RFC 7162 section 3.1.4). */
  readonly changedSince?: number;
  /** QRESYNC `VANISHED` (RFC 7162 section 3.2.6), UID FETCH only. */
  readonly vanished: boolean;
}

export interface StoreCommand extends Tagged {
  readonly name: 'STORE';
  readonly uid: boolean;
  readonly sequence: SequenceSet;
  readonly operation: 'replace' | 'add' | 'remove';
  readonly silent: boolean;
  readonly flags: readonly string[];
  /** CONDSTORE `UNCHANGEDSINCE` (RFC 7162 section 3.1.3). */
  readonly unchangedSince?: number;
}

export interface CopyCommand extends Tagged {
  readonly name: 'COPY' | 'MOVE';
  readonly uid: boolean;
  readonly sequence: SequenceSet;
  readonly mailbox: string;
}

export interface ExpungeCommand extends Tagged {
  readonly name: 'EXPUNGE';
  /** UID EXPUNGE (RFC 4315) names the messages; plain EXPUNGE takes every `\Deleted` one. */
  readonly uids?: SequenceSet;
}

export interface IdCommand extends Tagged {
  readonly name: 'ID';
  /** Field and value pairs, or null for `ID NIL`. */
  readonly parameters: readonly (readonly [string, string | null])[] | null;
}

export interface GetQuotaCommand extends Tagged {
  readonly name: 'GETQUOTA';
  readonly root: string;
}

export interface SetQuotaCommand extends Tagged {
  readonly name: 'SETQUOTA';
  readonly root: string;
  readonly resources: readonly { readonly name: string; readonly limit: number }[];
}

export interface AclCommand extends Tagged {
  readonly name: 'DELETEACL' | 'LISTRIGHTS';
  readonly mailbox: string;
  readonly identifier: string;
}

export interface SetAclCommand extends Tagged {
  readonly name: 'SETACL';
  readonly mailbox: string;
  readonly identifier: string;
  /** The rights; `+` adds them to the present ones, `-` removes them, none replaces. */
  readonly rights: string;
  readonly mode: 'replace' | 'add' | 'remove';
}

export interface CompressCommand extends Tagged {
  readonly name: 'COMPRESS';
  readonly algorithm: string;
}
