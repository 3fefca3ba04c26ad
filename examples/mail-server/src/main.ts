import { runBackupCommand } from './backup-command.js';
import { USAGE, parseCommandLine } from './command-line.js';
import { startMailServer } from './mail-server.js';
import { runSpamStatisticsCommand } from './spam-statistics-command.js';
import { stopOnSignals } from './shutdown.js';
import { StartupError } from './startup-error.js';

/**
 * `mailyard-server`: parses the command line, starts the server, and says `ready` on stdout
 * once every listener is up. Everything else the program has to say goes to stderr, so that a
 * script can wait for that one line.
 */
async function main(args: readonly string[]): Promise<void> {
  if (args[0] === 'backup') {
    await runBackupCommand(args.slice(1), (line) => process.stdout.write(`${line}\n`));
    return;
  }
  if (args[0] === 'spam-statistics') {
    await runSpamStatisticsCommand(args.slice(1), (line) => process.stdout.write(`${line}\n`));
    return;
  }
  const commandLine = parseCommandLine(args);
  if (commandLine.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const server = await startMailServer({ ...commandLine, warn: say });
  if (server.generatedAccounts.length > 0) {
    say(`first run: created ${server.generatedAccounts.length} users; their passwords:`);
    for (const { address, password } of server.generatedAccounts) {
      say(`  ${address}  ${password}`);
    }
  }
  stopOnSignals(server.stop, { boundMs: server.shutdownBoundMs, say });
  const ports = server.ports.map(({ name, port }) => `${name}=${port}`);
  process.stdout.write(`ready ${ports.join(' ')}\n`);
}

function say(message: string): void {
  process.stderr.write(`mailyard-server: ${message}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // A StartupError is for the person at the terminal; anything else is a bug, with its stack.
  say(error instanceof StartupError ? error.message : String((error as Error).stack ?? error));
  process.exit(1);
});
