/** How many of the least recently written entries each write inspects for expiry. */
const PRUNE_PER_WRITE = 4;

interface Node<V> {
  readonly key: string;
  value: V;
  older: Node<V> | null;
  newer: Node<V> | null;
}

/**
 * A map of per-key state with a hard cap on its size. Entries are chained in order of their last
 * write; when a new key arrives at the cap, the least recently written entry is evicted. Expired
 * entries are dropped lazily: when read, and a few from the old end on every write, so idle
 * state drains without a timer.
 *
 * The chain is our own rather than a Map's insertion order: V8 leaves deleted Map entries in
 * place until it rehashes, so finding a Map's first live entry after many deletions at the front
 * walks thousands of holes, and evicting at the cap became the cost of every write.
 */
export class BoundedKeyMap<V> {
  readonly #nodes = new Map<string, Node<V>>();
  #oldest: Node<V> | null = null;
  #newest: Node<V> | null = null;

  constructor(
    readonly maxTracked: number,
    readonly isExpired: (value: V, now: number) => boolean,
  ) {}

  get size(): number {
    return this.#nodes.size;
  }

  /** The live entry for the key; an expired one is removed and reads as absent. */
  get(key: string, now: number): V | undefined {
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    if (this.isExpired(node.value, now)) {
      this.#remove(node);
      return undefined;
    }
    return node.value;
  }

  set(key: string, value: V, now: number): void {
    let node = this.#nodes.get(key);
    if (node !== undefined) {
      this.#unlink(node);
      node.value = value;
    } else {
      if (this.#nodes.size >= this.maxTracked && this.#oldest !== null) this.#remove(this.#oldest);
      node = { key, value, older: null, newer: null };
      this.#nodes.set(key, node);
    }
    this.#append(node);
    for (let inspected = 0; inspected < PRUNE_PER_WRITE; inspected++) {
      const oldest = this.#oldest;
      if (oldest === null || oldest === node || !this.isExpired(oldest.value, now)) break;
      this.#remove(oldest);
    }
  }

  delete(key: string): void {
    const node = this.#nodes.get(key);
    if (node !== undefined) this.#remove(node);
  }

  clear(): void {
    this.#nodes.clear();
    this.#oldest = null;
    this.#newest = null;
  }

  #remove(node: Node<V>): void {
    this.#unlink(node);
    this.#nodes.delete(node.key);
  }

  #unlink(node: Node<V>): void {
    if (node.older === null) this.#oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === null) this.#newest = node.older;
    else node.newer.older = node.older;
    node.older = null;
    node.newer = null;
  }

  #append(node: Node<V>): void {
    node.older = this.#newest;
    if (this.#newest === null) this.#oldest = node;
    else this.#newest.newer = node;
    this.#newest = node;
  }
}
