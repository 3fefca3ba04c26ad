#!/usr/bin/env node
// The `mailyard-spam` command (package.json's bin): esbuild keeps this line at the top of dist/cli.js.
import { runSpamCli } from './node/spam-cli.js';

process.exitCode = await runSpamCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
