/**
 * Brute-force protection shared with the other protocols (Kerio's account lockout: failed
 * logins from one IP lock that IP out of every service for a while). Structural, so an
 * application passes the `AuthLockout` of `@mailyard/access-policy`, or anything else with
 * these three methods; this package imports no policy.
 */
export interface LoginGuard {
  /** Whether the IP is locked out now: its logins are refused before credentials are checked. */
  isLocked(ip: string): boolean;
  /** A failed login from the IP; `justLocked` is true for exactly the failure that locked it. */
  recordFailure(ip: string): { readonly locked: boolean; readonly justLocked: boolean };
  /** A good login from the IP. */
  recordSuccess(ip: string): void;
}
