/** Sends SIGTERM to a peer the test started, and resolves once it has exited. */
export function stopChild(child) {
    if (child.exitCode !== null || child.signalCode !== null)
        return Promise.resolve();
    return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
    });
}
//# sourceMappingURL=stop-child.js.map