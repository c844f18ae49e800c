// The one numeric representation of both float compilers (the fast JavaScript path and the
// JSON Logic export), and every decision about it. A number is a Shape: the value
// m / (10^scale · den) of an integer m that the emitted code computes, with the bounds lo..hi
// of the value known at compile time. While |m| stays below 2^53 the code's + - * and
// comparisons on such integers are exact; a division by a constant keeps its denominator
// (`price / 30` is m over 30), so it stays exact too, and a rounding function divides it out
// exactly.
//
// Each operation here (a literal, an input, + - *, a division by a constant, a rounding, a
// choice between branches, a comparison) gives the result's Shape and the integer factors the
// emitted code multiplies its operands by, or throws NotExact when no such code can be exact
// (a literal that doesn't terminate, a scale or denominator past what a double holds). How
// large |m| can get is left to the compiler: the fast path checks at run time where the bounds
// don't prove it (and gives up to the interpreter), the JSON Logic export refuses. The
// compilers only turn these decisions into code; they can't disagree on them.
import { Decimal } from '../decimal.ts';
import { splitTwosFives } from '../rational.ts';
import { ROUNDING_MODES } from '../functions/builtins.ts';
import type { Comparison, RoundingMode } from '../functions/lowering.ts';

/** Integers below this magnitude are exact doubles, and so are their sums, products and comparisons. */
const EXACT_LIMIT = new Decimal(2).pow(53);
/** The largest integer |m| a scaled integer may hold. */
export const MAX_EXACT = Number.MAX_SAFE_INTEGER;
/** The most decimals a Shape may have: 10^22 is the largest power of ten a double holds exactly. */
export const MAX_SCALE = 22;
/** Decimals a quotient by a value that isn't a constant gets, where the fast path divides it (exactly, or gives up). */
export const DIVISION_EXTRA_SCALE = 6;

/**
 * A `number` input without a range of its own: below 10^9 with at most 6 decimals, a JSON
 * number has at most 15 significant digits, which a double holds exactly; 10^9·10^6 < 2^53.
 * The fast path reads inputs within it, and the JSON Logic export tries it first.
 */
export const NUMBER_INPUT = { maximum: 1e9, decimals: 6 } as const;

/** Thrown when a step can't be computed exactly in doubles, whatever the inputs; the message says why. */
export class NotExact extends Error {}

/**
 * A number as both float compilers hold it: the value m / (10^scale · den) of the integer m
 * the emitted code computes, within lo..hi.
 */
export interface Shape {
  /** Decimals of m: 0 ≤ scale ≤ MAX_SCALE. */
  readonly scale: number;
  /** A whole constant ≥ 1 left by dividing by constants (`price / 30`); 1 for most numbers. */
  readonly den: number;
  /** Bounds of the value (not of m). */
  readonly lo: Decimal;
  readonly hi: Decimal;
  /** The value, when it is known at compile time. */
  readonly constant?: Decimal;
}

const TEN = new Decimal(10);
/** 10^n as an exact number, for any whole n (10^-2 is 0.01). */
export const pow10 = (n: number): Decimal => TEN.pow(n);
const POW10 = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);

/** The scale of a literal: its decimals (a whole number has scale 0). */
function scaleOf(d: Decimal): number {
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

const maxAbs = (s: { lo: Decimal; hi: Decimal }): Decimal => Decimal.max(s.lo.abs(), s.hi.abs());

/** The largest |m| the shape allows. */
export function mantissaBound(s: Shape): Decimal {
  return maxAbs(s).times(pow10(s.scale)).times(s.den);
}

/** Whether the bounds prove |m| < 2^53, so no step computing m can lose a digit. */
export function fitsExactly(s: Shape): boolean {
  return mantissaBound(s).lt(EXACT_LIMIT);
}

/** The shape within the range a run-time check keeps m in (|m| ≤ 2^53 - 1), for after the check. */
export function clampToExact(s: Shape): Shape {
  if (fitsExactly(s)) return s;
  const limit = new Decimal(MAX_EXACT).div(pow10(s.scale).times(s.den));
  return { scale: s.scale, den: s.den, lo: Decimal.max(s.lo, limit.neg()), hi: Decimal.min(s.hi, limit) };
}

/** A whole number known to stay below 2^53, as a double; NotExact otherwise. */
function exactFactor(x: Decimal | number, what: string): number {
  const d = new Decimal(x);
  if (!d.isInteger() || d.abs().gt(MAX_EXACT)) throw new NotExact(`${what} would need a factor of ${d.toFixed()}, more than a double holds exactly`);
  return d.toNumber();
}

function checkScale(scale: number, what: string): number {
  if (scale > MAX_SCALE) throw new NotExact(`${what} would need ${scale} decimals, more than a double scales exactly (${MAX_SCALE})`);
  return scale;
}

/** The integer m of a constant in this shape (exact: the constant is m / (10^scale · den)). */
export function mantissaOf(value: Decimal, s: { scale: number; den: number }): number {
  return exactFactor(value.times(pow10(s.scale)).times(s.den), `the number ${value.toFixed()}`);
}

/** A literal: its decimals are its scale. A value that doesn't terminate, or whose digits don't fit a double, has no shape. */
export function literalShape(d: Decimal): Shape {
  if (!d.terminates()) throw new NotExact(`the number ${d.toFixed()} doesn't terminate, and a float can't hold it exactly`);
  const scale = checkScale(scaleOf(d), `the number ${d.toFixed()}`);
  if (d.abs().times(pow10(scale)).gte(EXACT_LIMIT)) throw new NotExact(`the number ${d.toFixed()} has more digits than a float holds`);
  return { scale, den: 1, lo: d, hi: d, constant: d };
}

/**
 * A number input, read as an integer at `decimals` decimals (the compiler enforces them, and
 * `maximum`, at run time), within its declared range and ±maximum.
 */
export function inputShape(range: { min?: Decimal; max?: Decimal }, decimals: number, maximum: Decimal | number): Shape {
  const m = new Decimal(maximum);
  return {
    scale: decimals, den: 1,
    lo: range.min ? Decimal.max(range.min, m.neg()) : m.neg(),
    hi: range.max ? Decimal.min(range.max, m) : m,
  };
}

/** A column of a table (numbers known at compile time) as one shape: the most decimals among them, and their range. */
export function columnShape(values: readonly Decimal[]): Shape {
  const scale = checkScale(Math.max(0, ...values.map(scaleOf)), 'a table column');
  return { scale, den: 1, lo: Decimal.min(...values), hi: Decimal.max(...values) };
}

const gcd = (a: number, b: number): number => {
  while (b) [a, b] = [b, a % b];
  return a;
};

/**
 * Several numbers on one scale and one denominator (the least common one): for adding,
 * comparing, and choosing between them. Operand i's m is multiplied by factors[i].
 */
export function common(xs: readonly Shape[]): { scale: number; den: number; factors: number[] } {
  const scale = Math.max(...xs.map((x) => x.scale));
  let den = 1;
  for (const x of xs) den = exactFactor((den / gcd(den, x.den)) * x.den, 'a common denominator');
  const factors = xs.map((x) => exactFactor(new Decimal(den / x.den).times(pow10(scale - x.scale)), 'bringing numbers to one scale'));
  return { scale, den, factors };
}

/** The factor that brings m of `from` to the scale and denominator `to` (a multiple of from's). */
export function alignFactor(from: { scale: number; den: number }, to: { scale: number; den: number }): number {
  if (to.den % from.den !== 0 || to.scale < from.scale) throw new Error(`can't bring scale ${from.scale}/${from.den} to ${to.scale}/${to.den}`);
  return exactFactor(new Decimal(to.den / from.den).times(pow10(to.scale - from.scale)), 'bringing numbers to one scale');
}

/** A shape brought to a common scale and denominator: the same value, a larger m. */
export function rescaled(x: Shape, to: { scale: number; den: number }): Shape {
  return { ...x, scale: to.scale, den: to.den };
}

/** a + b or a − b, on their common scale and denominator. */
export function addShape(a: Shape, b: Shape, op: '+' | '-'): { shape: Shape; factors: [number, number] } {
  const { scale, den, factors } = common([a, b]);
  if (a.constant && b.constant) return { shape: literalShape(op === '+' ? a.constant.plus(b.constant) : a.constant.minus(b.constant)), factors: factors as [number, number] };
  const lo = op === '+' ? a.lo.plus(b.lo) : a.lo.minus(b.hi);
  const hi = op === '+' ? a.hi.plus(b.hi) : a.hi.minus(b.lo);
  return { shape: { scale, den, lo, hi }, factors: factors as [number, number] };
}

/** a × b: the scales and the denominators multiply. */
export function multiplyShape(a: Shape, b: Shape): Shape {
  if (a.constant && b.constant) return literalShape(a.constant.times(b.constant));
  const corners = [a.lo.times(b.lo), a.lo.times(b.hi), a.hi.times(b.lo), a.hi.times(b.hi)];
  return {
    scale: checkScale(a.scale + b.scale, 'a product'),
    den: exactFactor(a.den * b.den, 'a product of quotients'),
    lo: Decimal.min(...corners), hi: Decimal.max(...corners),
  };
}

export function negateShape(a: Shape): Shape {
  if (a.constant) return literalShape(a.constant.neg());
  return { scale: a.scale, den: a.den, lo: a.hi.neg(), hi: a.lo.neg() };
}

export function absShape(a: Shape): Shape {
  if (a.constant) return literalShape(a.constant.abs());
  const lo = a.lo.gte(0) ? a.lo : a.hi.lte(0) ? a.hi.abs() : new Decimal(0);
  return { scale: a.scale, den: a.den, lo, hi: maxAbs(a) };
}

/**
 * a / c for a constant c ≠ 0 = k / 10^sc: m·10^sc over the denominator den·|k| (the code
 * multiplies m by `times`, negated when c < 0). Whole tens of |k| go into the scale instead
 * (`x / 10` is x with one more decimal), so the denominator keeps only what doesn't divide out.
 */
export function divideByConstantShape(a: Shape, c: Decimal): { shape: Shape; times: number; negate: boolean } {
  if (c.isZero()) throw new NotExact('division by zero');
  if (a.constant) return { shape: literalShapeOrFraction(a.constant.div(c)), times: 1, negate: false };
  const sc = scaleOf(c);
  let k = c.abs().times(pow10(sc));
  let scale = a.scale;
  while (k.gt(1) && k.mod(10).isZero()) {
    k = k.div(10);
    scale++;
  }
  const bounds = [a.lo.div(c), a.hi.div(c)];
  return {
    shape: {
      scale: checkScale(scale, 'a quotient'),
      den: exactFactor(k.times(a.den), 'a quotient by a constant'),
      lo: Decimal.min(...bounds), hi: Decimal.max(...bounds),
    },
    times: exactFactor(pow10(sc), 'a quotient by a constant'),
    negate: c.isNegative(),
  };
}

/** A constant quotient: a literal if it terminates, else m over its denominator. */
function literalShapeOrFraction(v: Decimal): Shape {
  if (v.terminates()) return literalShape(v);
  const den = exactFactor(new Decimal(v.d), `the quotient ${v.toFixed()}`);
  exactFactor(new Decimal(v.n), `the quotient ${v.toFixed()}`);
  return { scale: 0, den, lo: v, hi: v, constant: v };
}

/**
 * The same number with den 1: a denominator's 2s and 5s become decimals (m·10^k / (2^p·5^q)
 * at scale + k), and the rest must divide m out (the code divides by `divide`, exactly, at run
 * time, or can't: NotExact when `exactDivisionOk` is false — the value may not terminate).
 */
export function plainShape(a: Shape, exactDivisionOk: boolean): { shape: Shape; divide: number; times: number } {
  if (a.den === 1) return { shape: a, divide: 1, times: 1 };
  const { twos, fives, rest } = splitDenominator(a.den);
  if (!rest.eq(1) && !exactDivisionOk) throw new NotExact('a quotient that may not terminate; the engine keeps it exact and floats can\'t');
  const k = Math.max(twos, fives);
  const scale = checkScale(a.scale + k, 'a quotient as a decimal');
  const times = exactFactor(pow10(k).div(2 ** twos * 5 ** fives), 'a quotient as a decimal');
  return { shape: { scale, den: 1, lo: a.lo, hi: a.hi, constant: a.constant }, divide: rest.toNumber(), times };
}

/**
 * n / d for a d that isn't a constant, divided at run time to DIVISION_EXTRA_SCALE more
 * decimals (exactly, or the fast path gives up). Both must be plain (den 1).
 */
export function quotientShape(n: Shape, d: Shape): { shape: Shape; shift: number } {
  const scale = checkScale(n.scale + DIVISION_EXTRA_SCALE, 'a quotient');
  const smallest = d.lo.gt(0) ? d.lo : d.hi.lt(0) ? d.hi.abs() : undefined;
  const limit = new Decimal(MAX_EXACT).div(pow10(scale));
  const bound = smallest ? Decimal.min(maxAbs(n).div(smallest), limit) : limit;
  return { shape: { scale, den: 1, lo: bound.neg(), hi: bound }, shift: DIVISION_EXTRA_SCALE + d.scale };
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

/**
 * a rounded to `digits` decimals in `mode`: the code multiplies m by `raise`, divides by
 * `divisor` (a whole number ≥ 2) with rounding, and multiplies the quotient by `times`;
 * `raised` is the shape of m·raise, which must stay below 2^53. `identity` when a already has
 * no more decimals (and no denominator): nothing to round.
 */
export function roundShape(a: Shape, digits: number, mode: RoundingMode):
  { identity: true; shape: Shape } | { identity: false; shape: Shape; raise: number; raised: Shape; divisor: number; times: number } {
  const round = (d: Decimal): Decimal => d.toDecimalPlaces(digits, ROUNDING_MODES[mode]);
  if (a.constant) return { identity: true, shape: literalShape(round(a.constant)) };
  if (a.scale <= digits && a.den === 1) return { identity: true, shape: a };
  const plan = roundingPlan(a.scale, digits);
  const raise = exactFactor(POW10[plan.raise] ?? pow10(plan.raise), 'rounding');
  const divisor = exactFactor(pow10(plan.lower).times(a.den), 'rounding');
  return {
    identity: false, raise, divisor, times: plan.times,
    raised: { scale: checkScale(a.scale + plan.raise, 'rounding'), den: a.den, lo: a.lo, hi: a.hi },
    shape: { scale: plan.scale, den: 1, lo: round(a.lo), hi: round(a.hi) },
  };
}

/**
 * A comparison the bounds already decide (`x >= 0` for an x declared min 0), or undefined.
 * The JSON Logic export folds these where neither side can fail, so a check that can't fail
 * (CLAMP's lo > hi, MROUND's signs) costs nothing; both compilers fold constants.
 */
export function decidedComparison(a: Shape, op: Comparison, b: Shape): boolean | undefined {
  if (a.constant && b.constant) return compareConstants(a.constant, op, b.constant);
  const below = a.hi.lt(b.lo); // a < b always
  const atMost = a.hi.lte(b.lo); // a <= b always
  const above = a.lo.gt(b.hi);
  const atLeast = a.lo.gte(b.hi);
  switch (op) {
    case '<': return below ? true : atLeast ? false : undefined;
    case '<=': return atMost ? true : above ? false : undefined;
    case '>': return above ? true : atMost ? false : undefined;
    case '>=': return atLeast ? true : below ? false : undefined;
    case '==': return below || above ? false : undefined;
    case '!=': return below || above ? true : undefined;
  }
}

/** a OP b for two numbers known at compile time. */
export function compareConstants(a: Decimal, op: Comparison, b: Decimal): boolean {
  const c = a.cmp(b);
  return { '==': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[op];
}

/** Numbers of alternative branches (IF, decision rows, table rows) as one: one scale and denominator, the union of their ranges. */
export function joinShapes(xs: readonly Shape[]): { shape: Shape; factors: number[] } {
  const { scale, den, factors } = common(xs);
  return { shape: { scale, den, lo: Decimal.min(...xs.map((x) => x.lo)), hi: Decimal.max(...xs.map((x) => x.hi)) }, factors };
}

/** MIN or MAX of numbers: on one scale and denominator, with the range of the result. */
export function extremeShape(kind: 'MIN' | 'MAX', xs: readonly Shape[]): { shape: Shape; factors: number[] } {
  const { scale, den, factors } = common(xs);
  const pick = (...ds: Decimal[]): Decimal => (kind === 'MIN' ? Decimal.min(...ds) : Decimal.max(...ds));
  if (xs.every((x) => x.constant)) return { shape: literalShapeOrFraction(pick(...xs.map((x) => x.constant!))), factors };
  return { shape: { scale, den, lo: pick(...xs.map((x) => x.lo)), hi: pick(...xs.map((x) => x.hi)) }, factors };
}

/** The sum of `count` items of one shape (a list known only at run time, up to that many items). */
export function repeatedSumShape(item: Shape, count: Decimal): Shape {
  return { scale: item.scale, den: item.den, lo: Decimal.min(0, item.lo.times(count)), hi: Decimal.max(0, item.hi.times(count)) };
}

/** A count of up to `most` items. */
export function countShape(most: Decimal | number): Shape {
  return { scale: 0, den: 1, lo: new Decimal(0), hi: new Decimal(most) };
}

/**
 * n/d compared with b, by cross-multiplying: n OP b·d when d > 0 (the other way round when
 * d < 0). `product` is the shape of b·d; the two sides then share a scale and denominator
 * (`factors` for n and b·d).
 */
export function ratioComparison(n: Shape, d: Shape, b: Shape): { product: Shape; factors: [number, number]; sides: [Shape, Shape] } {
  const product = multiplyShape(b, d);
  const { scale, den, factors } = common([n, product]);
  return { product, factors: factors as [number, number], sides: [rescaled(n, { scale, den }), rescaled(product, { scale, den })] };
}
