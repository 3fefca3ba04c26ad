/**
 * bench/spam-holdout.ts's `--rules-cache DIR`: each training message's rule result (the score
 * of Debian's rules without Bayes, and the rules that fired) kept between runs, so that a
 * Bayes-only experiment over the folds computes tokens and Bayes alone (about a minute instead
 * of five). The rules' result does not depend on the fold; it depends on the message, the rule
 * files and the engine's code. The cache is kept under a key hashed from the rule directory's
 * files and the sources (`src/`) of @mailyard/mime and of @mailyard/spam-scoring but its
 * `src/bayes/` (which the rules do not use), so a change to the rules' code starts a new cache
 * file beside the old one, and a change to Bayes alone keeps it. The engine run is the built
 * one (`dist/`): build after changing the sources. Delete DIR by hand to reclaim the space, or if
 * something the key does not cover changed (a dependency's version).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

export interface RulesResult {
  /** The rules' score, Bayes left out. */
  readonly rules: number;
  /** The rules that fired (sub-rules, `__` names, left out). */
  readonly ruleNames: readonly string[];
}

const require = createRequire(import.meta.url);

/** Every file under `directory`, sorted, so the hash does not depend on readdir's order. */
function filesUnder(directory: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The key of the rules' results: the rule files and the engine's sources but Bayes's, hashed. */
export function rulesCacheKey(ruleDirectory: string): string {
  const hash = createHash('sha256');
  // A package's entry is its dist/index.js; its sources are beside dist/.
  const packageSources = (name: string) => join(dirname(require.resolve(name)), '..', 'src');
  const bayesSources = join(packageSources('@mailyard/spam-scoring'), 'bayes');
  for (const directory of [
    ruleDirectory,
    packageSources('@mailyard/spam-scoring'),
    packageSources('@mailyard/mime'),
  ])
    for (const file of filesUnder(directory))
      if (!file.startsWith(bayesSources + sep))
        hash.update(relative(directory, file)).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** The cache of one key: a JSON file of the results by message file, read whole, written whole. */
export class RulesCache {
  private readonly file: string;
  private readonly results: Map<string, RulesResult>;
  private changed = false;

  constructor(directory: string, key: string) {
    mkdirSync(directory, { recursive: true });
    this.file = join(directory, `rules-${key}.json`);
    this.results = existsSync(this.file)
      ? new Map(
          Object.entries(
            JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, RulesResult>,
          ),
        )
      : new Map();
  }

  get(file: string): RulesResult | undefined {
    return this.results.get(file);
  }

  set(file: string, result: RulesResult): void {
    this.results.set(file, result);
    this.changed = true;
  }

  /** Writes the cache if anything was added. */
  save(): void {
    if (this.changed) writeFileSync(this.file, JSON.stringify(Object.fromEntries(this.results)));
    this.changed = false;
  }
}
