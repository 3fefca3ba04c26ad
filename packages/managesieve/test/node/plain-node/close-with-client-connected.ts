// Run by close-settles.test.ts under plain node (through tsx, which adds no timers of its own):
// a client is connected and idle when the program awaits `server.close()`. Nothing else keeps
// the process alive, so a close() that waits on a timer which does not hold the event loop ends
// node with exit code 13 (a top-level await that never settled) before "closed" is printed.
import { connect } from 'node:net';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { MemorySieveScriptStore, createManageSieveServer } from '../../../src/index.js';

const server = createManageSieveServer({
  store: new MemorySieveScriptStore(),
  directory: new MemoryDirectory(),
  hostname: 'localhost',
  listeners: [{ name: 'sieve', port: 0 }],
});
const { port } = (await server.listen())[0]!;

const client = connect(port, '127.0.0.1');
let said = '';
client.on('data', (chunk: Buffer) => (said += chunk.toString()));
await new Promise((resolve) => client.once('data', resolve));
await server.close();
await new Promise((resolve) =>
  client.readableEnded ? resolve(null) : client.once('end', resolve),
);
console.log(said.split('\r\n').at(-2), 'closed');
