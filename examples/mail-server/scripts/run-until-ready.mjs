#!/usr/bin/env node
// Runs a command that starts the mail server (`npm start`, say), waits for its `ready` line,
// then stops it with SIGTERM: how CI checks that the README's start command works as written.
//
//   node examples/mail-server/scripts/run-until-ready.mjs [--timeout SECONDS] -- npm start
//
// Exits 0 once the command said `ready ...` and everything it started has ended after SIGTERM;
// 1 when it exits first, takes longer than the timeout to be ready, or does not stop.
import { spawn } from 'node:child_process';

const separator = process.argv.indexOf('--');
const options = separator < 0 ? [] : process.argv.slice(2, separator);
const command = separator < 0 ? [] : process.argv.slice(separator + 1);
const timeoutIndex = options.indexOf('--timeout');
const timeoutMs = (timeoutIndex < 0 ? 600 : Number(options[timeoutIndex + 1])) * 1000;
if (command.length === 0 || !(timeoutMs > 0)) {
  console.error('usage: run-until-ready.mjs [--timeout SECONDS] -- COMMAND [ARGUMENT...]');
  process.exit(2);
}

// Its own process group, so that SIGTERM reaches the server behind npm and sh too.
const child = spawn(command[0], command.slice(1), {
  detached: true,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const fail = (message) => {
  console.error(`run-until-ready: ${message}`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  process.exit(1);
};
const readyTimer = setTimeout(() => fail(`no ready line after ${timeoutMs / 1000} s`), timeoutMs);
let ready = false;
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
  if (ready || !/^ready( |$)/m.test(output)) return;
  ready = true;
  clearTimeout(readyTimer);
  process.kill(-child.pid, 'SIGTERM');
  setTimeout(() => fail('still running 60 s after SIGTERM'), 60_000).unref();
});
child.on('exit', (code, signal) => {
  if (!ready) fail(`the command ended (${code ?? signal}) before it was ready`);
  // Whatever the command started must end too (a server left behind would hold its ports):
  // wait until the whole group is gone.
  const check = () => {
    try {
      process.kill(-child.pid, 0);
      setTimeout(check, 100);
    } catch {
      console.error(`run-until-ready: ready, then stopped (${code ?? signal})`);
      process.exit(0);
    }
  };
  check();
});
