import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type SaConfig, emptySaConfig, parseCfFile } from '../spamassassin/cf-parser.js';
import { SaRuleSet } from '../spamassassin/sa-rule-set.js';
import type { CfEnvironment } from '../spamassassin/cf-condition.js';

/** Where Debian's `spamassassin` package installs its rules, and where sa-update puts newer ones. */
export const DEBIAN_RULE_DIRECTORIES = [
  '/var/lib/spamassassin/4.000001/updates_spamassassin_org',
  '/usr/share/spamassassin',
];

export interface LoadedRules {
  readonly directory: string;
  readonly files: readonly string[];
  readonly config: SaConfig;
  readonly rules: SaRuleSet;
}

/**
 * Reads every `*.cf` file of a directory in name order (SpamAssassin's order: later files
 * override earlier ones) and compiles the rule set once. A file that cannot be read fails the
 * load; a line that cannot be parsed is recorded in `config.problems` and skipped.
 */
export async function loadSpamAssassinRules(
  directory: string,
  env?: CfEnvironment,
): Promise<LoadedRules> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.cf')).sort();
  const config = emptySaConfig();
  for (const file of files) {
    const text = (await readFile(join(directory, file))).toString('latin1');
    parseCfFile(config, file, text, env);
  }
  return { directory, files, config, rules: SaRuleSet.compile(config) };
}

/** The first of Debian's rule directories that exists (only ENOENT means it does not). */
export async function findDebianRuleDirectory(): Promise<string | null> {
  for (const directory of DEBIAN_RULE_DIRECTORIES) {
    try {
      const names = await readdir(directory);
      if (names.some((name) => name.endsWith('.cf'))) return directory;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return null;
}
