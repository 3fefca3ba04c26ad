import { connect } from 'node:net';
/**
 * Resolves once a server on the port answers with a greeting that starts with `prefix`; rejects
 * when the server's process exits first, or after 15 s.
 */
export async function waitForGreeting(port, exited, prefix) {
    let gone = false;
    void exited.then(() => (gone = true));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
        if (gone)
            throw new Error('the server exited');
        const greeted = await new Promise((resolve) => {
            const socket = connect(port, '127.0.0.1');
            socket.setTimeout(2000, () => socket.destroy());
            socket.once('data', (chunk) => {
                socket.destroy();
                resolve(chunk.toString().startsWith(prefix));
            });
            socket.once('error', () => resolve(false));
            socket.once('close', () => resolve(false));
        });
        if (greeted)
            return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no greeting within 15 s');
}
//# sourceMappingURL=wait-for-greeting.js.map