import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '@mailyard/mailstore-interface';

/**
 * What the downloader remembers about one remote account between sessions, keyed by the
 * server's UIDL values (RFC 1939 7), with the time (UTC milliseconds) each was recorded.
 */
export interface AccountDownloadState {
  /** Messages delivered and left on the server ("Leave a copy"): never delivered again. */
  readonly kept: Readonly<Record<string, number>>;
  /**
   * Messages delivered and marked with DELE whose session's QUIT we did not see succeed: if the
   * server still lists them, they are deleted again, never delivered again.
   */
  readonly deleting: Readonly<Record<string, number>>;
  /** SHA-256 of messages delivered recently, for "Drop duplicate messages". */
  readonly digests: Readonly<Record<string, number>>;
}

export const EMPTY_ACCOUNT_STATE: AccountDownloadState = { kept: {}, deleting: {}, digests: {} };

/** Where the downloader keeps its state: small, read at the start of a session, written at the end. */
export interface DownloadStateStore {
  load(account: string): Promise<AccountDownloadState>;
  /** Durable once resolved: a crash after it must not lead to a message delivered twice. */
  save(account: string, state: AccountDownloadState): Promise<void>;
}

/** State in memory: for tests, and for applications that accept re-downloads after a restart. */
export class MemoryDownloadState implements DownloadStateStore {
  private readonly accounts = new Map<string, AccountDownloadState>();

  async load(account: string): Promise<AccountDownloadState> {
    return this.accounts.get(account) ?? EMPTY_ACCOUNT_STATE;
  }

  async save(account: string, state: AccountDownloadState): Promise<void> {
    this.accounts.set(account, state);
  }
}

interface StateFile {
  readonly version: 1;
  readonly accounts: Record<string, AccountDownloadState>;
}

/**
 * Every account's state in one JSON file, rewritten atomically (temporary file, flush, rename,
 * directory flush) on each save, so after a crash it holds the state before or after a save,
 * never half of one. Saves are serialised; the file is read once and kept in memory.
 */
export class JsonFileDownloadState implements DownloadStateStore {
  private content: Promise<StateFile> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  async load(account: string): Promise<AccountDownloadState> {
    const file = await this.read();
    return file.accounts[account] ?? EMPTY_ACCOUNT_STATE;
  }

  save(account: string, state: AccountDownloadState): Promise<void> {
    const write = this.writing.then(async () => {
      const file = await this.read();
      const next: StateFile = { version: 1, accounts: { ...file.accounts, [account]: state } };
      await writeFileAtomically(this.path, `${JSON.stringify(next, null, 1)}\n`);
      this.content = Promise.resolve(next);
    });
    this.writing = write.catch(() => undefined);
    return write;
  }

  private read(): Promise<StateFile> {
    this.content ??= readFile(this.path, 'utf8').then(
      (text) => parseStateFile(text, this.path),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return { version: 1 as const, accounts: {} };
        this.content = null;
        throw error;
      },
    );
    return this.content;
  }
}

function parseStateFile(text: string, path: string): StateFile {
  const data = JSON.parse(text) as Partial<StateFile>;
  if (data.version !== 1 || typeof data.accounts !== 'object' || data.accounts === null) {
    throw new Error(`${path} is not a POP3 download state file`);
  }
  const accounts: Record<string, AccountDownloadState> = {};
  for (const [account, state] of Object.entries(data.accounts)) {
    accounts[account] = {
      kept: numbers(state?.kept),
      deleting: numbers(state?.deleting),
      digests: numbers(state?.digests),
    };
  }
  return { version: 1, accounts };
}

/** A record of numbers; anything else in it is dropped. */
function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, n] of Object.entries(value)) if (typeof n === 'number') out[key] = n;
  return out;
}
