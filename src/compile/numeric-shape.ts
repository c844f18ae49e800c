// The numeric shape both float compilers (the fast JavaScript path and the JSON Logic export)
// give a number: a scaled integer m = v·10^scale, exact while |m| < 2^53, with a denominator
// made of 2s and 5s (which terminates, adding decimals) or other factors (which never
// terminate). What a literal's scale is, which divisors terminate and after how many
// decimals, and which second arguments of a rounding function name a number of decimals, is
// decided here once, so the two compilers can't disagree.
import { Decimal } from '../decimal.ts';
import { splitTwosFives } from '../rational.ts';
import type { RoundingSpec } from '../functions/builtins.ts';

/** Integers below this magnitude are exact doubles, and so are their sums, products and comparisons. */
export const EXACT_LIMIT = new Decimal(2).pow(53);
/** The largest integer |m| a scaled integer may hold. */
export const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/**
 * A `number` input without a range of its own: below 10^9 with at most 6 decimals, a JSON
 * number has at most 15 significant digits, which a double holds exactly; 10^9·10^6 < 2^53.
 * The fast path reads inputs within it, and the JSON Logic export tries it first.
 */
export const NUMBER_INPUT = { maximum: 1e9, decimals: 6 } as const;

const TEN = new Decimal(10);
/** 10^n as an exact number, for any whole n (10^-2 is 0.01). */
export const pow10 = (n: number): Decimal => TEN.pow(n);

/** The scale of a literal: its decimals (a whole number has scale 0). */
export function scaleOf(d: Decimal): number {
  return Math.max(0, d.decimalPlaces());
}

/** A whole number as 2^twos · 5^fives · rest. */
export function splitDenominator(whole: Decimal | number): { twos: number; fives: number; rest: Decimal } {
  const d = new Decimal(whole).abs();
  if (d.isZero() || !d.isInteger()) return { twos: 0, fives: 0, rest: d };
  const { twos, fives, rest } = splitTwosFives(d.n);
  return { twos, fives, rest: new Decimal(rest) };
}

/** The decimals of 1/den for a den of 2s and 5s only (max of the two powers); undefined for any other number. */
export function terminatingDecimals(den: Decimal | number): number | undefined {
  const d = new Decimal(den);
  if (!d.isInteger() || d.lte(0)) return undefined;
  const { twos, fives, rest } = splitDenominator(d);
  return rest.eq(1) ? Math.max(twos, fives) : undefined;
}

/**
 * The decimals a rounding call rounds to, given its second argument (undefined when there is
 * none: 0 decimals; null when it isn't a constant):
 * digits must be whole, a significance a power of ten (0.01 is 2 decimals, 100 is -2), and
 * either within `range`. A string is the reason it isn't.
 */
export function roundingDigits(spec: RoundingSpec, second: Decimal | null | undefined, range: { min: number; max: number }): number | string {
  if (second === undefined) return 0;
  if (spec.second === 'none') return 'it takes no second argument';
  if (spec.second === 'significance') {
    const d = second?.gt(0) ? 0 - Math.round(Math.log10(second.toNumber())) : NaN;
    if (!Number.isInteger(d) || d < range.min || d > range.max || !second || !pow10(-d).eq(second)) return 'the significance must be a constant power of ten (1, 0.01, 100)';
    return d;
  }
  if (!second || !second.isInteger() || second.lt(range.min) || second.gt(range.max)) return `the digits must be a whole constant from ${range.min} to ${range.max}`;
  return second.toNumber();
}

/**
 * How a scaled integer at `scale` decimals is rounded to `digits` decimals: multiplied by
 * 10^raise first (when it has fewer decimals), then divided by 10^lower with rounding, giving
 * `scale` decimals; for negative digits (ROUND(x, -2)) the quotient is multiplied back by
 * `times`. Exact whenever the integers involved stay below 2^53.
 */
export function roundingPlan(scale: number, digits: number): { raise: number; lower: number; scale: number; times: number } {
  return { raise: Math.max(0, digits - scale), lower: Math.max(0, scale - digits), scale: Math.max(digits, 0), times: digits < 0 ? 10 ** -digits : 1 };
}
