/** Validates a count option (0 allowed where the caller says it means "off" or "unlimited"). */
export function countOption(name: string, value: number, minimum: 0 | 1): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(
      `${name} must be an integer of at least ${String(minimum)}, got ${String(value)}`,
    );
  }
  return value;
}

/** Validates a duration option in milliseconds: finite and positive. */
export function durationOption(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** How many distinct keys a counter remembers unless told otherwise. */
export const DEFAULT_MAX_TRACKED = 100_000;
