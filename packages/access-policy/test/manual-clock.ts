import type { PolicyClock } from '../src/index.js';

/** A clock the test moves by hand. */
export class ManualClock implements PolicyClock {
  constructor(public time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

export const fuzzRuns = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
