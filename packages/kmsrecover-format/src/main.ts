#!/usr/bin/env node
import { runKmsrecover } from './kmsrecover.js';

// The kmsrecover command (bin/kmsrecover.js runs this file).
process.exitCode = await runKmsrecover(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
