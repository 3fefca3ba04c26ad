import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DataDirectory } from '../src/data-directory.js';
import { formatMailserverCfg, parseMailserverCfg } from '../src/mailserver-cfg.js';
import { DEFAULT_BACKUP_SCHEDULE, defaultConfig } from '../src/server-config.js';
import { StoreBackups, nextScheduledBackup } from '../src/store-backups.js';

const cfg = (inner: string) => `<config>${inner}</config>`;
const item = (day: string, time: string, type: string) =>
  `<listitem><variable name="Description">x</variable><variable name="Day">${day}</variable><variable name="Time">${time}</variable><variable name="Type">${type}</variable></listitem>`;

describe('backup settings in mailserver.cfg', () => {
  it("has Kerio's defaults: off, store/backup, 2 GB parts, 3 kept, Full Sunday and Differential Wednesday and Friday at 01:00", () => {
    const { config } = parseMailserverCfg(formatMailserverCfg(defaultConfig()));
    expect(config.backup).toEqual({
      enabled: false,
      directory: 'store/backup',
      splitSizeGb: 2,
      keep: 3,
      schedule: DEFAULT_BACKUP_SCHEDULE,
    });
    expect(DEFAULT_BACKUP_SCHEDULE.map((i) => `${i.type} ${i.day} ${i.time}`)).toEqual([
      'differential Wednesday 01:00',
      'differential Friday 01:00',
      'full Sunday 01:00',
    ]);
  });

  it('reads a schedule, and takes the default one when the list is empty', () => {
    const { config, warnings } = parseMailserverCfg(
      cfg(
        `<variable name="BackupEnabled">1</variable><variable name="BackupSplitSizeGB">1</variable><variable name="BackupCount">5</variable>` +
          `<list name="BackupSchedule">${item('monday', '7:30', 'Full')}</list>`,
      ),
    );
    expect(warnings).toEqual([]);
    expect(config.backup).toMatchObject({ enabled: true, splitSizeGb: 1, keep: 5 });
    expect(config.backup.schedule).toEqual([
      { description: 'x', day: 'Monday', time: '07:30', type: 'full' },
    ]);
    const empty = parseMailserverCfg(
      cfg('<variable name="BackupEnabled">1</variable><list name="BackupSchedule"></list>'),
    );
    expect(empty.config.backup.schedule).toEqual(DEFAULT_BACKUP_SCHEDULE);
  });

  it('refuses a bad day, time, type or a part over 2 GB, naming the item', () => {
    const bad: [string, RegExp][] = [
      [
        `<list name="BackupSchedule">${item('Someday', '01:00', 'Full')}</list>`,
        /item 1: Day "Someday"/,
      ],
      [
        `<list name="BackupSchedule">${item('Sunday', '25:00', 'Full')}</list>`,
        /item 1: Time "25:00" is not HH:MM/,
      ],
      [
        `<list name="BackupSchedule">${item('Sunday', '01:00', 'Incremental')}</list>`,
        /Type "Incremental"/,
      ],
      [
        '<variable name="BackupSplitSizeGB">3</variable>',
        /BackupSplitSizeGB is 3; a backup part is at most 2 GB/,
      ],
    ];
    for (const [inner, why] of bad) expect(() => parseMailserverCfg(cfg(inner))).toThrow(why);
  });
});

describe('the next scheduled backup', () => {
  // Local time, as the schedule is: Wednesday 2026-01-07 00:30.
  const wednesday = new Date(2026, 0, 7, 0, 30).getTime();

  it('is the earliest item after now, in the same week or the next', () => {
    const next = nextScheduledBackup(DEFAULT_BACKUP_SCHEDULE, wednesday)!;
    expect(new Date(next.at)).toEqual(new Date(2026, 0, 7, 1, 0));
    expect(next.item.type).toBe('differential');
    const after = nextScheduledBackup(DEFAULT_BACKUP_SCHEDULE, next.at)!;
    expect(new Date(after.at)).toEqual(new Date(2026, 0, 9, 1, 0));
    const sunday = nextScheduledBackup(DEFAULT_BACKUP_SCHEDULE, after.at)!;
    expect(new Date(sunday.at)).toEqual(new Date(2026, 0, 11, 1, 0));
    expect(sunday.item.type).toBe('full');
    expect(new Date(nextScheduledBackup(DEFAULT_BACKUP_SCHEDULE, sunday.at)!.at)).toEqual(
      new Date(2026, 0, 14, 1, 0),
    );
  });

  it('is none without a schedule', () => {
    expect(nextScheduledBackup([], wednesday)).toBeNull();
  });
});

describe('scheduled backups in the server', () => {
  it('runs the backup the schedule names when its time comes, and logs it in the Config log', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mailyard-schedule-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const data = new DataDirectory(root);
    // A schedule item one minute after a clock that stands 200 ms before it.
    const itemTime = new Date(2026, 0, 7, 1, 0).getTime();
    const clock = { now: () => itemTime - 200 };
    const config = {
      ...defaultConfig(),
      backup: {
        ...defaultConfig().backup,
        enabled: true,
        schedule: [
          { description: 'Full', day: 'Wednesday' as const, time: '01:00', type: 'full' as const },
        ],
      },
    };
    const store = new FsMailStore({ directory: data.store(config) });
    await store.deliver('alice@example.test', {
      content: Buffer.from('Subject: hi\r\n\r\nhi\r\n'),
    });
    const configLog: string[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const backups = new StoreBackups({
      config,
      data,
      store,
      clock,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      configLog: (line) => {
        configLog.push(line);
        if (line.includes('finished')) finished();
      },
    });
    backups.start();
    const directory = join(root, 'store', 'backup');
    await done;
    await backups.stop();
    await store.close();
    expect(configLog[0]).toBe('Scheduler - Store backup started');
    expect(configLog[1]).toMatch(/^Scheduler - Store backup finished: F\d{8}T\d{6}Z$/);
    expect(readdirSync(directory).filter((name) => name.endsWith('.zip'))).toHaveLength(1);
  });
});
