import { decodeEncodedWords } from './encoded-words.js';
import { formatLocalPart } from './address-format.js';
import {
  BAD,
  END,
  MORE,
  Rfc5322Reader,
  type Step,
  type TextBuffer,
  isAtext,
} from './rfc5322-reader.js';

/**
 * How a mailbox read from broken syntax was broken, where it matters to IMAP: ENVELOPE shows
 * Dovecot's placeholder for each (`MISSING_MAILBOX`, `INVALID_ROUTE`, `SYNTAX_ERROR`). A missing
 * domain needs no defect: `domain` is null.
 *
 * - `missing-local-part`: nothing usable before the `@` (`localPart` is `''`, which otherwise
 *   is the legal `""@example.com`).
 * - `invalid-route`: an obsolete source route that does not end in `:` (`route` is null).
 * - `bad-angle-addr`: `<...>` that is unclosed or has junk inside; `localPart` and `domain` keep
 *   what could be read before the junk.
 */
export type MailboxDefect = 'missing-local-part' | 'invalid-route' | 'bad-angle-addr';

/** One mailbox of an address list (RFC 5322 section 3.4). */
export interface MailboxAddress {
  readonly type: 'mailbox';
  /**
   * The display name as IMAP ENVELOPE carries it: quotes removed, quoted-pairs unescaped,
   * comments removed, whitespace runs made one space, encoded words not decoded. Without a
   * phrase, the comment of `user@host (Full Name)` is the name, as Dovecot has it.
   */
  readonly rawName: string | null;
  /** {@link rawName} with RFC 2047 encoded words decoded. */
  readonly name: string | null;
  /** An obsolete source route, as IMAP shows it: `@a,@b` for `<@a,@b:user@host>`. */
  readonly route: string | null;
  /** The local part, unquoted and unescaped (`john doe` for `"john doe"@example.com`). */
  readonly localPart: string;
  /** The domain as written (UTF-8 or punycode, `[1.2.3.4]` literals with brackets), or null. */
  readonly domain: string | null;
  /**
   * The addr-spec written back: the local part quoted where it must be, `@domain` when there is
   * one; `''` when the local part is missing.
   */
  readonly address: string;
  /** Present only when the mailbox was recovered from broken syntax. */
  readonly defects?: readonly MailboxDefect[];
}

/** A named group of mailboxes (`Team: a@example.com, b@example.com;`), possibly empty. */
export interface GroupAddress {
  readonly type: 'group';
  /** The group's display name, quotes removed, encoded words not decoded (IMAP shows it so). */
  readonly rawName: string;
  readonly name: string;
  readonly members: readonly MailboxAddress[];
}

export type AddressListEntry = MailboxAddress | GroupAddress;

/**
 * Which grammar an address list is read with. `rfc5322` (the default) reads all of RFC 5322,
 * obsolete syntax included, and reads what is not RFC 5322 the way Dovecot does. `dovecot` reads
 * everything as Dovecot 2.3 does, also where it misreads the obsolete syntax; tests use it to
 * compare with Dovecot on arbitrary input.
 */
export type AddressGrammar = 'rfc5322' | 'dovecot';

/**
 * Parses an address list (From, To, Cc, Bcc, Reply-To, Sender, Resent-*) from an unfolded field
 * value. Never throws, and takes time linear in the length of the value.
 *
 * Valid RFC 5322 input, obsolete forms included, reads as the RFC says. Invalid input is read the
 * way Dovecot reads it, placeholders and all, so that IMAP ENVELOPE shows what Dovecot shows; in
 * particular the list stops at the first address that is not followed by a comma.
 */
export function parseAddressList(
  value: string,
  grammar: AddressGrammar = 'rfc5322',
): AddressListEntry[] {
  return new AddressListParser(value, grammar === 'rfc5322').parse();
}

/** The parts of a mailbox as the parser finds them; Dovecot's `struct message_address`. */
interface Draft {
  name: string | null;
  route: string | null;
  invalidRoute: boolean;
  localPart: string | null;
  domain: string | null;
  badAngleAddr: boolean;
  /** Something was wrong; decides whether a lone word is a name or a local part. */
  invalid: boolean;
}

function emptyDraft(): Draft {
  return {
    name: null,
    route: null,
    invalidRoute: false,
    localPart: null,
    domain: null,
    badAngleAddr: false,
    invalid: false,
  };
}

/**
 * A recursive-descent parser whose decisions on broken input are Dovecot's (message-address.c):
 * a group is tried before a mailbox, a name-addr before an addr-spec, and the first address not
 * followed by a comma ends the list. Each address is scanned a bounded number of times, so the
 * whole list takes linear time.
 */
class AddressListParser {
  private readonly reader: Rfc5322Reader;
  private readonly entries: AddressListEntry[] = [];
  /** The members of the group being read, if any. */
  private members: MailboxAddress[] | null = null;
  private draft = emptyDraft();

  constructor(
    value: string,
    /** Read RFC 5322's obsolete forms that Dovecot misreads (see parseAddressList). */
    private readonly obsoleteSyntax: boolean,
  ) {
    this.reader = new Rfc5322Reader(value);
  }

  parse(): AddressListEntry[] {
    const reader = this.reader;
    if (reader.skipCfws() !== MORE) return this.entries;
    for (;;) {
      // obs-addr-list allows empty members (`a@b, , c@d`); they name nobody. Dovecot shows them
      // as a MISSING_MAILBOX@MISSING_DOMAIN recipient that a reply-all would then write to.
      if (this.obsoleteSyntax && reader.peek() === 0x2c /* , */) {
        reader.pos++;
        const step = reader.skipCfws();
        if (step === MORE) continue;
        if (step === BAD) this.addMailbox();
        break;
      }
      if (this.parseAddress() === END) break;
      if (reader.peek() !== 0x2c) break;
      reader.pos++;
      const step = reader.skipCfws();
      if (step !== MORE) {
        // A comma followed by an unclosed comment: Dovecot shows an empty mailbox.
        if (step === BAD) this.addMailbox();
        break;
      }
    }
    return this.entries;
  }

  private parseAddress(): Step {
    const start = this.reader.pos;
    const step = this.parseGroup();
    if (step !== BAD) return step;
    this.reader.pos = start;
    return this.parseMailbox();
  }

  /** `display-name ":" [mailbox-list / CFWS] ";"`; BAD only when it is not a group at all. */
  private parseGroup(): Step {
    const reader = this.reader;
    const name: TextBuffer = { value: '' };
    if (reader.readPhrase(name) !== MORE || reader.peek() !== 0x3a /* : */) return BAD;
    reader.pos++;
    let step = reader.skipCfws();
    const members: MailboxAddress[] = [];
    this.entries.push({
      type: 'group',
      rawName: name.value,
      name: decodeEncodedWords(name.value),
      members,
    });
    this.members = members;
    if (step === MORE && reader.peek() !== 0x3b /* ; */) {
      for (;;) {
        if (this.obsoleteSyntax && reader.peek() === 0x2c) {
          // Empty members of obs-mbox-list, as in parse().
          reader.pos++;
          if (reader.skipCfws() !== MORE) {
            step = BAD;
            break;
          }
          if (reader.peek() === 0x3b) break;
          continue;
        }
        // A broken member does not end the group: the next comma may start a good one.
        this.parseMailbox();
        if (reader.peek() !== 0x2c) break;
        if (this.obsoleteSyntax) continue;
        reader.pos++;
        if (reader.skipCfws() !== MORE) {
          step = BAD;
          break;
        }
      }
    }
    if (step !== BAD) {
      if (reader.peek() !== 0x3b) step = BAD;
      else {
        reader.pos++;
        step = reader.skipCfws();
      }
    }
    this.members = null;
    return step === END ? END : MORE;
  }

  /** `name-addr / addr-spec`, always adding a mailbox, placeholders filling what is missing. */
  private parseMailbox(): Step {
    const start = this.reader.pos;
    let step = this.parseNameAddr();
    if (step === BAD) {
      this.reader.pos = start;
      step = this.parseAddrSpec();
      const draft = this.draft;
      // A lone word that turned out not to be an address is a name: `From: Mailer Daemon`.
      if (
        draft.invalid &&
        draft.name === null &&
        draft.localPart !== null &&
        draft.domain === null
      ) {
        draft.name = draft.localPart;
        draft.localPart = null;
      }
    }
    this.addMailbox();
    return step;
  }

  /** `[display-name] angle-addr`; BAD when there is no `<` after the phrase. */
  private parseNameAddr(): Step {
    const reader = this.reader;
    const name: TextBuffer = { value: '' };
    if (reader.readPhrase(name) !== MORE || reader.peek() !== 0x3c /* < */) return BAD;
    this.draft.name = name.value === '' ? null : name.value;
    if (this.parseAngleAddr() === BAD) {
      this.draft.badAngleAddr = true;
      this.draft.invalid = true;
    }
    return reader.atEnd ? END : MORE;
  }

  /** `"<" [obs-route] addr-spec ">"`, or `<>`. */
  private parseAngleAddr(): Step {
    const reader = this.reader;
    const draft = this.draft;
    reader.pos++;
    if (reader.skipCfws() !== MORE) return BAD;
    if (reader.peek() === 0x40 /* @ */) {
      if (this.parseRoute() === MORE && reader.peek() === 0x3a) reader.pos++;
      else {
        draft.route = null;
        draft.invalidRoute = true;
        // Dovecot reads on after a broken route, hoping for `local@domain>`.
        if (reader.atEnd) return BAD;
      }
      if (reader.skipCfws() !== MORE) return BAD;
    }
    if (reader.peek() !== 0x3e /* > */) {
      if (this.parseLocalPart({ value: '' }) !== MORE) return BAD;
      if (reader.peek() === 0x40 && this.parseDomain() !== MORE) return BAD;
    }
    if (reader.peek() !== 0x3e) return BAD;
    reader.pos++;
    return reader.skipCfws();
  }

  /** obs-domain-list: `@a,@b`, commas and CFWS between the domains. */
  private parseRoute(): Step {
    const reader = this.reader;
    const route: TextBuffer = { value: '' };
    for (;;) {
      if (reader.atEnd) return END;
      if (reader.peek() !== 0x40) break;
      if (route.value !== '') route.value += ',';
      route.value += '@';
      const step = reader.readDomain(route);
      if (step !== MORE) return step;
      while (reader.skipCfws() === MORE && reader.peek() === 0x2c) reader.pos++;
    }
    this.draft.route = route.value;
    return MORE;
  }

  /**
   * `local-part "@" domain`. What Dovecot does without the `@domain` is kept: a trailing
   * comment is the name (`user@host (Full Name)`), and words after a local part with neither
   * `@` nor comment make the whole a name (`Mailer Daemon`).
   */
  private parseAddrSpec(): Step {
    const reader = this.reader;
    const draft = this.draft;
    reader.lastComment = '';
    const quoted = reader.peek() === 0x22;
    const text: TextBuffer = { value: '' };
    let step = this.parseLocalPart(text);
    if (step !== MORE) draft.invalid = true;
    let domainStep: Step | null = null;
    if (step !== END && reader.peek() === 0x40) {
      domainStep = this.parseDomain();
      if (domainStep !== MORE) step = domainStep;
    }
    if (reader.lastComment !== '') draft.name = reader.lastComment;
    else if (domainStep === null) {
      text.value += ' ';
      const length = text.value.length;
      reader.readPhrase(text);
      if (text.value.length !== length) {
        draft.localPart = null;
        draft.name = text.value;
      } else if (!quoted) {
        draft.domain = '';
      }
      draft.invalid = true;
      step = BAD;
    }
    return step;
  }

  /**
   * local-part. Dovecot reads atoms joined by dots and tolerates the dots Japanese mobile
   * carriers put anywhere (`.user`, `us..er`, `user.`); RFC 5322's obs-local-part also allows
   * quoted words and CFWS around the dots (`"john".doe`, `john . doe`), which Dovecot misreads,
   * so that form is tried first, and kept when an `@` follows it.
   */
  private parseLocalPart(text: TextBuffer): Step {
    const reader = this.reader;
    if (this.obsoleteSyntax && this.parseObsoleteLocalPart(text)) return MORE;
    const step =
      reader.peek() === 0x22 ? reader.readQuotedString(text) : this.parseLenientDotAtom(text);
    if (step === BAD) return BAD;
    this.draft.localPart = text.value;
    return step;
  }

  private parseLenientDotAtom(text: TextBuffer): Step {
    const reader = this.reader;
    let step: Step = BAD;
    do {
      while (reader.peek() === 0x2e) {
        text.value += '.';
        reader.pos++;
        if (reader.atEnd) return END;
        step = MORE;
      }
      if (reader.peek() === 0x40) break;
      step = reader.readAtom(text);
    } while (step === MORE && reader.peek() === 0x2e);
    return step;
  }

  /** `word *("." word)` followed by `@`; on success the cursor is at the `@`. */
  private parseObsoleteLocalPart(text: TextBuffer): boolean {
    const reader = this.reader;
    const start = reader.pos;
    const comment = reader.lastComment;
    const words: TextBuffer = { value: '' };
    for (;;) {
      const c = reader.peek();
      let step: Step;
      if (c === 0x22) step = reader.readQuotedString(words);
      else if (isAtext(c)) step = reader.readAtom(words);
      else break;
      if (step !== MORE) break;
      if (reader.peek() === 0x40) {
        text.value = words.value;
        this.draft.localPart = words.value;
        return true;
      }
      if (reader.peek() !== 0x2e) break;
      reader.pos++;
      words.value += '.';
      if (reader.skipCfws() !== MORE) break;
    }
    reader.pos = start;
    reader.lastComment = comment;
    return false;
  }

  private parseDomain(): Step {
    const domain: TextBuffer = { value: '' };
    const step = this.reader.readDomain(domain);
    if (step !== BAD) this.draft.domain = domain.value;
    return step;
  }

  /** Adds the mailbox drafted so far (to the open group, if any) and starts a new draft. */
  private addMailbox(): void {
    const mailbox = toMailbox(this.draft);
    (this.members ?? this.entries).push(mailbox);
    this.draft = emptyDraft();
  }
}

function toMailbox(draft: Draft): MailboxAddress {
  const defects: MailboxDefect[] = [];
  if (draft.localPart === null) defects.push('missing-local-part');
  if (draft.invalidRoute) defects.push('invalid-route');
  if (draft.badAngleAddr) defects.push('bad-angle-addr');
  const localPart = draft.localPart ?? '';
  // Dovecot treats an empty domain as a missing one.
  const domain = draft.domain === '' ? null : draft.domain;
  const rawName = draft.name === null ? null : forHumans(draft.name);
  const address =
    draft.localPart === null
      ? ''
      : formatLocalPart(localPart) + (domain === null ? '' : `@${domain}`);
  return {
    type: 'mailbox',
    rawName,
    name: rawName === null ? null : decodeEncodedWords(rawName),
    route: draft.invalidRoute ? null : draft.route,
    localPart,
    domain,
    address,
    ...(defects.length > 0 ? { defects } : {}),
  };
}

/**
 * A display name as IMAP shows it "for humans" (Dovecot's imap_append_string_for_humans): line
 * breaks dropped, runs of spaces and tabs made one space, no leading or trailing space.
 */
function forHumans(name: string): string {
  return name
    .replace(/[\r\n]+/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}
