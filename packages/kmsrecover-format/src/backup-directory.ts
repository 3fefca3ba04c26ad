import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nullIfMissing } from '@mailyard/mailstore-interface';
import { type BackupKind, parseBackupName } from './backup-name.js';
import { VERSION_ENTRY, parseVersionText } from './backup-text.js';
import { ZipArchive } from './zip-archive.js';

/** A backup found in a backup directory. */
export interface BackupInfo {
  readonly id: string;
  readonly kind: BackupKind;
  readonly started: number;
  /** Paths of its parts, in order. */
  readonly parts: readonly string[];
}

/** A backup to restore: a full or copy backup, and the differential made since, if any. */
export interface BackupSelection {
  readonly base: BackupInfo;
  readonly differential: BackupInfo | null;
}

/** Parts are written under this suffix and renamed when the whole backup is done. */
export const UNFINISHED_SUFFIX = '.tmp';

/**
 * The finished backups in a directory, oldest first. A backup's parts are written as
 * `<name>.tmp` and renamed, last part first, once the summary is written: a backup whose first
 * part is there is complete, and one a crash interrupted has no name of Kerio's shape.
 */
export async function listBackups(directory: string): Promise<BackupInfo[]> {
  const names = (await nullIfMissing(readdir(directory))) ?? [];
  const byId = new Map<string, { kind: BackupKind; started: number; parts: Map<number, string> }>();
  for (const name of names) {
    const parsed = parseBackupName(name);
    if (!parsed) continue;
    const backup = byId.get(parsed.id) ?? {
      kind: parsed.kind,
      started: parsed.started,
      parts: new Map<number, string>(),
    };
    backup.parts.set(parsed.part, join(directory, name));
    byId.set(parsed.id, backup);
  }
  const backups: BackupInfo[] = [];
  for (const [id, backup] of byId) {
    const parts: string[] = [];
    for (let part = 1; backup.parts.has(part); part++) parts.push(backup.parts.get(part)!);
    if (parts.length === 0) continue;
    backups.push({ id, kind: backup.kind, started: backup.started, parts });
  }
  return backups.sort((a, b) => a.started - b.started || a.id.localeCompare(b.id));
}

/**
 * What a restore from a directory takes (Admin Guide 15.3): the latest full or copy backup,
 * and the latest differential made on it, if one was made after it.
 */
export async function selectBackup(directory: string): Promise<BackupSelection | null> {
  const backups = await listBackups(directory);
  const bases = backups.filter((backup) => backup.kind !== 'I');
  const base = bases.at(-1);
  if (!base) return null;
  const differentials = backups.filter(
    (backup) => backup.kind === 'I' && backup.started >= base.started,
  );
  for (const differential of differentials.reverse()) {
    if ((await baseOf(differential)) === base.id) return { base, differential };
  }
  return { base, differential: null };
}

/** The id of the backup a differential is relative to, from its `.version.txt`. */
export async function baseOf(differential: BackupInfo): Promise<string | null> {
  const archive = await ZipArchive.open(differential.parts[0]!);
  try {
    const entry = archive.get(VERSION_ENTRY);
    if (!entry) return null;
    return parseVersionText((await archive.read(entry)).toString('utf8')).base ?? null;
  } finally {
    archive.close();
  }
}

/**
 * Rotation (Admin Guide 15.2, "count of complete backups to be kept"): keeps the `keep` latest
 * full or copy backups and the differentials made since the oldest of them, and only the latest
 * differential ("the newest backup always rewrites the previous one"). Unfinished parts left by
 * an interrupted run go too. Returns the files removed. `keep` 0 keeps every backup.
 */
export async function rotateBackups(directory: string, keep: number): Promise<string[]> {
  const backups = await listBackups(directory);
  const removed: string[] = [];
  const remove = async (backup: BackupInfo) => {
    for (const part of backup.parts) {
      await rm(part, { force: true });
      removed.push(part);
    }
  };
  const differentials = backups.filter((backup) => backup.kind === 'I');
  for (const differential of differentials.slice(0, -1)) await remove(differential);
  if (keep > 0) {
    const bases = backups.filter((backup) => backup.kind !== 'I');
    const kept = bases.slice(-keep);
    const oldestKept = kept[0]?.started ?? 0;
    for (const base of bases.slice(0, -keep)) await remove(base);
    const latest = differentials.at(-1);
    if (latest && latest.started < oldestKept) await remove(latest);
  }
  for (const name of (await nullIfMissing(readdir(directory))) ?? []) {
    // A snapshot an interrupted live backup left behind (links: removing it frees nothing live).
    if (name.startsWith('.snapshot-') && name.endsWith(UNFINISHED_SUFFIX)) {
      await rm(join(directory, name), { recursive: true, force: true });
      removed.push(join(directory, name));
      continue;
    }
    if (
      name.endsWith(`.zip${UNFINISHED_SUFFIX}`) &&
      parseBackupName(name.slice(0, -UNFINISHED_SUFFIX.length))
    ) {
      await rm(join(directory, name), { force: true });
      removed.push(join(directory, name));
    }
  }
  return removed;
}
