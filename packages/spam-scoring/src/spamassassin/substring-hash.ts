/**
 * Polynomial hashes of a text's substrings, each in constant time after one linear pass: how a
 * hand matcher finds, among many candidate pairs of substrings, the few that may be equal,
 * without comparing every pair octet by octet (quadratic on a hostile text). Two moduli under
 * 2^26 (so that a product stays an exact double) and bases drawn at random for each text, so
 * that no text can be built to collide: two different substrings of the same length share a
 * key with a chance near 2^-52. Callers compare the text itself before they answer yes.
 */

const MODULI = [67108859, 67108837] as const;

/** `value` mod `modulus`, for 0 <= value < 2^53 (faster than `%` on doubles). */
const reduce = (value: number, modulus: number) => value - Math.floor(value / modulus) * modulus;

export class SubstringHash {
  private readonly prefix: [Uint32Array, Uint32Array];
  private readonly power: [Uint32Array, Uint32Array];

  constructor(readonly text: string) {
    const n = text.length;
    const [m0, m1] = MODULI;
    const b0 = 65_537 + Math.floor(Math.random() * (m0 - 65_537));
    const b1 = 65_537 + Math.floor(Math.random() * (m1 - 65_537));
    const p0 = new Uint32Array(n + 1);
    const p1 = new Uint32Array(n + 1);
    const w0 = new Uint32Array(n + 1);
    const w1 = new Uint32Array(n + 1);
    w0[0] = 1;
    w1[0] = 1;
    // One pass for both moduli (the reductions inlined: this is the hot loop).
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i) + 1;
      let x = p0[i]! * b0 + c;
      p0[i + 1] = x - Math.floor(x / m0) * m0;
      x = p1[i]! * b1 + c;
      p1[i + 1] = x - Math.floor(x / m1) * m1;
      x = w0[i]! * b0;
      w0[i + 1] = x - Math.floor(x / m0) * m0;
      x = w1[i]! * b1;
      w1[i + 1] = x - Math.floor(x / m1) * m1;
    }
    this.prefix = [p0, p1];
    this.power = [w0, w1];
  }

  /**
   * A key for `text.slice(start, end)`: equal substrings have equal keys (a number, both
   * values side by side: a Map finds numbers much faster than strings).
   */
  key(start: number, end: number): number {
    return this.value(0, start, end) * 2 ** 26 + this.value(1, start, end);
  }

  private value(k: 0 | 1, start: number, end: number): number {
    const modulus = MODULI[k];
    const prefix = this.prefix[k];
    return reduce(
      prefix[end]! + modulus - reduce(prefix[start]! * this.power[k][end - start]!, modulus),
      modulus,
    );
  }

  /** Whether `text.slice(a, a + length)` and `text.slice(b, b + length)` may be equal. */
  mayEqual(a: number, b: number, length: number): boolean {
    return (
      this.value(0, a, a + length) === this.value(0, b, b + length) &&
      this.value(1, a, a + length) === this.value(1, b, b + length)
    );
  }

  /** Whether they are equal (a hash first, then the octets themselves). */
  equal(a: number, b: number, length: number): boolean {
    if (a + length > this.text.length || b + length > this.text.length) return false;
    return this.mayEqual(a, b, length) && this.text.startsWith(this.text.slice(a, a + length), b);
  }
}
