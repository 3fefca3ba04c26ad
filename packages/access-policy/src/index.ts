export {
  parseIpAddress,
  parseIpAddressExact,
  formatIpAddress,
  IPV4_MAPPED_PREFIX,
  type IpAddress,
  type IpFamily,
} from './ip-address.js';
export { normalizeIpKey } from './ip-key.js';
export { IpAddressGroups, type IpGroupItem } from './ip-address-group.js';
export { IpGroupError } from './ip-group-error.js';
export { IpIntervalSet, type IpInterval } from './ip-interval-set.js';
export { LOCAL_CLIENTS, LOCAL_CLIENTS_GROUP } from './local-clients.js';
export {
  TimeRange,
  WEEKDAYS,
  type TimeRangeItem,
  type TimeRangeOptions,
  type Weekday,
} from './time-range.js';
export { TimeRangeError } from './time-range-error.js';
export { timeZoneOffset } from './time-zone-offset.js';
export { systemClock, type PolicyClock } from './policy-clock.js';
export { DEFAULT_MAX_TRACKED } from './limit-option.js';
export {
  AuthLockout,
  DEFAULT_MAX_FAILURES,
  DEFAULT_UNLOCK_AFTER_MS,
  type LockoutOptions,
  type LockoutVerdict,
} from './auth-lockout.js';
export {
  AccountThrottle,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_FORGET_AFTER_MS,
  DEFAULT_FREE_ATTEMPTS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_MAX_WAIT_MS,
  type AccountThrottleOptions,
  type ThrottleVerdict,
} from './account-throttle.js';
export {
  KnownAddresses,
  DEFAULT_KNOWN_FOR_MS,
  type KnownAddressesOptions,
} from './known-addresses.js';
export {
  LoginGuard,
  type LoginGuardFailure,
  type LoginGuardOptions,
  type LoginGuardRefusal,
} from './login-guard.js';
export {
  RecentLogins,
  DEFAULT_RECENT_LOGIN_WINDOW_MS,
  type RecentLoginsOptions,
} from './recent-logins.js';
export { RateWindow, type RateWindowOptions } from './rate-window.js';
export { ConnectionTracker, type ConnectionTrackerOptions } from './connection-tracker.js';
export {
  HarvestGuard,
  DEFAULT_MAX_UNKNOWN,
  DEFAULT_HARVEST_BLOCK_MS,
  type HarvestGuardOptions,
  type HarvestVerdict,
} from './harvest-guard.js';
