// The numeric shape both float compilers share (src/compile/numeric-shape.ts).
import { describe, expect, it } from 'vitest';
import {
  addShape, common, decidedComparison, divideByConstantShape, fitsExactly, inputShape, literalShape, multiplyShape, NotExact, plainShape,
  roundingPlan, roundShape, splitDenominator, terminatingDecimals,
} from '../../src/compile/numeric-shape.ts';
import { Decimal } from '../../src/decimal.ts';
import { roundingDigits } from '../../src/functions/builtins.ts';

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

  const d = (x: string | number) => new Decimal(x);
  const price = inputShape({ min: d(0), max: d(100000) }, 6, 1e9);

  it('keeps a quotient by a constant over its denominator, whole tens in the scale: price / 30 is m over 3 at one more decimal', () => {
    const q = divideByConstantShape(price, d(30));
    expect({ scale: q.shape.scale, den: q.shape.den, times: q.times, negate: q.negate }).toEqual({ scale: 7, den: 3, times: 1, negate: false });
    expect([q.shape.lo.toFixed(), q.shape.hi.toFixed(4)]).toEqual(['0', '3333.3333']);
    expect(divideByConstantShape(price, d('-0.5'))).toMatchObject({ shape: { scale: 6, den: 5 }, times: 10, negate: true });
    expect(divideByConstantShape(literalShape(d(1)), d(3)).shape).toMatchObject({ scale: 0, den: 3, constant: d(1).div(3) });
  });

  it('multiplies scales and denominators, adds on the least common denominator', () => {
    const days = inputShape({ min: d(0), max: d(31) }, 0, 1e9);
    const perDay = divideByConstantShape(price, d(30)).shape;
    const product = multiplyShape(perDay, days);
    expect({ scale: product.scale, den: product.den, hi: product.hi.toFixed(2) }).toEqual({ scale: 7, den: 3, hi: '103333.33' });
    expect(fitsExactly(product)).toBe(true);
    const sixths = divideByConstantShape(days, d(6)).shape;
    expect(common([perDay, sixths])).toEqual({ scale: 7, den: 6, factors: [2, 10_000_000] });
    expect(addShape(perDay, sixths, '+').shape).toMatchObject({ scale: 7, den: 6 });
  });

  it('rounds a quotient exactly: CEIL(price / 30 * days) divides m by 10^7 · 3', () => {
    const days = inputShape({ min: d(0), max: d(31) }, 0, 1e9);
    const plan = roundShape(multiplyShape(divideByConstantShape(price, d(30)).shape, days), 0, 'ceil');
    expect(plan).toMatchObject({ identity: false, raise: 1, divisor: 30_000_000, times: 1, shape: { scale: 0, den: 1 } });
    expect(roundShape(days, 0, 'ceil').identity).toBe(true);
    expect(roundShape(price, -2, 'round')).toMatchObject({ divisor: 100_000_000, times: 100, shape: { scale: 0 } });
  });

  it('makes a denominator of 2s and 5s decimals, and refuses one that may not terminate unless divided out at run time', () => {
    const eighths = divideByConstantShape(price, d(8)).shape;
    expect(plainShape(eighths, false)).toMatchObject({ shape: { scale: 9, den: 1 }, divide: 1, times: 125 });
    const thirds = divideByConstantShape(price, d(3)).shape;
    expect(() => plainShape(thirds, false)).toThrow(NotExact);
    expect(plainShape(thirds, true)).toMatchObject({ shape: { scale: 6, den: 1 }, divide: 3, times: 1 });
    expect(() => literalShape(d(1).div(3))).toThrow(/doesn't terminate/);
  });

  it('decides comparisons the bounds settle, for both compilers', () => {
    const x = inputShape({ min: d(0), max: d(10) }, 0, 1e9);
    const zero = literalShape(d(0));
    expect(decidedComparison(x, '>=', zero)).toBe(true);
    expect(decidedComparison(x, '<', zero)).toBe(false);
    expect(decidedComparison(x, '>', zero)).toBeUndefined();
    expect(decidedComparison(literalShape(d(2)), '==', literalShape(d('2.0')))).toBe(true);
  });
});
