import { createHash } from 'node:crypto';
import { type Clock, type Logger, silentLogger, systemClock } from '@mailyard/mailstore-interface';
import { parseHeaders } from '@mailyard/mime';
import { type ConnectPop3Options, type Pop3Client, connectPop3 } from '../client/connect-pop3.js';
import { Pop3ClientError } from '../client/pop3-client-session.js';
import type { Pop3DownloadAccount } from './download-account.js';
import type { AccountDownloadState, DownloadStateStore } from './download-state.js';
import { returnPath } from './recipient-headers.js';
import { type SortingRule, SortingRules } from './sorting-rules.js';

/** What a downloaded message is delivered with. */
export interface DownloadEnvelope {
  /** The envelope sender, from the message's Return-Path; `''` when it has none. */
  readonly sender: string;
  /** Where it goes, each once. */
  readonly recipients: readonly string[];
  /** The account it was fetched from. */
  readonly account: string;
  /** The server's unique id of the message, when the server has UIDL. */
  readonly uidl: string | null;
}

/**
 * Hands a message on: the application routes it into its queue (local delivery, aliases,
 * groups, forwarding). It must resolve only once the message is safely stored, because the
 * message is deleted on the server after it resolves; a rejection stops the session with the
 * message left on the server.
 */
export type DeliverDownloadedMessage = (
  envelope: DownloadEnvelope,
  message: Uint8Array,
) => Promise<void>;

export interface Pop3DownloaderOptions {
  readonly deliver: DeliverDownloadedMessage;
  readonly state: DownloadStateStore;
  /** Kerio's sorting rules, shared by every account that sorts. */
  readonly sortingRules?: SortingRules | readonly SortingRule[];
  /** Octets of a message we fetch; bigger ones stay on the server. Default 64 MiB. */
  readonly maxMessageSize?: number;
  /** Days a message's digest is remembered for "Drop duplicate messages". Default 7. */
  readonly duplicateWindowDays?: number;
  /** Digests remembered per account at most (oldest forgotten first). Default 10,000. */
  readonly maxDigests?: number;
  /** Milliseconds without traffic before a server is given up on. Default 60 s. */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How to reach a server; default `connectPop3`. */
  readonly connect?: (options: ConnectPop3Options) => Promise<Pop3Client>;
}

/** What one session with one account did. */
export interface AccountDownloadResult {
  readonly account: string;
  /** Messages handed to `deliver`. */
  readonly delivered: number;
  /** Messages no sorting rule took (Kerio discards them). */
  readonly discarded: number;
  /** Copies dropped as duplicates. */
  readonly duplicates: number;
  /** Messages deleted on the server (after delivery, or at the end of their retention). */
  readonly deleted: number;
  /** Messages over `maxMessageSize`, left on the server. */
  readonly tooBig: number;
  /** New messages left for the next session by the per-session limits. */
  readonly deferred: number;
  /** Octets fetched. */
  readonly octets: number;
  /** What stopped the session, if something did (the counts say how far it got). */
  readonly error: Error | null;
}

const DAY = 86_400_000;

/**
 * Kerio's POP3 Download: fetches remote mailboxes, delivers each message (to one address or by
 * sorting rules), and deletes it on the server or leaves a copy, remembering what it fetched by
 * UIDL so that nothing is delivered twice, even when a session breaks off between delivery and
 * QUIT.
 */
export class Pop3Downloader {
  private readonly rules: SortingRules;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: Pop3DownloaderOptions) {
    const rules = options.sortingRules ?? [];
    this.rules = rules instanceof SortingRules ? rules : new SortingRules(rules);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  /** Every enabled account, one after the other (Kerio: one schedule for all of them). */
  async downloadAll(accounts: readonly Pop3DownloadAccount[]): Promise<AccountDownloadResult[]> {
    const results: AccountDownloadResult[] = [];
    for (const account of accounts) {
      if (account.enabled === false) continue;
      results.push(await this.download(account));
    }
    return results;
  }

  /** One session with one account. Never throws: failures are in the result's `error`. */
  async download(account: Pop3DownloadAccount): Promise<AccountDownloadResult> {
    const counts = {
      delivered: 0,
      discarded: 0,
      duplicates: 0,
      deleted: 0,
      tooBig: 0,
      deferred: 0,
      octets: 0,
    };
    let client: Pop3Client | null = null;
    let state: AccountDownloadState | null = null;
    let working: WorkingState | null = null;
    try {
      state = await this.options.state.load(account.id);
      working = new WorkingState(state);
      client = await this.open(account);
      await this.session(account, client, working, counts);
      // Saved before QUIT: if the QUIT is lost, what was delivered is known and not repeated.
      await this.options.state.save(account.id, working.snapshot());
      await client.quit();
      working.quitSucceeded();
      await this.options.state.save(account.id, working.snapshot());
      this.logger.info('pop3 download done', { account: account.id, ...counts });
      return { account: account.id, ...counts, error: null };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.logger.warn('pop3 download failed', { account: account.id, error: failure.message });
      client?.destroy();
      if (working) {
        await this.options.state.save(account.id, working.snapshot()).catch((saveError) =>
          this.logger.error('pop3 download state not saved', {
            account: account.id,
            error: saveError,
          }),
        );
      }
      return { account: account.id, ...counts, error: failure };
    }
  }

  private async open(account: Pop3DownloadAccount): Promise<Pop3Client> {
    const security = account.security ?? 'none';
    const connect = this.options.connect ?? connectPop3;
    const client = await connect({
      host: account.server,
      ...(account.port === undefined ? {} : { port: account.port }),
      tls: security === 'ssl' ? 'implicit' : security === 'stls' ? 'starttls' : 'none',
      ...(account.tlsOptions ? { tlsOptions: account.tlsOptions } : {}),
      maxMessageSize: this.options.maxMessageSize ?? 64 * 1024 * 1024,
      timeoutMs: this.options.timeoutMs ?? 60_000,
    });
    try {
      // CAPA tells whether USER and PASS may be pipelined; older servers lack it, which is fine.
      if (!client.capabilities) await client.capa();
      if (account.authentication === 'apop') await client.apop(account.user, account.password);
      else await client.login(account.user, account.password);
      return client;
    } catch (error) {
      client.destroy();
      throw error;
    }
  }

  private async session(
    account: Pop3DownloadAccount,
    client: Pop3Client,
    working: WorkingState,
    counts: { -readonly [K in keyof Omit<AccountDownloadResult, 'account' | 'error'>]: number },
  ): Promise<void> {
    const now = this.clock.now();
    const leaveCopy = account.retention?.leaveCopy ?? false;
    const removeAfterDays = account.retention?.removeAfterDays ?? 0;
    const listing = await client.list();
    const uidls = await client.uidl();
    if (leaveCopy && uidls === null) {
      throw new Error(
        `${account.server} has no UIDL: cannot leave copies without fetching them again`,
      );
    }
    const uidlOf = new Map(uidls?.map((u) => [u.number, u.uid]) ?? []);
    working.forgetAllBut(new Set(uidlOf.values()), uidls !== null);
    working.forgetDigestsBefore(
      now - (this.options.duplicateWindowDays ?? 7) * DAY,
      this.options.maxDigests ?? 10_000,
    );

    const maxCount = account.limits?.messageCount ?? 0;
    const maxTotal = account.limits?.totalSize ?? 0;
    let fetched = 0;
    let total = 0;
    for (const { number, size } of listing) {
      const uidl = uidlOf.get(number) ?? null;
      if (uidl !== null && working.isDeleting(uidl)) {
        // Delivered in a session whose QUIT was lost: finish deleting it, deliver nothing.
        await client.dele(number);
        counts.deleted++;
        continue;
      }
      const keptAt = uidl === null ? undefined : working.keptAt(uidl);
      if (keptAt !== undefined) {
        if (removeAfterDays > 0 && now - keptAt >= removeAfterDays * DAY) {
          working.deleting(uidl!, now);
          await client.dele(number);
          counts.deleted++;
        }
        continue;
      }
      // Per-session limits, but always at least one message, so one big message cannot stall
      // the account for ever.
      const overCount = maxCount > 0 && fetched >= maxCount;
      const overSize = maxTotal > 0 && fetched > 0 && total + size > maxTotal;
      if (overCount || overSize) {
        counts.deferred++;
        continue;
      }
      let message: Buffer;
      try {
        message = await client.retrieve(number);
      } catch (error) {
        if (error instanceof Pop3ClientError && error.code === 'too-big') {
          counts.tooBig++;
          this.logger.warn('pop3 download: message too big, left on the server', {
            account: account.id,
            number,
            size,
          });
          continue;
        }
        throw error;
      }
      fetched++;
      total += size;
      counts.octets += message.length;
      await this.handOn(account, message, uidl, working, counts, now);
      // Recorded and saved before DELE: a session (or process) that dies from here on leaves a
      // state that says the message was delivered.
      if (uidl !== null) {
        if (leaveCopy) working.keep(uidl, now);
        else working.deleting(uidl, now);
        await this.options.state.save(account.id, working.snapshot());
      }
      if (!leaveCopy) {
        await client.dele(number);
        counts.deleted++;
      }
    }
  }

  private async handOn(
    account: Pop3DownloadAccount,
    message: Buffer,
    uidl: string | null,
    working: WorkingState,
    counts: { delivered: number; discarded: number; duplicates: number },
    now: number,
  ): Promise<void> {
    let digest: string | null = null;
    if (account.dropDuplicates) {
      digest = createHash('sha256').update(message).digest('hex');
      if (working.hasDigest(digest)) {
        counts.duplicates++;
        return;
      }
    }
    const recipients =
      account.delivery.type === 'address'
        ? [account.delivery.address]
        : this.rules.sort(message, account.delivery.preferredHeader ?? 'Received').recipients;
    if (recipients.length === 0) {
      counts.discarded++;
      this.logger.info('pop3 download: no sorting rule for the message; discarded', {
        account: account.id,
        uidl,
      });
    } else {
      const sender = returnPath(parseHeaders(message));
      await this.options.deliver({ sender, recipients, account: account.id, uidl }, message);
      counts.delivered++;
    }
    if (digest !== null) working.addDigest(digest, now);
  }
}

/** The account's state as a session changes it. */
class WorkingState {
  private readonly kept: Map<string, number>;
  private readonly deletingNow: Map<string, number>;
  private readonly digests: Map<string, number>;
  /** UIDLs marked with DELE in this session, forgotten once its QUIT succeeded. */
  private readonly deletedHere = new Set<string>();

  constructor(state: AccountDownloadState) {
    this.kept = new Map(Object.entries(state.kept));
    this.deletingNow = new Map(Object.entries(state.deleting));
    this.digests = new Map(Object.entries(state.digests));
  }

  isDeleting(uidl: string): boolean {
    if (!this.deletingNow.has(uidl)) return false;
    this.deletedHere.add(uidl);
    return true;
  }

  keptAt(uidl: string): number | undefined {
    return this.kept.get(uidl);
  }

  keep(uidl: string, at: number): void {
    this.kept.set(uidl, at);
  }

  deleting(uidl: string, at: number): void {
    this.kept.delete(uidl);
    this.deletingNow.set(uidl, at);
    this.deletedHere.add(uidl);
  }

  hasDigest(digest: string): boolean {
    return this.digests.has(digest);
  }

  addDigest(digest: string, at: number): void {
    this.digests.set(digest, at);
  }

  /** Entries for messages the server no longer lists are of no use any more. */
  forgetAllBut(listed: ReadonlySet<string>, complete: boolean): void {
    if (!complete) return;
    for (const map of [this.kept, this.deletingNow]) {
      for (const uidl of map.keys()) if (!listed.has(uidl)) map.delete(uidl);
    }
  }

  forgetDigestsBefore(cutoff: number, max: number): void {
    for (const [digest, at] of this.digests) if (at < cutoff) this.digests.delete(digest);
    const excess = this.digests.size - max;
    if (excess > 0) {
      const oldest = [...this.digests].sort((a, b) => a[1] - b[1]).slice(0, excess);
      for (const [digest] of oldest) this.digests.delete(digest);
    }
  }

  quitSucceeded(): void {
    for (const uidl of this.deletedHere) this.deletingNow.delete(uidl);
    this.deletedHere.clear();
  }

  snapshot(): AccountDownloadState {
    return {
      kept: Object.fromEntries(this.kept),
      deleting: Object.fromEntries(this.deletingNow),
      digests: Object.fromEntries(this.digests),
    };
  }
}
