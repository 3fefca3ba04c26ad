import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** A file read and compressed: CRC-32 and size of its bytes, and the bytes as stored. */
export interface CompressedFile {
  readonly crc: number;
  readonly size: number;
  /** 8 (deflate) or 0 (stored: deflate did not make it smaller). */
  readonly method: 0 | 8;
  readonly data: Uint8Array;
}

/**
 * The worker: reads each file of a batch and deflates it with zlib's one-shot call, computing
 * the CRC-32 on the way. An ES module given as a `data:` URL, so that it runs the same from the
 * built package and from the sources under test, whatever the parent's flags (an `eval` worker
 * would be CommonJS or not depending on `--input-type`). Reading in the workers spreads the system
 * calls over the cores too, not only the compression.
 */
const WORKER_SOURCE = `
import { parentPort } from 'node:worker_threads';
import { closeSync, openSync, readSync } from 'node:fs';
import zlib from 'node:zlib';
const table = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  table[n] = c;
}
const crc32 = typeof zlib.crc32 === 'function' ? (data) => zlib.crc32(data) >>> 0 : (data) => {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
// One read buffer, reused: a file is read into it with one read (its size is known from the
// walk; one byte more tells that it grew), so that a file costs open, read and close, and no
// garbage that waits for the worker's next collection.
let buffer = Buffer.allocUnsafe(256 * 1024);
const readWhole = (path, size) => {
  if (buffer.length < size + 1) buffer = Buffer.allocUnsafe(Math.max(size + 1, buffer.length * 2));
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const got = readSync(fd, buffer, length, buffer.length - length, null);
      if (got === 0) break;
      length += got;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
};
parentPort.on('message', ({ id, files, level }) => {
  const results = [];
  const transfer = [];
  for (const { path, size } of files) {
    let data;
    try {
      data = readWhole(path, size);
    } catch (error) {
      results.push({ error: String(error && error.message), code: error && error.code });
      continue;
    }
    const crc = crc32(data);
    let out = data;
    let method = 0;
    if (level > 0 && data.length > 0) {
      const deflated = zlib.deflateRawSync(data, { level });
      if (deflated.length < data.length) { out = deflated; method = 8; }
    }
    // A buffer of its own, to be handed over (transferred, not copied) to the writer.
    const copy = new Uint8Array(out.length);
    copy.set(out);
    transfer.push(copy.buffer);
    results.push({ crc, size: data.length, method, data: copy });
  }
  parentPort.postMessage({ id, results }, transfer);
});
`;

/** Heap limits of a worker, in MB: see the constructor. */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 };

const WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`);

interface Pending {
  readonly path: string;
  readonly size: number;
  resolve(file: CompressedFile | null): void;
  reject(error: Error): void;
}

type WorkerResult =
  { crc: number; size: number; method: 0 | 8; data: Uint8Array } | { error: string; code?: string };

/**
 * Files read and deflated on worker threads (as many as the machine has cores, at most 4), in
 * batches, so that compression of many small files uses every core and costs the main thread
 * only the copying of the results. `compress` resolves with null for a file that is gone
 * (ENOENT) and rejects on any other failure to read it.
 */
export class CompressPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly inFlight = new Map<number, Pending[]>();
  private batch: Pending[] = [];
  private batchBytes = 0;
  private nextId = 0;
  private failure: Error | null = null;

  constructor(
    private readonly level: number,
    threads = Math.max(1, Math.min(4, availableParallelism())),
  ) {
    for (let i = 0; i < threads; i++) {
      // The worker's own objects are few and small (its buffers live outside its heap): a small
      // young generation makes it collect often, so that the buffers it let go are freed soon.
      const worker = new Worker(WORKER_URL, { resourceLimits: WORKER_HEAP });
      const slot = { worker, busy: 0 };
      worker.on('message', ({ id, results }: { id: number; results: WorkerResult[] }) => {
        slot.busy--;
        const pending = this.inFlight.get(id)!;
        this.inFlight.delete(id);
        pending.forEach((item, index) => {
          const result = results[index]!;
          if ('error' in result) {
            if (result.code === 'ENOENT') item.resolve(null);
            else
              item.reject(
                Object.assign(new Error(`${item.path}: ${result.error}`), { code: result.code }),
              );
          } else item.resolve(result);
        });
      });
      worker.on('error', (error) => this.fail(error));
      this.workers.push(slot);
    }
  }

  /** Queues a file; call {@link flush} before waiting for a result whose batch may not be sent. */
  compress(path: string, size: number): Promise<CompressedFile | null> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.batch.push({ path, size, resolve, reject });
      this.batchBytes += size;
      if (this.batch.length >= 64 || this.batchBytes >= 2 * 1024 * 1024) this.flush();
    });
  }

  /** Sends the files queued so far to the least busy worker. */
  flush(): void {
    if (this.batch.length === 0) return;
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    this.inFlight.set(id, this.batch);
    slot.busy++;
    slot.worker.postMessage({
      id,
      files: this.batch.map(({ path, size }) => ({ path, size })),
      level: this.level,
    });
    this.batch = [];
    this.batchBytes = 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of [...this.inFlight.values(), this.batch])
      for (const item of pending) item.reject(error);
    this.inFlight.clear();
    this.batch = [];
  }
}
