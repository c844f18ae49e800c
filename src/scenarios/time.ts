// A scenario's virtual clock and how its steps write time: `advance: 31 days`, `to: 2026-12-01T00:00`.

/** The scenario's "now" in epoch ms, moved only by its steps: a scenario never reads the wall clock. */
export class VirtualClock {
  constructor(public ms: number) {}
  readonly now = (): number => this.ms;
}

const UNIT_MS: Record<string, number> = {
  second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000,
};

const ALIASES: Record<string, string> = { s: 'second', sec: 'second', min: 'minute', m: 'minute', h: 'hour', hr: 'hour', d: 'day', w: 'week' };

export const DURATION_HINT = 'write a whole number and a unit, like 31 days, 12 hours, 90 minutes, 30 seconds or 2 weeks (parts may be combined: 1 day 6 hours)';

export const UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks'];

/**
 * `31 days`, `1 day 6 hours`, `90 seconds` as milliseconds; a string saying what is wrong otherwise.
 * Months and years are refused: their length depends on the date (use `to:` instead).
 */

export function parseDuration(text: string): number | { problem: string; hint: string; unit?: string } {
  const parts = text.trim().split(/\s*(?:,|\band\b)\s*|\s+(?=\d)/).filter((p) => p !== '');
  if (!parts.length) return { problem: 'an empty duration', hint: DURATION_HINT };
  let ms = 0;
  for (const part of parts) {
    const m = /^(\d+)\s*([a-z]+)$/i.exec(part);
    if (!m) return { problem: `'${part}' is not a number and a unit`, hint: /^\d+$/.test(part) ? `give its unit: ${part} days, ${part} hours, …` : DURATION_HINT };
    const written = m[2]!.toLowerCase();
    const unit = UNIT_MS[written] || ALIASES[written] ? written : written.replace(/s$/, '');
    if (unit === 'month' || unit === 'year') {
      return { problem: `a ${unit} has no fixed length`, hint: `move to a date instead, like to: 2026-02-01T00:00, or give days (${unit === 'month' ? '31' : '365'} days)` };
    }
    const size = UNIT_MS[unit] ?? UNIT_MS[ALIASES[unit] ?? ''];
    if (size === undefined) return { problem: `unknown unit '${m[2]}'`, hint: DURATION_HINT, unit: m[2] };
    ms += Number(m[1]) * size;
  }
  if (ms === 0) return { problem: 'a duration of 0', hint: 'advance by at least a second, or remove the step' };
  return ms;
}

export const TIME_HINT = 'write a date and time, like 2026-12-01T00:00 (UTC) or 2026-12-01T09:00:00+09:00';

/**
 * An ISO 8601 date or time as epoch ms. Without a zone it is UTC (`2026-12-01T00:00`), and a
 * date alone is its midnight UTC. A date not on the calendar (2026-02-30) is refused.
 */
export function parseTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const day = new Date(Date.UTC(+y!, +mo! - 1, +d!));
  if (day.getUTCFullYear() !== +y! || day.getUTCMonth() !== +mo! - 1 || day.getUTCDate() !== +d!) return undefined;
  if (+h > 23 || +mi > 59 || +s > 59) return undefined;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}
