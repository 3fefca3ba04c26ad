import {
  type AccountPolicy,
  type Clock,
  type MailStore,
  type OpenMailbox,
  type MailboxEvent,
  type QuotaLimits,
  type QuotaWarning,
  UNLIMITED,
} from '@mailyard/mailstore-interface';

/** What the kit hands a store factory: the store must take its policy, clock and warnings from it. */
export interface ConformanceContext {
  readonly policy: AccountPolicy;
  readonly clock: Clock;
  readonly onQuotaWarning: (warning: QuotaWarning) => void;
}

/** Builds a fresh, empty store for each check. */
export type MailStoreFactory = (context: ConformanceContext) => MailStore | Promise<MailStore>;

export interface ConformanceOptions {
  /**
   * For durable stores: closes `store` and opens a new one over the same data, so the kit can
   * check that what was acknowledged survives.
   */
  readonly reopen?: (
    store: MailStore,
    context: ConformanceContext,
  ) => MailStore | Promise<MailStore>;
  /**
   * Makes the store's storage fail to read, the way it fails when the process is out of file
   * descriptors (EMFILE), until the function it returns is called. Given with `reopen`, the kit
   * checks that a store whose reads fail for a while answers `unavailable` and loses nothing.
   * A store on files can exhaust the descriptors for real; one that cannot fail for real wraps
   * its persistence in {@link FailingReads}.
   */
  readonly failReads?: (store: MailStore) => RestoreReads | Promise<RestoreReads>;
}

/** Ends a failure that `failReads` started. */
export type RestoreReads = () => void | Promise<void>;

/** A clock the checks move by hand. */
export class ManualClock implements Clock {
  constructor(private time = Date.UTC(2026, 0, 15, 12)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** An account policy the checks change as they go. */
export class ManualPolicy implements AccountPolicy {
  readonly quotas = new Map<string, QuotaLimits>();
  readonly memberships = new Map<string, string[]>();
  readonly publicAdmins = new Set<string>();
  readonly retention = new Map<string, number>();
  scope: 'domain' | 'global' = 'domain';

  quota(user: string): QuotaLimits {
    return this.quotas.get(user) ?? UNLIMITED;
  }
  groups(user: string): string[] {
    return this.memberships.get(user) ?? [];
  }
  isPublicFolderAdmin(user: string): boolean {
    return this.publicAdmins.has(user);
  }
  publicFolderScope(): 'domain' | 'global' {
    return this.scope;
  }
  retentionDays(user: string): number {
    return this.retention.get(user) ?? 0;
  }
}

/** Everything one check works with. */
export interface Fixture extends ConformanceContext {
  store: MailStore;
  readonly clock: ManualClock;
  readonly policy: ManualPolicy;
  readonly warnings: QuotaWarning[];
  /** Reopens a durable store over the same data; undefined for stores that do not persist. */
  readonly reopen: (() => Promise<MailStore>) | undefined;
  /** Makes the current store's reads fail until the result is called; see `failReads`. */
  readonly failReads: (() => Promise<RestoreReads>) | undefined;
}

export async function makeFixture(
  factory: MailStoreFactory,
  options: ConformanceOptions,
): Promise<Fixture> {
  const warnings: QuotaWarning[] = [];
  const context = {
    clock: new ManualClock(),
    policy: new ManualPolicy(),
    onQuotaWarning: (warning: QuotaWarning) => warnings.push(warning),
  };
  const fixture: Fixture = {
    ...context,
    warnings,
    store: await factory(context),
    reopen: options.reopen
      ? async () => (fixture.store = await options.reopen!(fixture.store, context))
      : undefined,
    failReads: options.failReads ? async () => await options.failReads!(fixture.store) : undefined,
  };
  return fixture;
}

export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';
export const CAROL = 'carol@example.com';
export const DAVE = 'dave@other.example';

/** A small valid message; `n` makes each one different. */
export function message(n: number | string = 1, extraHeaders = ''): Uint8Array {
  return Buffer.from(
    `From: Sender <sender@example.net>\r\nTo: alice@example.com\r\nSubject: message ${n}\r\n` +
      `Message-ID: <m${n}@example.net>\r\n${extraHeaders}\r\nBody of message ${n}.\r\n`,
  );
}

/** Collects a mailbox's events. */
export function record(mailbox: OpenMailbox): MailboxEvent[] {
  const events: MailboxEvent[] = [];
  mailbox.subscribe((event) => events.push(event));
  return events;
}

/** Reads a whole stream into one buffer. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Resolves once pending event deliveries have had a turn. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
