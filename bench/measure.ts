/** Runs a workload a number of times after one warm-up round and keeps the median wall time. */
export interface Measurement {
  readonly name: string;
  /** Median seconds per round. */
  readonly seconds: number;
}

export async function measure(
  name: string,
  rounds: number,
  round: () => Promise<void>,
): Promise<Measurement> {
  await round();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await round();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { name, seconds: times[Math.floor(times.length / 2)]! };
}

/**
 * Node options that make a benchmark's server process write a CPU profile (`--cpu-prof`) into
 * the directory `MAILYARD_BENCH_PROFILE` names, when it names one: how the hot spots of our
 * side of a run are found.
 */
export function profileArgv(): string[] {
  const directory = process.env.MAILYARD_BENCH_PROFILE;
  return directory ? ['--cpu-prof', `--cpu-prof-dir=${directory}`] : [];
}

export function formatRate(value: number, unit: string): string {
  return `${value.toFixed(value >= 100 ? 0 : 1).padStart(9)} ${unit}`;
}
