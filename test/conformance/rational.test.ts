// The exact rational behind every formula value: canonical forms (equal values, equal text),
// parsing, rounding modes and the text shown for a value that doesn't terminate.
import { describe, expect, test } from 'vitest';
import { Rational } from '../../src/rational.ts';

const r = (x: string | number) => new Rational(x);
const q = (n: number, d: number) => Rational.fraction(BigInt(n), BigInt(d));

describe('Rational', () => {
  test.for([
    ['1.50', '1.5'], ['-0.0', '0'], ['1e21', '1000000000000000000000'], ['2.5E-2', '0.025'], ['.5', '0.5'],
    ['1e+3', '1000'], ['-12.3400e1', '-123.4'], ['0.0000001', '0.0000001'],
  ] as const)('%s is read as %s', ([text, shown]) => {
    expect(r(text).toFixed()).toBe(shown);
  });

  test('text that is not a number, or whose exponent would expand without end, is refused', () => {
    for (const bad of ['', '.', '1.2.3', '0x10', '1e', 'e5', '1e999999']) expect(() => r(bad), bad).toThrow();
  });

  test('equal values have equal fields, whichever way they were made', () => {
    const ways = [r('0.5'), q(1, 2), q(-3, -6), r(1).div(2), r('0.25').times(2), r('1.5').minus(1), q(1, 3).plus(q(1, 6))];
    for (const w of ways) expect([w.n, w.d, w.scale]).toEqual([5n, 10n, 1]);
    expect([q(2, 6).n, q(2, 6).d, q(2, 6).scale]).toEqual([1n, 3n, -1]);
    expect(q(1, 3).times(3).eq(1)).toBe(true);
  });

  test('a value shows exactly when it terminates, else its first 20 digits, cut, and …', () => {
    expect(q(1, 8).toFixed()).toBe('0.125');
    expect(q(1, 3).toFixed()).toBe('0.33333333333333333333…');
    expect(q(2, 3).toFixed()).toBe('0.66666666666666666666…');
    expect(q(-2, 3).toFixed()).toBe('-0.66666666666666666666…');
    expect(q(1, 300).toFixed()).toBe('0.0033333333333333333333…');
    expect(q(10 ** 15, 3).toFixed()).toBe('333333333333333.33333…');
    expect(r('1e30').div(3).toFixed()).toBe('333333333333333333333333333333…');
    expect(q(1, 3).toNumber()).toBe(1 / 3);
    expect(q(1, 3).toFractionText()).toBe('1/3');
    expect(r('1.5').toFractionText()).toBe('3/2');
  });

  test.for([
    ['ROUND_UP', Rational.ROUND_UP, ['3', '-3', '3']],
    ['ROUND_DOWN', Rational.ROUND_DOWN, ['2', '-2', '2']],
    ['ROUND_CEIL', Rational.ROUND_CEIL, ['3', '-2', '3']],
    ['ROUND_FLOOR', Rational.ROUND_FLOOR, ['2', '-3', '2']],
    ['ROUND_HALF_UP', Rational.ROUND_HALF_UP, ['3', '-3', '3']],
    ['ROUND_HALF_EVEN', Rational.ROUND_HALF_EVEN, ['2', '-2', '3']],
  ] as const)('%s rounds 5/2, -5/2 and 8/3 to %j', ([, mode, want]) => {
    expect([q(5, 2), q(-5, 2), q(8, 3)].map((x) => x.toDecimalPlaces(0, mode).toFixed())).toEqual(want);
  });

  test('rounding to tens and to decimals', () => {
    expect(r(1234).toDecimalPlaces(-2, Rational.ROUND_CEIL).toFixed()).toBe('1300');
    expect(q(2, 3).toDecimalPlaces(3, Rational.ROUND_HALF_UP).toFixed()).toBe('0.667');
    expect(q(2, 3).toFixed(2)).toBe('0.67');
    expect(r('1.5').toFixed(3)).toBe('1.500');
  });

  test('MOD keeps the divisor\'s sign; POWER is exact; comparisons cross-multiply', () => {
    expect([r(-7).mod(3), r(7).mod(-3), r('7.5').mod(2), q(-1, 3).mod(1)].map((x) => x.toFractionText())).toEqual(['2', '-2', '3/2', '2/3']);
    expect(r(2).pow(-3).toFixed()).toBe('0.125');
    expect(q(2, 3).pow(2).toFractionText()).toBe('4/9');
    expect(q(1, 3).cmp(r('0.3333333333333333333333333333333333'))).toBe(1);
    expect(q(1, 3).lt(q(1, 2))).toBe(true);
    expect(Rational.max(q(1, 3), '0.3', 0).toFractionText()).toBe('1/3');
  });

  test('fitsDigits bounds numerator and denominator', () => {
    expect(r(`1e399`).fitsDigits(400)).toBe(true);
    expect(r(`1e400`).fitsDigits(400)).toBe(false);
    expect(r(`1e-399`).fitsDigits(400)).toBe(true);
    expect(r(`1e-400`).fitsDigits(400)).toBe(false);
    expect(r(1).div(r(7).pow(473)).fitsDigits(400)).toBe(true);
    expect(r(1).div(r(7).pow(474)).fitsDigits(400)).toBe(false);
  });
});
