import { createServer } from 'node:net';
/** A TCP port on 127.0.0.1 that nobody listens on at the moment, for a peer to bind. */
export function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            const port = typeof address === 'object' && address ? address.port : 0;
            server.close(() => resolve(port));
        });
    });
}
/**
 * Starts a peer on ports from {@link freePort}, up to `attempts` times: a port is picked before the
 * peer binds it, and another process may win the race.
 */
export async function startOnFreePorts(start, attempts = 3) {
    let lastError;
    for (let attempt = 0; attempt < attempts; attempt++) {
        try {
            return await start();
        }
        catch (error) {
            lastError = error;
        }
    }
    throw lastError;
}
//# sourceMappingURL=free-port.js.map