/**
 * An `offsetMinutes` function for `TimeRange` from an IANA time zone name, using the runtime's
 * time zone database (Intl), so daylight saving changes are followed. Throws a RangeError for an
 * unknown zone. Pure: it reads no clock, only the instant it is given.
 */
export function timeZoneOffset(timeZone: string): (utcMillis: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (utcMillis) => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(utcMillis)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    // Seconds are compared, milliseconds dropped: zone offsets are whole minutes since 1972.
    return Math.round((wall - Math.floor(utcMillis / 1000) * 1000) / 60_000);
  };
}
