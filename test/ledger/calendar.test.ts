// A local day's bounds, remembered per zone: whatever order times come in, the start is the
// first instant of the time's local date and the end the first instant of the next.
import { describe, expect, it } from 'vitest';
import { endOfDay, localDay, startOfDay } from '../../src/ledger/calendar.ts';
import { seededRandom } from '../../src/seeded-random.ts';

const zones = ['UTC', 'Europe/London', 'America/Santiago', 'America/Havana', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Apia'];
const from = Date.parse('2026-01-01T00:00:00Z');
const to = Date.parse('2027-01-01T00:00:00Z');

function expectDayBounds(at: number, zone: string): void {
  const day = localDay(at, zone);
  const start = startOfDay(at, zone);
  const end = endOfDay(at, zone);
  expect({ start: localDay(start, zone), beforeStart: localDay(start - 1, zone) < day, last: localDay(end - 1, zone), end: localDay(end, zone) > day }, `${new Date(at).toISOString()} ${zone}`)
    .toEqual({ start: day, beforeStart: true, last: day, end: true });
}

describe('local day bounds', () => {
  it.each(zones)('hold in %s for times in order, every 97 minutes of a year (DST changes included)', (zone) => {
    for (let at = from; at < to; at += 97 * 60_000) expectDayBounds(at, zone);
  });

  it('hold for times in any order, across zones', () => {
    const random = seededRandom(13);
    for (let i = 0; i < 3000; i++) {
      const zone = zones[Math.floor(random() * zones.length)]!;
      expectDayBounds(from + Math.floor(random() * (to - from)), zone);
    }
  });
});
