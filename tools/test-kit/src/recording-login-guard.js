/**
 * A login guard for the engines' own tests, in the shape of `@mailyard/sasl`'s `LoginGuard`:
 * it locks an address after `addressLimit` failures, refuses the logins it is told to, and
 * writes down every call, so that a test sees what the engine asked and reported, and in which
 * order. (The real guard, `@mailyard/access-policy`'s, has tests of its own, and the example
 * server runs it end to end.)
 */
export class RecordingLoginGuard {
    options;
    calls = [];
    failures = new Map();
    constructor(options = {}) {
        this.options = options;
    }
    checkAddress(ip) {
        const limit = this.options.addressLimit;
        if (limit === undefined || (this.failures.get(ip) ?? 0) < limit)
            return null;
        return { reason: 'address-locked', retryAfterMs: 60_000 };
    }
    async admit(ip, login) {
        this.calls.push(`admit ${ip} ${login}`);
        return this.checkAddress(ip) ?? this.options.refuse?.[login] ?? null;
    }
    async recordFailure(ip, login) {
        this.calls.push(`failure ${ip} ${login ?? '-'}`);
        const count = (this.failures.get(ip) ?? 0) + 1;
        this.failures.set(ip, count);
        return { justLocked: count === this.options.addressLimit, accountJustLocked: false };
    }
    async recordSuccess(ip, login) {
        this.calls.push(`success ${ip} ${login}`);
        this.failures.delete(ip);
    }
}
//# sourceMappingURL=recording-login-guard.js.map