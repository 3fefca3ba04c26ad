// Run by close-settles.test.ts under plain node (through tsx, which adds no timers of its own):
// a client is connected and idle when the program awaits `server.close()`. Nothing else keeps
// the process alive, so a close() that waits on a timer which does not hold the event loop ends
// node with exit code 13 (a top-level await that never settled) before "closed" is printed.
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { closeWithClientConnected } from '@mailyard/test-kit';
import { MemorySieveScriptStore, createManageSieveServer } from '../../../src/index.js';

const said = await closeWithClientConnected(
  createManageSieveServer({
    store: new MemorySieveScriptStore(),
    directory: new MemoryDirectory(),
    hostname: 'localhost',
    listeners: [{ name: 'sieve', port: 0 }],
  }),
);
console.log(said.split('\r\n').at(-2), 'closed');
