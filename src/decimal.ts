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
/** The most digits a formula value may have; well inside the working precision, so + - * stay exact. */
export const MAX_DIGITS = 400;

export function divide(a: Decimal, b: Decimal): Decimal {
  return new Decimal(Quotient.div(a, b));
}

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);

/** Plain decimal text, never exponent notation: `1e-7` prints as `0.0000001`; zero is `0`, never `-0`. */
export function decimalText(d: Decimal): string {
  return d.isZero() ? '0' : d.toFixed();
}

/** Zero without a sign: decimal.js keeps -0 (from CEIL(-0.4), 0 * -5), prices never do. */
export function unsignedZero(d: Decimal): Decimal {
  return d.isZero() && d.isNegative() ? ZERO : d;
}

const DECIMAL_TEXT = /^-?(\d+(\.\d+)?|\.\d+)$/;

/** Parses user-supplied decimal text strictly (no exponents, no spaces, no hex). */
export function parseDecimalText(text: string): Decimal | undefined {
  return DECIMAL_TEXT.test(text) ? new Decimal(text) : undefined;
}

/** Significant digits every JSON number of at most this many digits keeps exactly through a double. */
export const JSON_NUMBER_DIGITS = 15;

/**
 * A JSON number as the decimal its text denotes: JSON `0.1` is the decimal 0.1, not the
 * binary double nearest to it. JavaScript's shortest round-trip formatting gives back
 * exactly the digits that were written for any number of up to 15 significant digits;
 * one that comes back longer (or an integer past 2^53) may have lost digits in JSON.parse,
 * so it is refused (undefined) rather than guessed — such amounts go as decimal strings.
 */
export function decimalFromJsonNumber(n: number): Decimal | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return undefined;
  const d = new Decimal(String(n));
  return d.precision(true) > JSON_NUMBER_DIGITS && !Number.isSafeInteger(n) ? undefined : d;
}

const WORD = 1e7; // decimal.js keeps digits in base-1e7 words, aligned on the decimal point
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

function digitCount(n: number): number {
  let k = 1;
  while (k < 16 && n >= POW10[k]!) k++;
  return k;
}

/**
 * The decimal m / 10^s for a safe integer m, built without parsing text: the fast path
 * produces millions of these a second, and decimal.js parses text slowly. It fills
 * decimal.js's representation (sign s, exponent e, base-1e7 words d aligned on the
 * decimal point, no leading or trailing zero words) the way its own parser does; a
 * self-check below falls back to parsing should a future decimal.js differ.
 */
function buildScaled(m: number, s: number): Decimal {
  if (s === 0 || m === 0) return new Decimal(m);
  if (s > 14) return parseScaled(m, s);
  const a = m < 0 ? -m : m;
  const p = POW10[s]!;
  let int = Math.floor(a / p);
  let frac = a - int * p;
  if (frac < 0) { int -= 1; frac += p; } else if (frac >= p) { int += 1; frac -= p; }
  const fracWords = s > 7 ? 2 : 1;
  const f = frac * POW10[7 * fracWords - s]!;
  const d: number[] = [];
  let e: number;
  if (int > 0) {
    e = digitCount(int) - 1;
    const w2 = int % WORD;
    const rest = (int - w2) / WORD;
    const w1 = rest % WORD;
    const w0 = (rest - w1) / WORD;
    if (w0) d.push(w0, w1, w2);
    else if (w1) d.push(w1, w2);
    else d.push(w2);
    if (fracWords === 2) {
      const f0 = Math.floor(f / WORD);
      d.push(f0, f - f0 * WORD);
    } else d.push(f);
  } else {
    e = digitCount(frac) - s - 1;
    if (fracWords === 2) {
      const f0 = Math.floor(f / WORD);
      if (f0) d.push(f0);
      d.push(f - f0 * WORD);
    } else d.push(f);
  }
  while (d.length > 1 && d[d.length - 1] === 0) d.pop();
  return new (Scaled as unknown as new (s: number, e: number, d: number[]) => Decimal)(m < 0 ? -1 : 1, e, d);
}

/** Makes Decimal instances (same prototype, same fields in the same order as decimal.js sets them). */
function Scaled(this: { constructor: unknown; s: number; e: number; d: number[] }, s: number, e: number, d: number[]): void {
  this.constructor = Decimal;
  this.s = s;
  this.e = e;
  this.d = d;
}
Scaled.prototype = Decimal.prototype;

function parseScaled(m: number, s: number): Decimal {
  return new Decimal(m).div(new Decimal(10).pow(s));
}

function buildScaledWorks(): boolean {
  const samples: [number, number][] = [[13445, 1], [-5, 3], [1, 14], [9007199254740991, 7], [120, 2], [-1234567890123, 4], [7, 1],
    [10000000, 7], [123456789, 9], [100000005, 1], [5, 8], [1000000000000001, 14], [90071992547409, 3], [12, 9]];
  return samples.every(([m, s]) => {
    const a = buildScaled(m, s);
    const b = parseScaled(m, s);
    return a.eq(b) && a.toFixed() === b.toFixed() && a.plus(1).eq(b.plus(1)) && a.times(3).eq(b.times(3));
  });
}

export const fromScaled: (m: number, s: number) => Decimal = buildScaledWorks() ? buildScaled : parseScaled;
