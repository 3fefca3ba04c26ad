import type { MailboxEvent, MessageState, OpenMailbox } from '@mailyard/mailstore-interface';
import { MessageSequence } from './message-sequence.js';

/** What changed since the client was last told, as {@link SelectedMailbox.takeChanges} reports it. */
export interface MailboxChanges {
  /** UIDs gone, highest first, each with its sequence number (still valid in that order). */
  readonly expunged: readonly { readonly uid: number; readonly seq: number }[];
  /** Whether messages this session had as `\Recent` went (IMAP4rev1 then says RECENT again). */
  readonly recentRemoved: boolean;
  /** The new message count, when messages were added; null otherwise. */
  readonly exists: number | null;
  /** UIDs that became known to the client in this report. */
  readonly added: readonly number[];
  /** Messages whose flags changed, already in the client's view. */
  readonly flags: readonly MessageState[];
  /** The flag changes were too many to keep: report every message changed after this. */
  readonly rescanSince: number | null;
  /** Keywords not in the last FLAGS response. */
  readonly newKeywords: readonly string[];
}

/**
 * A mailbox as one session's client sees it: the messages it has been told about (numbered by
 * the client's sequence numbers), and what the store's change feed said since, held back until
 * the session may report it (RFC 9051 7.5.1: never an EXPUNGE during FETCH, STORE or SEARCH).
 */
export class SelectedMailbox {
  readonly view: MessageSequence;
  /** IMAP4rev1 `\Recent`: the messages this session claimed. */
  readonly recent = new Set<number>();
  readonly keywords = new Set<string>();
  /** SEARCHRES (RFC 5182): the UIDs of the last `SEARCH RETURN (SAVE)`. */
  savedSearch: readonly number[] = [];
  /** The mailbox was deleted, or re-created, under the session. */
  gone = false;

  private pendingAdded = new MessageSequence();
  private pendingExpunged = new Set<number>();
  private pendingFlags = new Map<number, MessageState>();
  private flagsOverflowSince: number | null = null;
  private pendingKeywords = new Set<string>();
  private readonly unsubscribe: () => void;
  private listener: (() => void) | null = null;
  private loaded = false;
  /** The highest mod-sequence the client has been told about (CONDSTORE). */
  highestModSeq: number;

  /**
   * Listens to the mailbox first, then takes its messages: a change made in between is either
   * in `messages` already or arrives as an event, and never lost.
   */
  static async open(mailbox: OpenMailbox, maxPendingFlags: number): Promise<SelectedMailbox> {
    const selection = new SelectedMailbox(mailbox, maxPendingFlags);
    try {
      const messages = await mailbox.messages();
      const status = await mailbox.status();
      selection.load(messages, status.highestModSeq);
      return selection;
    } catch (error) {
      selection.close();
      throw error;
    }
  }

  private constructor(
    readonly mailbox: OpenMailbox,
    private readonly maxPendingFlags: number,
  ) {
    this.view = new MessageSequence();
    this.highestModSeq = 0;
    this.unsubscribe = mailbox.subscribe((event) => this.onEvent(event));
  }

  private load(messages: readonly MessageState[], highestModSeq: number): void {
    for (const message of messages) {
      this.view.append(message.uid);
      this.noteKeywords(message.flags, false);
    }
    // Events that came before the messages were read and are already in them.
    const last = this.view.lastUid;
    this.pendingAdded = new MessageSequence([...this.pendingAdded].filter((uid) => uid > last));
    for (const uid of this.pendingExpunged)
      if (!this.view.has(uid)) this.pendingExpunged.delete(uid);
    this.pendingKeywords.clear();
    for (const message of messages) this.noteKeywords(message.flags, false);
    this.highestModSeq = highestModSeq;
    this.loaded = true;
  }

  get readOnly(): boolean {
    return this.mailbox.readOnly;
  }

  /** Called whenever a change arrives (IDLE wakes up on it). */
  onChange(listener: (() => void) | null): void {
    this.listener = listener;
  }

  /** Whether anything waits to be reported. */
  get hasChanges(): boolean {
    return (
      this.pendingAdded.count > 0 ||
      this.pendingExpunged.size > 0 ||
      this.pendingFlags.size > 0 ||
      this.flagsOverflowSince !== null ||
      this.pendingKeywords.size > 0 ||
      this.gone
    );
  }

  /**
   * Takes what is to be reported and updates the client's view accordingly. Expunges stay
   * pending unless `includeExpunges`.
   */
  takeChanges(includeExpunges: boolean): MailboxChanges {
    const expunged: { uid: number; seq: number }[] = [];
    let recentRemoved = false;
    if (includeExpunges && this.pendingExpunged.size > 0) {
      // Highest first, as Dovecot reports them: no EXPUNGE renumbers the ones still to come.
      const uids = [...this.pendingExpunged].sort((a, b) => b - a);
      for (const uid of uids) {
        const seq = this.view.seqOf(uid);
        if (seq > 0) expunged.push({ uid, seq });
      }
      this.view.remove(uids);
      for (const uid of uids) {
        if (this.recent.delete(uid)) recentRemoved = true;
        this.pendingFlags.delete(uid);
      }
      this.savedSearch = this.savedSearch.filter((uid) => !this.pendingExpunged.has(uid));
      this.pendingExpunged.clear();
    }
    const added = [...this.pendingAdded];
    for (const uid of added) this.view.append(uid);
    this.pendingAdded = new MessageSequence();
    const flags: MessageState[] = [];
    for (const state of this.pendingFlags.values()) {
      if (this.view.has(state.uid) && !this.pendingExpunged.has(state.uid)) flags.push(state);
    }
    flags.sort((a, b) => a.uid - b.uid);
    for (const state of flags) this.highestModSeq = Math.max(this.highestModSeq, state.modSeq);
    this.pendingFlags.clear();
    const rescanSince = this.flagsOverflowSince;
    this.flagsOverflowSince = null;
    const newKeywords = [...this.pendingKeywords];
    this.pendingKeywords.clear();
    for (const keyword of newKeywords) this.keywords.add(keyword);
    return {
      expunged,
      recentRemoved,
      exists: added.length > 0 ? this.view.count : null,
      added,
      flags,
      rescanSince,
      newKeywords,
    };
  }

  /**
   * Forgets pending flag changes the session caused and reported itself (its own STORE, the
   * implicit `\Seen` of a FETCH), so that they are not reported twice.
   */
  acknowledge(states: readonly MessageState[]): void {
    for (const state of states) {
      const pending = this.pendingFlags.get(state.uid);
      if (pending && pending.modSeq <= state.modSeq) this.pendingFlags.delete(state.uid);
      // A keyword the session itself created is still news for FLAGS.
      this.noteKeywords(state.flags, true);
      if (state.modSeq > this.highestModSeq) this.highestModSeq = state.modSeq;
    }
  }

  /**
   * Takes the keywords of messages about to be shown as known, and says whether any is news to
   * the client: the session then announces them with FLAGS first (RFC 9051 7.3.5: FLAGS lists
   * every flag that FETCH can show).
   */
  adoptKeywords(messages: Iterable<Pick<MessageState, 'flags'>>): boolean {
    let news = false;
    for (const { flags } of messages) {
      for (const flag of flags) {
        if (flag.startsWith('\\') || this.keywords.has(flag)) continue;
        this.keywords.add(flag);
        this.pendingKeywords.delete(flag);
        news = true;
      }
    }
    return news;
  }

  /** Whether a UID is known to the client and not expunged in the store since. */
  isLive(uid: number): boolean {
    return this.view.has(uid) && !this.pendingExpunged.has(uid);
  }

  /** Whether some messages of the view have been expunged in the store but not reported yet. */
  get hasPendingExpunges(): boolean {
    return this.pendingExpunged.size > 0;
  }

  close(): void {
    this.unsubscribe();
    this.listener = null;
    this.mailbox.close();
  }

  private onEvent(event: MailboxEvent): void {
    switch (event.type) {
      case 'appended':
        for (const message of event.messages) {
          if (message.uid > Math.max(this.view.lastUid, this.pendingAdded.lastUid)) {
            this.pendingAdded.append(message.uid);
            this.noteKeywords(message.flags, true);
          }
        }
        break;
      case 'flags':
        for (const message of event.messages) {
          this.noteKeywords(message.flags, true);
          if (this.flagsOverflowSince !== null) continue;
          if (this.pendingFlags.size >= this.maxPendingFlags) {
            this.flagsOverflowSince = this.highestModSeq;
            this.pendingFlags.clear();
            continue;
          }
          this.pendingFlags.set(message.uid, message);
        }
        break;
      case 'expunged': {
        const notYetReported = event.uids.filter((uid) => this.pendingAdded.has(uid));
        this.pendingAdded.remove(notYetReported);
        for (const uid of event.uids) {
          // Before the view is loaded, every expunge may concern it; load() sorts them out.
          if (this.view.has(uid) || !this.loaded) this.pendingExpunged.add(uid);
          this.pendingFlags.delete(uid);
        }
        break;
      }
      case 'deleted':
        this.gone = true;
        break;
      case 'renamed':
        break;
    }
    this.listener?.();
  }

  private noteKeywords(flags: readonly string[], pending: boolean): void {
    for (const flag of flags) {
      if (flag.startsWith('\\') || this.keywords.has(flag)) continue;
      if (pending) this.pendingKeywords.add(flag);
      else this.keywords.add(flag);
    }
  }
}
