import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU seconds used by a process and everything under it, read from /proc (Linux): what a
 * server costs per command on a machine shared with other work, which wall-clock rates show
 * only through the noise of everything else running.
 *
 * The sum over the live processes of the tree of user + system time, each with the time of the
 * children it has waited for (`cutime`, `cstime`): a backend or an imap process that ended
 * meanwhile is counted in its parent's, so the difference of two readings is the CPU the tree
 * used in between, processes that came and went included.
 */
export function treeCpuSeconds(root: number): number {
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // Gone since the listing: its time is in its parent's now.
    }
    // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    stats.set(Number(name), {
      parent: Number(fields[1]),
      ticks: utime! + stime! + cutime! + cstime!,
    });
  }
  let ticks = 0;
  for (const [pid, stat] of stats) {
    for (let at: number | undefined = pid; at !== undefined && at > 1;) {
      if (at === root) {
        ticks += stat.ticks;
        break;
      }
      at = stats.get(at)?.parent;
    }
  }
  return ticks / clockTicks();
}

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return ticksPerSecond;
}

/** CPU seconds used by named process trees between `start()` and `stop()`. */
export class CpuMeter {
  private readonly before = new Map<string, number>();
  private readonly used = new Map<string, number>();

  constructor(private readonly roots: ReadonlyMap<string, number>) {}

  start(): void {
    for (const [name, pid] of this.roots) this.before.set(name, treeCpuSeconds(pid));
  }

  stop(): ReadonlyMap<string, number> {
    for (const [name, pid] of this.roots)
      this.used.set(name, treeCpuSeconds(pid) - this.before.get(name)!);
    return this.used;
  }
}
