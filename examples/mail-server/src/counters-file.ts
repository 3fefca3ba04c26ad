import { readFile } from 'node:fs/promises';

/**
 * Counters a previous run kept in a JSON file (the spam and antivirus statistics): each name a
 * non-negative safe integer. Null when there is no file (only ENOENT means that); any other
 * read error, or a value that is not a count, is thrown, so nothing starts again from zero
 * over counters it could not read.
 */
export async function readCountersFile<K extends string>(
  path: string,
  names: readonly K[],
): Promise<Record<K, number> | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const counters = {} as Record<K, number>;
  for (const key of names) {
    const value = parsed[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw new Error(`${path}: ${key} is not a count`);
    counters[key] = value;
  }
  return counters;
}
