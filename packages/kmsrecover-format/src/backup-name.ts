/**
 * Kerio's backup file names (Admin Guide 15.3): `<K><YYYYMMDD>T<hhmmss>Z.zip`, the time in UTC,
 * `F` for a full backup, `I` for a differential, `C` for a copy ("Start now"). A backup split
 * into parts (the spec leaves the naming open) keeps that name for its first part and numbers
 * the others `-2`, `-3`, ...: `F20060118T220007Z-2.zip`. Each part is a whole ZIP file of its
 * own, so any unzip opens it.
 */
export type BackupKind = 'F' | 'I' | 'C';

export interface BackupName {
  readonly kind: BackupKind;
  /** The start of the backup, UTC milliseconds, to the second. */
  readonly started: number;
  /** The name without part number and extension: `F20060118T220007Z`. */
  readonly id: string;
  /** 1 for the first part (the file named as Kerio names it), 2, 3, ... for the others. */
  readonly part: number;
}

const NAME = /^([FIC])(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-([2-9]|[1-9]\d{1,3}))?\.zip$/;

/** The backup a file name stands for, or null for any other file. */
export function parseBackupName(fileName: string): BackupName | null {
  const match = NAME.exec(fileName);
  if (!match) return null;
  const [, kind, year, month, day, hours, minutes, seconds, part] = match;
  const started = Date.UTC(+year!, +month! - 1, +day!, +hours!, +minutes!, +seconds!);
  const id = fileName.slice(0, 17);
  // Date.UTC rolls 31 February over into March; such a name is no backup's.
  if (formatBackupId(kind as BackupKind, started) !== id) return null;
  return { kind: kind as BackupKind, started, id, part: part === undefined ? 1 : Number(part) };
}

/** `F20060118T220007Z`: the kind and the start time (UTC) of a backup. */
export function formatBackupId(kind: BackupKind, started: number): string {
  const iso = new Date(started).toISOString(); // 2006-01-18T22:00:07.000Z
  if (iso.length !== 24) throw new RangeError(`no backup name for the year of ${iso}`);
  return `${kind}${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** The file name of a part of a backup. */
export function formatBackupName(kind: BackupKind, started: number, part = 1): string {
  return `${formatBackupId(kind, started)}${part === 1 ? '' : `-${part}`}.zip`;
}
