// What the JSON Logic exporter knows about each value it emits, and the arithmetic that
// keeps numbers exact in json-logic-js's floats.
//
// A number is a Shape (numeric-shape.ts, the fast path's representation too): its rule
// computes the integer m of the value m / (10^scale · den), and the bounds lo..hi of the value
// are known. While |m| < 2^53, m is a double exactly, and so is every sum, product and
// comparison the exporter emits — it proves this from the bounds before emitting, and refuses
// (NotExportable) otherwise. Hence the result equals the engine's exact value.
import { Decimal } from '../decimal.ts';
import type { RoundingMode } from '../functions/lowering.ts';
import type { CheckedDecision } from '../check/model.ts';
import type { TableValue } from '../value.ts';
import type { CreditOperation } from './jsonlogic-ops.ts';
import {
  addShape, alignFactor, common, divideByConstantShape, fitsExactly, joinShapes, literalShape, mantissaBound, mantissaOf, MAX_SCALE,
  multiplyShape, negateShape, NotExact, plainShape, pow10, rescaled, roundShape, type Shape,
} from './numeric-shape.ts';

export type Rule = null | boolean | number | string | Rule[] | { [op: string]: Rule };

/** Thrown while translating: the construct can't be computed exactly by json-logic-js. */
export class NotExportable extends Error {}

/** A number: the rule computing m, and its Shape. */
export interface Num extends Shape {
  kind: 'number';
  rule: Rule;
}

/** A quotient that may not terminate: exported only where it is compared (by cross-multiplying). */
export interface Ratio { kind: 'ratio'; num: Num; den: Num; text: string }
export interface Str { kind: 'string'; rule: Rule; values?: string[] }
export interface Bool { kind: 'boolean'; rule: Rule }
/** A list of statically known length whose items may each be absent (FILTER over KEYS). */
export interface GuardedList { kind: 'guarded-list'; items: { when?: Rule; item: Val }[] }
/** A list known only at run time; `item` describes one element, its rule evaluated with the element as data. */
export interface DynamicList { kind: 'dynamic-list'; rule: Rule; item: Val; maxItems?: number }
/** A record element of a dynamic list, inside a lambda: fields read from the element. */
export interface ItemRecord { kind: 'item-record'; fields: Map<string, Val> }
export interface Table { kind: 'table'; value: TableValue }
export interface Row { kind: 'row'; table: TableValue; key: Val }
export interface Decision { kind: 'decision'; decision: CheckedDecision }
/** A branch that throws (the engine's error), typed as anything. */
export interface Never { kind: 'never'; rule: Rule }

export type Val = Num | Ratio | Str | Bool | GuardedList | DynamicList | ItemRecord | Table | Row | Decision | Never;

/** The rule of a value that has one (not a table, row, record or decision). */
export function ruleOf(v: Val): Rule {
  if ('rule' in v) return v.rule;
  throw new NotExportable(`a ${v.kind} isn't a value JSON Logic can compute`);
}

/** Every rule a value is computed by, for checking whether any can fail. */
export function rulesOf(v: Val): Rule[] {
  if (v.kind === 'guarded-list') return v.items.flatMap((i) => [i.when ?? true, ...rulesOf(i.item)]);
  return 'rule' in v ? [v.rule] : [];
}

/** Records the custom operations the emitted rules use. */
export type Uses = Set<CreditOperation>;

/** A shape step of numeric-shape.ts, its refusal reported as this export's. */
export function exact<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof NotExact) throw new NotExportable(`${what}: ${e.message}`);
    throw e;
  }
}

/** A number of a shape, computed by `rule`; a constant is its literal m instead. */
export function number(shape: Shape, rule: Rule): Num {
  return { ...shape, kind: 'number', rule: shape.constant ? mantissaOf(shape.constant, shape) : rule };
}

/** Proves |m| stays below 2^53, or refuses. */
export function checked(n: Num, what: string): Num {
  if (!fitsExactly(n)) {
    throw new NotExportable(`${what} can exceed the range in which floats are exact (2^53 at scale 10^-${n.scale})`);
  }
  return n;
}

export function literal(d: Decimal): Num {
  const shape = exact(`the number ${d.toFixed()}`, () => literalShape(d));
  return number(shape, null);
}

export function never(message: Rule, uses: Uses): Never {
  uses.add('fail');
  return { kind: 'never', rule: { fail: [message] } };
}

function times(rule: Rule, factor: number): Rule {
  if (factor === 1) return rule;
  return typeof rule === 'number' ? rule * factor : { '*': [rule, factor] };
}

/** The same number on another scale and denominator: m times the factor. */
export function aligned(n: Num, to: { scale: number; den: number }, factor: number, what = 'a rescaled number'): Num {
  if (factor === 1 && n.scale === to.scale && n.den === to.den) return n;
  const shape = rescaled(n, to);
  if (n.constant) return number(shape, null);
  return checked({ ...shape, kind: 'number', rule: times(n.rule, factor) }, what);
}

/** Numbers on one scale and denominator, for comparing or choosing between them. */
export function align(ns: Num[]): Num[] {
  const { scale, den, factors } = exact('numbers brought to one scale', () => common(ns));
  return ns.map((n, i) => aligned(n, { scale, den }, factors[i]!));
}

export function add(a: Num, b: Num, op: '+' | '-', what: string): Num {
  const { shape, factors } = exact(what, () => addShape(a, b, op));
  if (shape.constant) return number(shape, null);
  if (b.constant?.isZero()) return a;
  if (a.constant?.isZero() && op === '+') return b;
  const [x, y] = [aligned(a, shape, factors[0]), aligned(b, shape, factors[1])];
  return checked({ ...shape, kind: 'number', rule: { [op]: [x.rule, y.rule] } }, what);
}

export function multiply(a: Num, b: Num, what: string): Num {
  const shape = exact(what, () => multiplyShape(a, b));
  if (shape.constant) return number(shape, null);
  if (a.constant?.eq(1) && a.scale === 0 && a.den === 1) return b;
  if (b.constant?.eq(1) && b.scale === 0 && b.den === 1) return a;
  return checked({ ...shape, kind: 'number', rule: { '*': [a.rule, b.rule] } }, what);
}

export function negate(a: Num): Num {
  return number(negateShape(a), { '-': [a.rule] });
}

/** a / c for a constant c ≠ 0: m times 10^(c's decimals) over the denominator |c's digits| (exact; see numeric-shape.ts). */
export function divideByConstant(a: Num, c: Decimal, what: string): Num {
  const q = exact(what, () => divideByConstantShape(a, c));
  if (q.shape.constant) return number(q.shape, null);
  const rule = times(a.rule, q.times);
  return checked({ ...q.shape, kind: 'number', rule: q.negate ? { '-': [rule] } : rule }, what);
}

/**
 * x rounded to `digits` decimals in `mode`, through `<mode>_div` on the integer m. JSON Logic
 * has no rounding away from zero: ROUNDUP is ceil_div where x can't be negative, floor_div
 * where it can't be positive, and the one or the other by x's sign otherwise.
 */
export function roundTo(a: Num, digits: number, mode: RoundingMode, uses: Uses, what: string): Num {
  const plan = exact(what, () => roundShape(a, digits, mode));
  if (plan.identity) return plan.shape.constant ? number(plan.shape, null) : a;
  const raised = checked({ ...plan.raised, kind: 'number', rule: times(a.rule, plan.raise) }, `${what} before rounding`);
  const op = (m: Exclude<RoundingMode, 'up'>): Rule => {
    uses.add(`${m}_div`);
    return { [`${m}_div`]: [raised.rule, plan.divisor] };
  };
  let rule: Rule;
  if (mode !== 'up') rule = op(mode);
  else if (a.lo.gte(0)) rule = op('ceil');
  else if (a.hi.lte(0)) rule = op('floor');
  else rule = { if: [{ '<': [raised.rule, 0] }, op('floor'), op('ceil')] };
  return checked({ ...plan.shape, kind: 'number', rule: times(rule, plan.times) }, what);
}

/** Numbers from several branches (IF, decision rows, table rows) on one scale and denominator, with the union of their ranges. */
export function joinNumbers(ns: Num[]): { shape: Shape; rules: Rule[] } {
  const { shape } = exact('a choice between numbers', () => joinShapes(ns));
  const target = { scale: shape.scale, den: shape.den };
  const rules = ns.map((n) => aligned(n, target, alignFactor(n, target), 'a choice between numbers').rule);
  return { shape: { scale: shape.scale, den: shape.den, lo: shape.lo, hi: shape.hi }, rules };
}

export function boundsOf(ns: Num[]): { lo: Decimal; hi: Decimal } {
  return { lo: Decimal.min(...ns.map((n) => n.lo)), hi: Decimal.max(...ns.map((n) => n.hi)) };
}

/**
 * The rule giving the number itself, for outputs: exact m / 10^scale is the double nearest
 * the value. A denominator's 2s and 5s become decimals first; any other factor means the value
 * may not terminate, and isn't exported.
 */
export function unscaled(n: Num): Rule {
  if (n.constant) {
    if (!n.constant.terminates()) throw new NotExportable(`the value ${n.constant.toFixed()} doesn't terminate; the engine keeps it exact and floats can't`);
    return n.constant.toNumber();
  }
  const p = exact('an output', () => plainShape(n, false));
  const m = checked({ ...p.shape, kind: 'number', rule: times(n.rule, p.times) }, 'an output');
  if (m.scale > MAX_SCALE) throw new NotExportable(`a value with ${m.scale} decimals can't be divided back exactly`);
  return m.scale === 0 ? m.rule : { '/': [m.rule, pow10(m.scale).toNumber()] };
}

/** Whether the value's decimal text always survives a round trip through a double (15 digits). */
export function printable(n: Num): boolean {
  return n.den === 1 && mantissaBound(n).lt(pow10(15));
}
