#!/usr/bin/env node
// mailyard-sieve-test [-F] FILE...: runs Sieve testsuite files (sieve-testsuite.md); exit code 0
// only when every test of every file passed, 1 when one failed, 2 on a usage error.
import { runTestFile } from './testsuite/runner.js';

const args = process.argv.slice(2);
const expectFailure = args.includes('-F');
const files = args.filter((arg) => arg !== '-F');
if (files.length === 0 || files.some((file) => file.startsWith('-'))) {
  process.stderr.write('usage: mailyard-sieve-test [-F] FILE.svtest...\n');
  process.exit(2);
}
let allPassed = true;
for (const file of files) {
  const report = runTestFile(file, { expectFailure });
  for (const line of report.errorOutput) process.stderr.write(`${line}\n`);
  process.stdout.write(report.output.map((line) => `${line}\n`).join(''));
  if (!report.passed) allPassed = false;
}
process.exitCode = allPassed ? 0 : 1;
