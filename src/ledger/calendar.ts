// Account-local calendar arithmetic: "today", "this month" and "the end of the day" are
// instants that depend on the account's time zone (or the zone the pack declares).

export type Period = 'day' | 'month' | 'all';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

interface Wall { year: number; month: number; day: number; hour: number; minute: number; second: number }

function wallTime(at: number, zone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The local date at `at` as the UTC midnight of that date, to compare dates as numbers. */
function dateNumber(at: number, zone: string): number {
  const w = wallTime(at, zone);
  return Date.UTC(w.year, w.month - 1, w.day);
}

const DAY_MS = 86_400_000;

/**
 * The start of a local day (month and day may overflow): the first instant whose local date is
 * that day. That is local midnight, unless the clocks skip midnight (a DST change at 00:00, as
 * in America/Santiago or America/Havana), when the day starts at the change, e.g. at 01:00.
 */
function instantOf(year: number, month: number, day: number, zone: string): number {
  const asUtc = Date.UTC(year, month - 1, day);
  let guess = asUtc;
  // Two rounds settle the offset even across a DST change.
  for (let i = 0; i < 2; i++) {
    const w = wallTime(guess, zone);
    const offset = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(guess / 1000) * 1000;
    guess = asUtc - offset;
  }
  const onDay = (at: number) => dateNumber(at, zone) >= asUtc;
  if (onDay(guess) && !onDay(guess - 1)) return guess; // midnight exists: the usual case
  // Otherwise the first instant on the day lies within a day of the guess, forward when the
  // guess fell on the day before (midnight skipped), backward when it overshot. Local dates
  // only move forward here, so a bounded binary search finds it to the millisecond.
  let lo = onDay(guess) ? guess - DAY_MS : guess; // not on the day
  let hi = onDay(guess) ? guess : guess + DAY_MS; // on the day
  if (onDay(lo) || !onDay(hi)) return guess; // no such bracket: keep the estimate
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (onDay(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** `YYYY-MM-DD` of the local day that contains `at`. */
export function localDay(at: number, zone: string): string {
  const w = wallTime(at, zone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** Per zone, the local day last asked for, [start, end): every charge asks for its day, and
 *  finding one costs a dozen calls into Intl. A time in it has its date (dates only move forward). */
const lastDay = new Map<string, { start: number; end: number }>();

function dayAround(at: number, zone: string): { start: number; end: number } {
  const known = lastDay.get(zone);
  if (known && at >= known.start && at < known.end) return known;
  const w = wallTime(at, zone);
  const day = { start: instantOf(w.year, w.month, w.day, zone), end: instantOf(w.year, w.month, w.day + 1, zone) };
  lastDay.set(zone, day);
  return day;
}

export function startOfDay(at: number, zone: string): number {
  return dayAround(at, zone).start;
}

export function endOfDay(at: number, zone: string): number {
  return dayAround(at, zone).end;
}

export function startOfMonth(at: number, zone: string): number {
  const w = wallTime(at, zone);
  return instantOf(w.year, w.month, 1, zone);
}

export function startOfPeriod(at: number, period: Period, zone: string): number {
  switch (period) {
    case 'day': return startOfDay(at, zone);
    case 'month': return startOfMonth(at, zone);
    case 'all': return 0;
  }
}

/** The same local date `months` later, clamped to the month's last day (Jan 31 + 1 → Feb 28). */
export function addMonths(at: number, months: number, zone: string): number {
  const w = wallTime(at, zone);
  const lastDay = new Date(Date.UTC(w.year, w.month - 1 + months + 1, 0)).getUTCDate();
  const midnight = instantOf(w.year, w.month + months, Math.min(w.day, lastDay), zone);
  return midnight + (at - instantOf(w.year, w.month, w.day, zone));
}

export function addDays(at: number, days: number): number {
  return at + days * 86_400_000;
}

/** Whole months from `start` to `at` (0 in the first month), counted on the zone's calendar. */
export function monthsBetween(start: number, at: number, zone: string): number {
  let months = 0;
  while (months < 1200 && addMonths(start, months + 1, zone) <= at) months++;
  return months;
}
