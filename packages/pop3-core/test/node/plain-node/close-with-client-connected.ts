// Run by close-settles.test.ts under plain node (through tsx, which adds no timers of its own):
// a client is connected and idle when the program awaits `server.close()`. Nothing else keeps
// the process alive, so a close() that waits on a timer which does not hold the event loop ends
// node with exit code 13 (a top-level await that never settled) before "closed" is printed.
import { MemoryDirectory, MemoryMailStore } from '@mailyard/mailstore-interface';
import { closeWithClientConnected } from '@mailyard/test-kit';
import { createPop3Server } from '../../../src/index.js';

const said = await closeWithClientConnected(
  createPop3Server({
    store: new MemoryMailStore(),
    directory: new MemoryDirectory(),
    hostname: 'localhost',
    listeners: [{ name: 'pop3', port: 0 }],
  }),
);
console.log(said.split('\r\n').at(-2)?.split(' ')[0], 'closed');
