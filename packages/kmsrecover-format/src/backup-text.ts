/**
 * The two text entries that open and close every backup (Admin Guide 15.3): `.version.txt`,
 * written first, and `.summary.txt`, written last. The guide names their keys; the syntax is
 * ours: `key=value` lines in UTF-8, ending in LF, dates as `YYYY-MM-DD hh:mm:ss` in UTC.
 */
export const VERSION_ENTRY = '.version.txt';
export const SUMMARY_ENTRY = '.summary.txt';
/** A differential's list of the paths its base had and the data no longer has, one a line. */
export const DELETED_ENTRY = '.deleted.txt';

export interface VersionText {
  readonly started: number;
  /** The backup tool's version. */
  readonly version: string;
  readonly hostname: string;
  /** Which part of the backup this file is (1 for the first). */
  readonly part: number;
  /** For a differential: the id of the full or copy backup it is relative to. */
  readonly base?: string;
}

export interface SummaryText {
  readonly started: number;
  readonly finished: number;
  /** Files backed up (the entries between the two text entries, over every part). */
  readonly countFiles: number;
  /** Their bytes, uncompressed. */
  readonly totalSize: number;
  /** How many parts the backup has; the summary is in the last. */
  readonly parts: number;
  /** Files left out because they were over the part size, with their sizes. */
  readonly skipped: readonly { readonly path: string; readonly size: number }[];
}

export function formatVersionText(version: VersionText): string {
  return lines([
    ['started', formatTime(version.started)],
    ['version', version.version],
    ['hostname', version.hostname],
    ['part', String(version.part)],
    ...(version.base ? [['base', version.base] as const] : []),
  ]);
}

export function parseVersionText(text: string): VersionText {
  const keys = readLines(text, VERSION_ENTRY);
  const base = keys.get('base');
  return {
    started: parseTime(required(keys, 'started', VERSION_ENTRY), VERSION_ENTRY),
    version: keys.get('version') ?? '',
    hostname: keys.get('hostname') ?? '',
    part: parseCount(keys.get('part') ?? '1', 'part', VERSION_ENTRY),
    ...(base ? { base } : {}),
  };
}

export function formatSummaryText(summary: SummaryText): string {
  return lines([
    ['started', formatTime(summary.started)],
    ['finished', formatTime(summary.finished)],
    ['count_files', String(summary.countFiles)],
    ['total_size', String(summary.totalSize)],
    ['duration', formatDuration(summary.finished - summary.started)],
    ['parts', String(summary.parts)],
    ...summary.skipped.map((file) => ['skipped', `${file.size} ${file.path}`] as const),
  ]);
}

export function parseSummaryText(text: string): SummaryText {
  const keys = readLines(text, SUMMARY_ENTRY);
  return {
    started: parseTime(required(keys, 'started', SUMMARY_ENTRY), SUMMARY_ENTRY),
    finished: parseTime(required(keys, 'finished', SUMMARY_ENTRY), SUMMARY_ENTRY),
    countFiles: parseCount(
      required(keys, 'count_files', SUMMARY_ENTRY),
      'count_files',
      SUMMARY_ENTRY,
    ),
    totalSize: parseCount(required(keys, 'total_size', SUMMARY_ENTRY), 'total_size', SUMMARY_ENTRY),
    parts: parseCount(keys.get('parts') ?? '1', 'parts', SUMMARY_ENTRY),
    skipped: (keys.all.get('skipped') ?? []).map((value) => {
      const space = value.indexOf(' ');
      return { size: Number(value.slice(0, space)), path: value.slice(space + 1) };
    }),
  };
}

/** `YYYY-MM-DD hh:mm:ss`, UTC. */
export function formatTime(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

/** `hh:mm:ss:mmm`: Kerio's `hh:mm:ss:msms`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(total / 3_600_000))}:${pad(Math.floor(total / 60_000) % 60)}:${pad(Math.floor(total / 1000) % 60)}:${pad(total % 1000, 3)}`;
}

/** Formats the given deletions as `.deleted.txt`. */
export function formatDeletedText(paths: readonly string[]): string {
  return paths.map((path) => `${path}\n`).join('');
}

export function parseDeletedText(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** A text entry that does not say what it must. */
export class BackupTextError extends Error {
  override readonly name = 'BackupTextError';
}

function lines(pairs: readonly (readonly [string, string])[]): string {
  // Values are ours (dates, numbers, a host name, paths): a line break in one would forge a key.
  return pairs.map(([key, value]) => `${key}=${value.replace(/[\r\n]/g, ' ')}\n`).join('');
}

interface KeyLines extends Map<string, string> {
  all: Map<string, string[]>;
}

function readLines(text: string, file: string): KeyLines {
  const keys = new Map<string, string>() as KeyLines;
  keys.all = new Map();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const equals = line.indexOf('=');
    if (equals <= 0)
      throw new BackupTextError(
        `${file}: not a key=value line: ${JSON.stringify(line.slice(0, 80))}`,
      );
    const key = line.slice(0, equals);
    const value = line.slice(equals + 1).replace(/\r$/, '');
    if (!keys.has(key)) keys.set(key, value);
    keys.all.set(key, [...(keys.all.get(key) ?? []), value]);
  }
  return keys;
}

function required(keys: Map<string, string>, key: string, file: string): string {
  const value = keys.get(key);
  if (value === undefined) throw new BackupTextError(`${file}: no ${key}`);
  return value;
}

function parseTime(value: string, file: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!match) throw new BackupTextError(`${file}: not a date: ${JSON.stringify(value)}`);
  return Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!);
}

function parseCount(value: string, key: string, file: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new BackupTextError(`${file}: ${key} is not a number: ${JSON.stringify(value)}`);
  return Number(value);
}
