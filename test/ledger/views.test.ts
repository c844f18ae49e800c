import { describe, expect, it } from 'vitest';
import { fromMinor } from '../../src/ledger/money.ts';
import { isoTime } from '../../src/ledger/views.ts';

describe('isoTime', () => {
  const times = [
    0, 1, 999, 86_399_999, 86_400_000, Date.parse('2000-02-29T23:59:59.999Z'), Date.parse('2100-03-01T00:00:00Z'),
    Date.parse('2026-03-10T12:00:00.123Z'), 253_402_300_799_999, 253_402_300_800_000, -1, -62_167_219_200_000,
  ];
  it.each(times)('writes %d as Date#toISOString does', (t) => {
    expect(isoTime(t)).toBe(new Date(t).toISOString());
  });

  it('agrees with Date#toISOString on 100,000 random times up to year 9999', () => {
    for (let i = 0; i < 100_000; i++) {
      const t = Math.floor(Math.random() * 253_402_300_800_000);
      if (isoTime(t) !== new Date(t).toISOString()) expect(isoTime(t), `time ${t}`).toBe(new Date(t).toISOString());
    }
  });
});

describe('fromMinor', () => {
  const cases: [bigint, number, string][] = [
    [0n, 2, '0'], [5n, 2, '0.05'], [-5n, 2, '-0.05'], [1250n, 2, '12.5'], [1200n, 2, '12'], [7n, 0, '7'],
    [-70n, 1, '-7'], [123_456_789_012_345_678_901_234_567_890n, 6, '123456789012345678901234.56789'],
  ];
  it.each(cases)('%s minor units at %d decimals are %s', (minor, decimals, want) => {
    expect(fromMinor(minor, decimals)).toBe(want);
  });
});
