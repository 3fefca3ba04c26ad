import { Worker } from 'node:worker_threads';

/** A part of a file to read: `length` octets from `start` (fewer where the file is shorter). */
export interface FileSlice {
  readonly path: string;
  readonly start: number;
  readonly length: number;
}

/** What reading a slice gave: its octets, `missing` when the file does not exist, or the error. */
export type SliceOutcome = Buffer | 'missing' | NodeJS.ErrnoException;

interface Reply {
  readonly id: number;
  readonly buffer: ArrayBuffer;
  /** Octets read per slice; -1 where it failed. */
  readonly read: Int32Array;
  /** Per slice: null, or the failure's code and message. */
  readonly errors: ({ readonly code: string; readonly message: string } | null)[];
}

/**
 * The worker's whole program: each request is a batch of slices, read with synchronous
 * open/read/close one after the other into one buffer, which goes back to the main thread
 * without a copy (transferred).
 */
const WORKER_SOURCE = `
Promise.all([import('node:worker_threads'), import('node:fs')]).then(([threads, fs]) => {
const { parentPort } = threads;
const { openSync, readSync, closeSync } = fs;
parentPort.on('message', ({ id, slices }) => {
  let total = 0;
  for (const slice of slices) total += slice.length;
  const buffer = Buffer.allocUnsafeSlow(total);
  const read = new Int32Array(slices.length);
  const errors = [];
  let at = 0;
  for (let i = 0; i < slices.length; i++) {
    const { path, start, length } = slices[i];
    errors.push(null);
    try {
      const fd = openSync(path, 'r');
      try {
        let filled = 0;
        while (filled < length) {
          const count = readSync(fd, buffer, at + filled, length - filled, start + filled);
          if (count === 0) break;
          filled += count;
        }
        read[i] = filled;
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      read[i] = -1;
      errors[i] = { code: error.code ?? 'EIO', message: String(error.message) };
    }
    at += length;
  }
  parentPort.postMessage({ id, buffer: buffer.buffer, read, errors }, [buffer.buffer]);
});
});
`;

/**
 * Reads many small files on a thread of its own. Opening, reading and closing a message file
 * costs microseconds of system calls, and IMAP's FETCH or SEARCH of a whole mailbox does it
 * thousands of times: done here, that time is spent on the machine's other core while the event
 * loop goes on serving, and the event loop pays one message per batch instead. One read at a
 * time stays on the event loop (see FolderStorage.read): a trip to the thread and back costs
 * more than a single small read.
 */
export class BackgroundReader {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    {
      slices: readonly FileSlice[];
      resolve: (outcomes: SliceOutcome[]) => void;
      reject: (error: Error) => void;
    }
  >();

  /** Reads the slices, in one trip to the thread. */
  read(slices: readonly FileSlice[]): Promise<SliceOutcome[]> {
    if (slices.length === 0) return Promise.resolve([]);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { slices, resolve, reject });
      worker.postMessage({ id, slices });
      // Only while there is work does the thread keep the process alive.
      worker.ref();
    });
  }

  /** Stops the thread; reads in flight fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
    this.failAll(new Error('the background reader was closed'));
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // No flags of the process's own (loaders, --input-type): the program above needs none.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => {
      this.worker = null;
      this.failAll(error);
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error('the background reader stopped'));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle({ id, buffer, read, errors }: Reply): void {
    const request = this.pending.get(id);
    if (!request) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    const all = Buffer.from(buffer);
    const outcomes: SliceOutcome[] = [];
    let at = 0;
    request.slices.forEach((slice, i) => {
      const failure = errors[i];
      if (failure) {
        outcomes.push(
          failure.code === 'ENOENT'
            ? 'missing'
            : Object.assign(new Error(failure.message), { code: failure.code }),
        );
      } else {
        outcomes.push(all.subarray(at, at + read[i]!));
      }
      at += slice.length;
    });
    request.resolve(outcomes);
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
