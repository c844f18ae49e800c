// The number of formulas and amounts: an exact rational (src/rational.ts). It keeps the name
// Decimal, and decimal.js's method names, because amounts code throughout reads that way;
// every terminating value is held as a decimal, and + - * / never round.
import { MAX_NUMBER_DIGITS } from '../grammar/literals.ts';
import { Rational, type Rounding as RationalRounding } from './rational.ts';

export const Decimal = Rational;
export type Decimal = Rational;
export type Rounding = RationalRounding;

/**
 * The most digits a numerator or denominator may have, in a literal and in every result:
 * far beyond any price, so a formula that needs more is a runaway, stopped where it happens.
 */
export const MAX_DIGITS = MAX_NUMBER_DIGITS;

export const ZERO = new Decimal(0);

export { NOT_TERMINATING_MARK } from './rational.ts';

/**
 * A value for people and JSON: a terminating value exactly, in plain decimal text (never
 * exponent notation; `1e-7` is `0.0000001`, zero is `0`); one that doesn't terminate as
 * its first 20 significant digits (all of its whole part, if longer), cut, not rounded,
 * so every digit shown is a digit of the value, then `…`: 1/3 is `0.33333333333333333333…`.
 */
export function decimalText(d: Decimal): string {
  return d.toFixed();
}

const DECIMAL_TEXT = /^-?(\d+(\.\d+)?|\.\d+)$/;

/** Parses user-supplied decimal text strictly (no exponents, no spaces, no hex). */
export function parseDecimalText(text: string): Decimal | undefined {
  return DECIMAL_TEXT.test(text) ? new Decimal(text) : undefined;
}

/** Significant digits every decimal of at most this many digits keeps exactly through a double. */
export const JSON_NUMBER_DIGITS = 15;

/**
 * A JSON number as the decimal its text denotes: JSON `0.1` is the decimal 0.1, not the
 * binary double nearest to it. Without the text (JSON.parse has dropped it), the number's
 * shortest round-trip form (`String(n)`: `0.1`, `1e+21`) is the decimal taken. That form
 * is exactly what was written whenever the text had at most 15 significant digits, and any
 * safe integer is exact; a form of 16 or 17 digits beyond the safe integers may stand for
 * digits lost in parsing (12345678901234567890 reads back as 12345678901234567000), so it
 * is refused (undefined) rather than guessed — such amounts go as decimal strings.
 */
export function decimalFromJsonNumber(n: number): Decimal | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (Number.isSafeInteger(n)) return new Decimal(n);
  const text = String(n);
  const significant = text.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+|0+$/g, '').length;
  return significant > JSON_NUMBER_DIGITS ? undefined : new Decimal(text);
}

/** The decimal m / 10^s for a safe integer m: the fast path's results. */
export const fromScaled: (m: number, s: number) => Decimal = Rational.fromScaled;
