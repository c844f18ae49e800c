// Exact decimal arithmetic for every amount and formula value.
// + - * never round: the precision is far beyond any amount a pack can hold, so a result
// that needs rounding is a runaway formula, not a price. Only division can fail to
// terminate; it is rounded to 34 significant digits, half to even (IEEE 754 decimal128).
import { Decimal as DecimalJs } from 'decimal.js';

export const Decimal = DecimalJs.clone({
  precision: 500,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -1000,
  toExpPos: 1000,
  maxE: 1000,
  minE: -1000,
  modulo: DecimalJs.ROUND_FLOOR, // MOD takes the divisor's sign, like spreadsheets
});
export type Decimal = DecimalJs;
export type Rounding = DecimalJs.Rounding;

const Quotient = DecimalJs.clone({ precision: 34, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -1000, toExpPos: 1000 });

export const DIVISION_DIGITS = 34;

export function divide(a: Decimal, b: Decimal): Decimal {
  return new Decimal(Quotient.div(a, b));
}

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);

/** Plain decimal text, never exponent notation: `1e-7` prints as `0.0000001`. */
export function decimalText(d: Decimal): string {
  return d.toFixed();
}

const DECIMAL_TEXT = /^-?(\d+(\.\d+)?|\.\d+)$/;

/** Parses user-supplied decimal text strictly (no exponents, no spaces, no hex). */
export function parseDecimalText(text: string): Decimal | undefined {
  return DECIMAL_TEXT.test(text) ? new Decimal(text) : undefined;
}

/**
 * A JSON number as the decimal its text denotes: JSON `0.1` is the decimal 0.1, not the
 * binary double nearest to it. JavaScript's shortest round-trip formatting gives back
 * exactly the digits that were written, for any literal of up to 15 significant digits.
 */
export function decimalFromJsonNumber(n: number): Decimal | undefined {
  return Number.isFinite(n) ? new Decimal(String(n)) : undefined;
}
