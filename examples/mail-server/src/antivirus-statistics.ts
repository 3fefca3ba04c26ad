import { readCountersFile } from './counters-file.js';
import { join } from 'node:path';

/** Kerio's antivirus statistics (14.6). */
export interface AntivirusCounters {
  /** Attachments of the messages the antivirus or the attachment filter read. */
  readonly attachmentsChecked: number;
  /** Messages clamd found a virus in. */
  readonly virusesFound: number;
  /** Attachments the attachment filter blocked ("Prohibited filenames / MIME types found"). */
  readonly prohibitedFound: number;
}

export const NO_ANTIVIRUS_COUNTS: AntivirusCounters = {
  attachmentsChecked: 0,
  virusesFound: 0,
  prohibitedFound: 0,
};

/** The counters in memory; the server writes them after each change and reads them at start. */
export class AntivirusStatistics {
  private counters: AntivirusCounters;

  constructor(initial: AntivirusCounters = NO_ANTIVIRUS_COUNTS) {
    this.counters = { ...initial };
  }

  add(change: Partial<AntivirusCounters>): void {
    const c = this.counters;
    this.counters = {
      attachmentsChecked: c.attachmentsChecked + (change.attachmentsChecked ?? 0),
      virusesFound: c.virusesFound + (change.virusesFound ?? 0),
      prohibitedFound: c.prohibitedFound + (change.prohibitedFound ?? 0),
    };
  }

  snapshot(): AntivirusCounters {
    return this.counters;
  }

  reset(): void {
    this.counters = NO_ANTIVIRUS_COUNTS;
  }
}

/** `<store>/spam/antivirus-statistics.json`, beside the spam counters. */
export function antivirusStatisticsFile(spamDirectory: string): string {
  return join(spamDirectory, 'antivirus-statistics.json');
}

/** The counters a previous run kept; null when there are none (only ENOENT means that). */
export async function readAntivirusStatistics(path: string): Promise<AntivirusCounters | null> {
  return readCountersFile(path, Object.keys(NO_ANTIVIRUS_COUNTS) as (keyof AntivirusCounters)[]);
}
