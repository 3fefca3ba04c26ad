/**
 * Which of many literals occur in a text, all found in one pass over it (Aho-Corasick). The rule
 * set's prefilter literals (required-literal.ts) number in the thousands; testing each with
 * `includes` on every text of a message cost more than most rules' regexes. One scan per text
 * tells them all, in time linear in the text (plus the literals found).
 */
export class LiteralScanner {
  /** Transitions by `state * CODE_SPACE + code` (codes above CODE_SPACE - 1 never match). */
  private readonly next = new Map<number, number>();
  /** The root's transitions, dense: the root is where a scan spends most of its steps. */
  private readonly rootNext = new Int32Array(CODE_SPACE);
  private readonly fail: number[] = [0];
  /** Literals ending at each state itself. */
  private readonly output: (number[] | null)[] = [null];
  /** The nearest state down the failure chain that has output (-1: none). */
  private readonly outputLink: number[] = [-1];
  /** The scan that last reported a state's output (a state reports once per scan). */
  private readonly reportedIn: Int32Array;
  private scans = 0;
  private readonly alwaysReported: number[] = [];
  readonly size: number;

  constructor(literals: readonly string[]) {
    this.size = literals.length;
    literals.forEach((literal, id) => {
      if (literal === '') throw new Error('an empty literal cannot be scanned for');
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const code = literal.charCodeAt(i);
        if (code >= CODE_SPACE) {
          // Not expected in a text; rather than tell it absent, it is always reported.
          this.alwaysReported.push(id);
          state = -1;
          break;
        }
        const key = state * CODE_SPACE + code;
        let to = this.next.get(key);
        if (to === undefined) {
          to = this.fail.length;
          this.fail.push(0);
          this.output.push(null);
          this.outputLink.push(-1);
          this.next.set(key, to);
        }
        state = to;
      }
      if (state > 0) (this.output[state] ??= []).push(id);
    });
    for (let code = 0; code < CODE_SPACE; code++) this.rootNext[code] = this.next.get(code) ?? 0;
    this.linkFailures();
    this.reportedIn = new Int32Array(this.fail.length);
  }

  /**
   * Marks `found[id]` (ORs `mark` into it, 1 by default) for every literal that occurs in
   * `text`; other entries are kept. A mark per text tells which texts hold a literal.
   */
  scan(text: string, found: Uint8Array | Int32Array, mark = 1): void {
    const scan = ++this.scans;
    const { next, rootNext, fail, output, outputLink, reportedIn } = this;
    for (const id of this.alwaysReported) found[id]! |= mark;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= CODE_SPACE) {
        state = 0;
        continue;
      }
      for (;;) {
        if (state === 0) {
          state = rootNext[code]!;
          break;
        }
        const to = next.get(state * CODE_SPACE + code);
        if (to !== undefined) {
          state = to;
          break;
        }
        state = fail[state]!;
      }
      // Report this state and those down its output chain, each once per scan.
      for (let s = output[state] ? state : outputLink[state]!; s > 0; s = outputLink[s]!) {
        if (reportedIn[s] === scan) break;
        reportedIn[s] = scan;
        for (const id of output[s]!) found[id]! |= mark;
      }
    }
  }

  /** Breadth first: each state's failure is the longest proper suffix that is also a state. */
  private linkFailures(): void {
    const children = new Map<number, [number, number][]>();
    for (const [key, to] of this.next) {
      const from = Math.floor(key / CODE_SPACE);
      let list = children.get(from);
      if (!list) children.set(from, (list = []));
      list.push([key % CODE_SPACE, to]);
    }
    const queue: number[] = [];
    for (const [, to] of children.get(0) ?? []) queue.push(to);
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [code, to] of children.get(state) ?? []) {
        let f = this.fail[state]!;
        let target = this.step(f, code);
        while (target === undefined && f !== 0) {
          f = this.fail[f]!;
          target = this.step(f, code);
        }
        this.fail[to] = target ?? 0;
        const failure = this.fail[to]!;
        this.outputLink[to] = this.output[failure] ? failure : this.outputLink[failure]!;
        queue.push(to);
      }
    }
  }

  private step(state: number, code: number): number | undefined {
    return this.next.get(state * CODE_SPACE + code);
  }
}

/**
 * The texts are binary strings (octets as code points 0-255, see binary-string.ts); header
 * values decoded from encoded words are too. A wider code in a text is stepped over (no literal
 * in the automaton holds one).
 */
const CODE_SPACE = 256;
