// The numeric shape both float compilers share (src/compile/numeric-shape.ts).
import { describe, expect, it } from 'vitest';
import { roundingDigits, roundingPlan, splitDenominator, terminatingDecimals } from '../../src/compile/numeric-shape.ts';
import { Decimal } from '../../src/decimal.ts';

describe('numeric shape', () => {
  it('splits a denominator into its 2s, 5s and the rest', () => {
    expect(splitDenominator(40)).toMatchObject({ twos: 3, fives: 1 });
    expect(splitDenominator(30).rest.toNumber()).toBe(3);
    expect(terminatingDecimals(1024 * 1024)).toBe(20);
    expect(terminatingDecimals(8)).toBe(3);
    expect(terminatingDecimals(30)).toBeUndefined();
    expect(terminatingDecimals(0)).toBeUndefined();
  });

  it('reads the second argument of a rounding function as decimals, within the range each compiler allows', () => {
    const digits = { mode: 'round', second: 'digits' } as const;
    const significance = { mode: 'ceil', second: 'significance' } as const;
    const range = { min: -20, max: 20 };
    expect(roundingDigits(digits, undefined, range)).toBe(0);
    expect(roundingDigits(digits, new Decimal(2), range)).toBe(2);
    expect(roundingDigits(digits, new Decimal(-2), range)).toBe(-2);
    expect(roundingDigits(digits, new Decimal(-2), { min: 0, max: 15 })).toMatch(/whole constant from 0 to 15/);
    expect(roundingDigits(digits, new Decimal('1.5'), range)).toMatch(/whole constant/);
    expect(roundingDigits(digits, null, range)).toMatch(/whole constant/);
    expect(roundingDigits(significance, new Decimal('0.01'), range)).toBe(2);
    expect(roundingDigits(significance, new Decimal(100), range)).toBe(-2);
    expect(roundingDigits(significance, new Decimal(1), range)).toBe(0);
    expect(roundingDigits(significance, new Decimal('0.05'), range)).toMatch(/power of ten/);
    expect(roundingDigits(significance, new Decimal(0), range)).toMatch(/power of ten/);
    expect(roundingDigits(significance, null, range)).toMatch(/power of ten/);
    expect(roundingDigits({ mode: 'floor', second: 'none' }, new Decimal(1), range)).toMatch(/no second argument/);
  });

  it('plans rounding a scaled integer', () => {
    expect(roundingPlan(6, 0)).toEqual({ raise: 0, lower: 6, scale: 0, times: 1 });
    expect(roundingPlan(0, 2)).toEqual({ raise: 2, lower: 0, scale: 2, times: 1 });
    expect(roundingPlan(2, -2)).toEqual({ raise: 0, lower: 4, scale: 0, times: 100 });
  });
});
