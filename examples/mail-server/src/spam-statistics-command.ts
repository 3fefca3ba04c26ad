import { join } from 'node:path';
import { lockStore, storeLockOwner } from '@mailyard/kmsrecover-format';
import { writeFileAtomically } from '@mailyard/mailstore-interface';
import { type SpamCounters, SpamStatistics } from '@mailyard/spam-scoring';
import {
  type AntivirusCounters,
  NO_ANTIVIRUS_COUNTS,
  antivirusStatisticsFile,
  readAntivirusStatistics,
} from './antivirus-statistics.js';
import { sendControl } from './control-socket.js';
import { DataDirectory } from './data-directory.js';
import { readStatistics, statisticsFile } from './spam-filter.js';
import { StartupError } from './startup-error.js';
import { parseSubcommandArguments } from './subcommand-arguments.js';

export const SPAM_STATISTICS_USAGE = `Usage: mailyard-server spam-statistics [--data DIR] [--reset]

Shows Kerio's spam statistics (Admin Guide 13.8): messages checked, spams tagged and rejected,
messages users marked as spam and as not spam; and its antivirus statistics (14.6): attachments
checked, viruses found, prohibited file names and MIME types found. With --reset, shows them and
sets them to zero (Kerio's Reset). A running server is asked through its control socket; a
stopped one's counters are read from (and reset in) store/spam/statistics.json and
antivirus-statistics.json.

  --data DIR   the data directory (default ./data)
  --reset      set the counters to zero after showing them`;

type Counters = SpamCounters & AntivirusCounters;

/** Kerio's names for the counters, in its order (13.8, then 14.6). */
const LABELS: readonly (readonly [keyof Counters, string])[] = [
  ['messagesChecked', 'Messages checked'],
  ['spamTagged', 'Spams detected (tagged)'],
  ['spamRejected', 'Spams detected (rejected)'],
  ['markedSpamByUsers', 'Messages marked by users as spam'],
  ['markedHamByUsers', 'Messages marked by users as not spam'],
  ['attachmentsChecked', 'Attachments checked'],
  ['virusesFound', 'Viruses found'],
  ['prohibitedFound', 'Prohibited filenames / MIME types found'],
];

const ZERO: SpamCounters = new SpamStatistics().snapshot();

/** `mailyard-server spam-statistics`: prints `Label: N` lines; throws a StartupError when it fails. */
export async function runSpamStatisticsCommand(
  args: readonly string[],
  print: (line: string) => void,
): Promise<void> {
  const values = parseSubcommandArguments(
    args,
    { data: { type: 'string' }, reset: { type: 'boolean' }, help: { type: 'boolean' } },
    SPAM_STATISTICS_USAGE,
  );
  if (values.help) {
    print(SPAM_STATISTICS_USAGE);
    return;
  }
  const reset = values.reset === true;
  const data = new DataDirectory(values.data ?? './data');
  const config = await data.loadConfig(() => undefined);
  const store = data.store(config);
  const file = statisticsFile(join(store, 'spam'));
  const antivirusFile = antivirusStatisticsFile(join(store, 'spam'));
  const show = (counters: Readonly<Partial<Record<keyof Counters, number>>>) => {
    for (const [key, label] of LABELS) print(`${label}: ${counters[key] ?? 0}`);
    if (reset) print('The counters were reset.');
  };
  const owner = await storeLockOwner(store);
  if (owner?.program === 'mailyard-server') {
    // The running server holds the counters: it writes the file after each message.
    let reply;
    try {
      reply = await sendControl(data.root, { command: 'spam-statistics', reset });
    } catch (error) {
      throw new StartupError(
        `the server (process ${owner.pid}) holds the store but does not answer on its control socket: ${(error as Error).message}`,
      );
    }
    if (!reply.ok) throw new StartupError(`the server could not answer: ${reply.error}`);
    show('statistics' in reply ? reply.statistics : {});
    return;
  }
  const read = async (): Promise<Counters> => {
    const cannot = (path: string) => (error: unknown) => {
      throw new StartupError(`cannot read ${path}: ${(error as Error).message}`);
    };
    const spam = await readStatistics(file).catch(cannot(file));
    const antivirus = await readAntivirusStatistics(antivirusFile).catch(cannot(antivirusFile));
    return { ...(spam ?? ZERO), ...(antivirus ?? NO_ANTIVIRUS_COUNTS) };
  };
  if (!reset) {
    show(await read());
    return;
  }
  // Stopped: take the store for the time of the reset, so that no server starts meanwhile.
  const release = await lockStore(store, 'mailyard-server-spam-statistics').catch(
    (error: unknown) => {
      throw new StartupError((error as Error).message);
    },
  );
  try {
    const counters = await read();
    for (const [path, zero] of [
      [file, ZERO],
      [antivirusFile, NO_ANTIVIRUS_COUNTS],
    ] as const)
      await writeFileAtomically(path, JSON.stringify(zero)).catch((error: unknown) => {
        throw new StartupError(`cannot reset ${path}: ${(error as Error).message}`);
      });
    show(counters);
  } finally {
    await release();
  }
}
