// Exact rational numbers: every formula value and amount. + - * / never round; rounding
// happens only where asked (toDecimalPlaces, CEIL/FLOOR/ROUND/TRUNC, the ledger's policy).
//
// A value is n / d with BigInts, d > 0, in one canonical form so that equal values have
// equal fields (and one text):
//   - terminating (most money): d = 10^scale, n not divisible by 10 unless scale = 0. Sums and
//     products of such values stay in this form by shifting digits, with no gcd;
//   - otherwise: gcd(n, d) = 1 and d has a prime factor other than 2 and 5 (scale = -1).
// The method names follow decimal.js, which this replaces, so amounts code reads the same.

export type RationalLike = Rational | string | number | bigint;

/** Significant digits shown of a value that doesn't terminate. */
export const DISPLAY_DIGITS = 20;
/** Follows the digits shown of a value that doesn't terminate: the digits go on. */
export const NOT_TERMINATING_MARK = '…';

/** Rounding modes, numbered as in decimal.js. */
export type Rounding = 0 | 1 | 2 | 3 | 4 | 5 | 6;

const POW10: bigint[] = [1n];
export function pow10(k: number): bigint {
  for (let i = POW10.length; i <= k; i++) POW10[i] = POW10[i - 1]! * 10n;
  return POW10[k]!;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** A whole d > 0 as 2^twos · 5^fives · rest: 1/d terminates, after max(twos, fives) decimals, when rest is 1. */
export function splitTwosFives(d: bigint): { twos: number; fives: number; rest: bigint } {
  let rest = d;
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) { rest /= 2n; twos++; }
  while (rest % 5n === 0n) { rest /= 5n; fives++; }
  return { twos, fives, rest };
}

/** n / d rounded to an integer in `mode` (d > 0). */
export function divideRounded(n: bigint, d: bigint, mode: Rounding): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  switch (mode) {
    case Rational.ROUND_UP: return away;
    case Rational.ROUND_DOWN: return q;
    case Rational.ROUND_CEIL: return n > 0n ? away : q;
    case Rational.ROUND_FLOOR: return n < 0n ? away : q;
    default: {
      const twice = abs(r) * 2n;
      if (twice > d) return away;
      if (twice < d) return q;
      if (mode === Rational.ROUND_HALF_UP) return away;
      if (mode === Rational.ROUND_HALF_DOWN) return q;
      return q % 2n === 0n ? q : away; // ROUND_HALF_EVEN
    }
  }
}

/** Far past any limit on digits, so text like `1e999999999` is refused before it is expanded. */
const MAX_EXPONENT = 100_000;
const NUMBER_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Decimal text (`-12.50`, `.5`, `1e21`, `2.5E-2`) as n / 10^scale; undefined if it isn't one. */
function parseText(text: string): { n: bigint; scale: number } | undefined {
  const m = NUMBER_TEXT.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const fraction = m[3] ?? '';
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!(Math.abs(exponent) <= MAX_EXPONENT)) return undefined;
  let n = BigInt(`${m[2]}${fraction}` || '0');
  let scale = fraction.length - exponent;
  if (scale < 0) {
    n *= pow10(-scale);
    scale = 0;
  }
  return { n: m[1] === '-' ? -n : n, scale };
}

export class Rational {
  static readonly ROUND_UP = 0 as const;
  static readonly ROUND_DOWN = 1 as const;
  static readonly ROUND_CEIL = 2 as const;
  static readonly ROUND_FLOOR = 3 as const;
  static readonly ROUND_HALF_UP = 4 as const;
  static readonly ROUND_HALF_DOWN = 5 as const;
  static readonly ROUND_HALF_EVEN = 6 as const;

  /** Numerator: carries the sign. */
  readonly n: bigint;
  /** Denominator, > 0. */
  readonly d: bigint;
  /** d = 10^scale when the value terminates; -1 when it doesn't. */
  readonly scale: number;

  constructor(x: RationalLike) {
    if (x instanceof Rational) {
      this.n = x.n;
      this.d = x.d;
      this.scale = x.scale;
      return;
    }
    let n: bigint;
    let scale: number;
    if (typeof x === 'bigint') [n, scale] = [x, 0];
    else if (typeof x === 'number' && Number.isSafeInteger(x)) [n, scale] = [BigInt(x), 0];
    else {
      if (typeof x === 'number' && !Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
      const parsed = parseText(String(x));
      if (!parsed) throw new SyntaxError(`not a decimal number: ${JSON.stringify(String(x))}`);
      ({ n, scale } = parsed);
    }
    while (scale > 0 && n % 10n === 0n) {
      n /= 10n;
      scale--;
    }
    this.n = n;
    this.d = pow10(scale);
    this.scale = scale;
  }

  /** m / 10^scale for a safe integer m: the fast path's results, built without text. */
  static fromScaled(m: number, scale: number): Rational {
    while (scale > 0 && m % 10 === 0) {
      m /= 10;
      scale--;
    }
    return raw(BigInt(m), pow10(scale), scale);
  }

  /** The exact n / d (d ≠ 0), in canonical form. */
  static fraction(n: bigint, d: bigint): Rational {
    if (d === 0n) throw new RangeError('division by zero');
    if (d < 0n) [n, d] = [-n, -d];
    if (n === 0n) return ZERO;
    const g = gcd(n, d);
    if (g !== 1n) [n, d] = [n / g, d / g];
    const { twos, fives, rest } = splitTwosFives(d);
    if (rest !== 1n) return raw(n, d, -1);
    const scale = Math.max(twos, fives);
    const ten = pow10(scale);
    return raw(n * (ten / d), ten, scale);
  }

  static isDecimal(x: unknown): x is Rational {
    return x instanceof Rational;
  }

  static min(...xs: RationalLike[]): Rational {
    return xs.map(of).reduce((a, b) => (b.lt(a) ? b : a));
  }

  static max(...xs: RationalLike[]): Rational {
    return xs.map(of).reduce((a, b) => (b.gt(a) ? b : a));
  }

  /** Whether the value has a finite decimal expansion. */
  terminates(): boolean {
    return this.scale >= 0;
  }

  plus(y: RationalLike): Rational {
    const b = of(y);
    if (this.scale >= 0 && b.scale >= 0) {
      if (this.scale === b.scale) return decimal(this.n + b.n, this.scale);
      if (this.scale > b.scale) return decimal(this.n + b.n * pow10(this.scale - b.scale), this.scale);
      return decimal(this.n * pow10(b.scale - this.scale) + b.n, b.scale);
    }
    return Rational.fraction(this.n * b.d + b.n * this.d, this.d * b.d);
  }

  minus(y: RationalLike): Rational {
    return this.plus(of(y).neg());
  }

  times(y: RationalLike): Rational {
    const b = of(y);
    if (this.scale >= 0 && b.scale >= 0) return decimal(this.n * b.n, this.scale + b.scale);
    return Rational.fraction(this.n * b.n, this.d * b.d);
  }

  div(y: RationalLike): Rational {
    const b = of(y);
    if (b.n === 0n) throw new RangeError('division by zero');
    return Rational.fraction(this.n * b.d, this.d * b.n);
  }

  /** The remainder with the divisor's sign, as spreadsheets' MOD: a − b·⌊a / b⌋. */
  mod(y: RationalLike): Rational {
    const b = of(y);
    const q = this.div(b);
    return this.minus(b.times(raw(divideRounded(q.n, q.d, Rational.ROUND_FLOOR), 1n, 0)));
  }

  neg(): Rational {
    return this.n === 0n ? this : raw(-this.n, this.d, this.scale);
  }

  abs(): Rational {
    return this.n < 0n ? this.neg() : this;
  }

  /** This to a whole power. */
  pow(k: number): Rational {
    if (!Number.isSafeInteger(k)) throw new RangeError(`not a whole power: ${k}`);
    if (k < 0) return ONE.div(this.pow(-k));
    const e = BigInt(k);
    return this.scale >= 0 ? decimal(this.n ** e, this.scale * k) : raw(this.n ** e, this.d ** e, -1);
  }

  cmp(y: RationalLike): -1 | 0 | 1 {
    const b = of(y);
    let l: bigint;
    let r: bigint;
    if (this.scale >= 0 && b.scale >= 0) {
      l = this.scale >= b.scale ? this.n : this.n * pow10(b.scale - this.scale);
      r = b.scale >= this.scale ? b.n : b.n * pow10(this.scale - b.scale);
    } else {
      l = this.n * b.d;
      r = b.n * this.d;
    }
    return l < r ? -1 : l > r ? 1 : 0;
  }

  eq(y: RationalLike): boolean {
    const b = of(y);
    return this.n === b.n && this.d === b.d;
  }
  lt(y: RationalLike): boolean { return this.cmp(y) < 0; }
  lte(y: RationalLike): boolean { return this.cmp(y) <= 0; }
  gt(y: RationalLike): boolean { return this.cmp(y) > 0; }
  gte(y: RationalLike): boolean { return this.cmp(y) >= 0; }

  isZero(): boolean { return this.n === 0n; }
  isNegative(): boolean { return this.n < 0n; }
  isInteger(): boolean { return this.d === 1n; }
  /** Always true: kept so amounts code written for decimal.js reads the same. */
  isFinite(): boolean { return true; }

  /** Decimals of a terminating value (`1.25` → 2); Infinity when it doesn't terminate. */
  decimalPlaces(): number {
    return this.scale >= 0 ? this.scale : Infinity;
  }

  /** Whether numerator and denominator both have at most `digits` digits. */
  fitsDigits(digits: number): boolean {
    const limit = pow10(digits);
    return this.d < limit && abs(this.n) < limit;
  }

  /** Rounded to `places` decimals (negative: to tens, hundreds, …) in `mode`. */
  toDecimalPlaces(places: number, mode: Rounding = Rational.ROUND_HALF_EVEN): Rational {
    if (this.scale >= 0 && this.scale <= places) return this;
    if (places >= 0) return decimal(divideRounded(this.n * pow10(places), this.d, mode), places);
    const unit = pow10(-places);
    return decimal(divideRounded(this.n, this.d * unit, mode) * unit, 0);
  }

  floor(): Rational { return this.toDecimalPlaces(0, Rational.ROUND_FLOOR); }
  ceil(): Rational { return this.toDecimalPlaces(0, Rational.ROUND_CEIL); }

  /**
   * Plain decimal text, never exponent notation. With `places`, rounded to that many decimals
   * in `mode`. Without, the exact text of a terminating value (`1e-7` is `0.0000001`); a value
   * that doesn't terminate has no exact decimal text, so it is shown as its first
   * DISPLAY_DIGITS significant digits (all of its whole part, if longer), cut, not rounded,
   * so every digit shown is a digit of the value, then NOT_TERMINATING_MARK:
   * 1/3 is `0.33333333333333333333…`.
   */
  toFixed(places?: number, mode: Rounding = Rational.ROUND_HALF_EVEN): string {
    if (places !== undefined) return plainText(this.toDecimalPlaces(places, mode), places);
    if (this.scale >= 0) return plainText(this, this.scale);
    return this.toSignificant(DISPLAY_DIGITS, Rational.ROUND_DOWN) + NOT_TERMINATING_MARK;
  }

  /**
   * Plain text with `significant` significant digits, rounded in `mode`; the whole part is
   * always complete, and trailing zeros are kept (they are digits of the rounded value).
   */
  toSignificant(significant: number, mode: Rounding): string {
    const places = Math.max(0, significant - this.magnitude());
    return plainText(this.toDecimalPlaces(places, mode), places);
  }

  /** The position of the first significant digit: 1 for 1 ≤ |x| < 10, 0 for 0.1 ≤ |x| < 1, -1 for 0.01…. */
  magnitude(): number {
    if (this.n === 0n) return 1;
    const n = abs(this.n);
    let m = n.toString().length - this.d.toString().length;
    // 10^(m-1) ≤ n/d < 10^(m+1); settle which (n/d ≥ 10^m, cross-multiplied).
    if (m >= 0 ? n >= pow10(m) * this.d : n * pow10(-m) >= this.d) m++;
    return m;
  }

  /** The nearest double. */
  toNumber(): number {
    return Number(this.scale >= 0 ? plainText(this, this.scale) : this.toSignificant(20, Rational.ROUND_HALF_EVEN));
  }

  /** `n/d` in lowest terms (`1/3`, `-7/6`, `5`): the exact value, whatever it is. */
  toFractionText(): string {
    const g = gcd(this.n, this.d);
    return this.d === g ? String(this.n / g) : `${this.n / g}/${this.d / g}`;
  }

  toString(): string { return this.toFixed(); }
  toJSON(): string { return this.toFixed(); }
}

function raw(n: bigint, d: bigint, scale: number): Rational {
  const r = Object.create(Rational.prototype) as { n: bigint; d: bigint; scale: number };
  r.n = n;
  r.d = d;
  r.scale = scale;
  return r as Rational;
}

/** n / 10^scale, trailing zeros removed. */
function decimal(n: bigint, scale: number): Rational {
  if (n === 0n) return ZERO;
  while (scale > 0 && n % 10n === 0n) {
    n /= 10n;
    scale--;
  }
  return raw(n, pow10(scale), scale);
}

function of(x: RationalLike): Rational {
  return x instanceof Rational ? x : new Rational(x);
}

/** A terminating value's digits with exactly `places` decimals (`places` ≥ its scale). */
function plainText(x: Rational, places: number): string {
  const n = x.n * pow10(places - x.scale);
  const digits = abs(n).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const text = places > 0 ? `${whole}.${digits.slice(digits.length - places)}` : whole;
  return n < 0n ? `-${text}` : text;
}

export const ZERO = raw(0n, 1n, 0);
export const ONE = raw(1n, 1n, 0);
