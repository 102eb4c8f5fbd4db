/**
 * Unix seconds → `YYYY-MM-DDTHH:MM:SSZ` with integer arithmetic: no `Date`
 * per call, and no exception for values `Date` cannot hold. Internal; the
 * public entry is `toIsoSeconds` in transform.ts.
 *
 * @module
 */

/** `0000-01-01T00:00:00Z`, the first second with a four-digit ISO-8601 year. */
export const MIN_ISO_SECONDS = -62167219200;
/** `10000-01-01T00:00:00Z`, the first second past `9999-12-31T23:59:59Z`. */
export const END_ISO_SECONDS = 253402300800;

/** True when `seconds` (finite) formats as `YYYY-…` with a four-digit year 0000–9999. */
export const isIsoRange = (seconds: number): boolean =>
  seconds >= MIN_ISO_SECONDS && seconds < END_ISO_SECONDS;

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

// A snapshot's vectors mostly share a handful of seconds, all on one day: cache the last of each.
let lastSecond = Number.NaN;
let lastIso = '';
let lastDay = Number.NaN;
let lastDatePrefix = '';

/** `YYYY-MM-DDT` of a day number (days since 1970-01-01), by Howard Hinnant's `civil_from_days`. */
function datePrefix(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097; // [0, 146096]
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  ); // [0, 399]
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100)); // from 1 March
  const mp = Math.floor((5 * dayOfYear + 2) / 153); // [0, 11], March first
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const century = Math.floor(year / 100);
  return `${TWO_DIGITS[century]}${TWO_DIGITS[year - century * 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
}

/**
 * Format `seconds`, which the caller has checked with {@link isIsoRange}
 * (outside that range the result is meaningless, never an exception).
 * Fractions are floored, as `Date` does for the whole second.
 */
export function formatIsoSeconds(seconds: number): string {
  const whole = Math.floor(seconds);
  if (whole === lastSecond) return lastIso;
  const days = Math.floor(whole / 86400);
  if (days !== lastDay) {
    lastDatePrefix = datePrefix(days);
    lastDay = days;
  }
  let rest = whole - days * 86400; // [0, 86399]
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  lastIso = `${lastDatePrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[rest - minutes * 60]}Z`;
  lastSecond = whole;
  return lastIso;
}
