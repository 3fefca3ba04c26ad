/** A TCP port on 127.0.0.1 that nobody listens on at the moment, for a peer to bind. */
export declare function freePort(): Promise<number>;
/**
 * Starts a peer on ports from {@link freePort}, up to `attempts` times: a port is picked before the
 * peer binds it, and another process may win the race.
 */
export declare function startOnFreePorts<T>(start: () => Promise<T>, attempts?: number): Promise<T>;
