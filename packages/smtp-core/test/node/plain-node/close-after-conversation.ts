// Run by close-settles.test.ts under plain node (through tsx, which adds no timers of its own):
// a server, one client that talks and leaves, then `await server.close()`. Nothing else is
// left to keep the process alive, so if close() waits on a timer that does not hold the event
// loop, node ends with exit code 13 (an unsettled top-level await) before "closed" is printed.
import { connect } from 'node:net';
import { createSmtpServer } from '../../../src/index.js';

const server = createSmtpServer({
  hostname: 'mx.example.com',
  listeners: [{ name: 'smtp', port: 0 }],
});
const { port } = (await server.listen())[0]!;

const client = connect(port, '127.0.0.1');
let reply = '';
client.on('data', (chunk: Buffer) => {
  reply += chunk.toString();
  if (reply.startsWith('220 ') && !reply.includes('221 ')) client.write('QUIT\r\n');
});
await new Promise((resolve) => client.once('end', resolve));
// The client has read 221 and our end of the connection may not have closed yet: close() must
// wait for it by itself.
await server.close();
console.log('closed');
