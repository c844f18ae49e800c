// What the JSON Logic exporter knows about each value it emits, and the arithmetic that
// keeps numbers exact in json-logic-js's floats.
//
// A number travels as a scaled value X = v·10^scale. The exporter tracks bounds lo..hi of v
// and `binary`, the power of two that makes X·2^binary an integer (dividing by 2^20 adds
// 20). While |X·2^binary| < 2^53, X is a double exactly, and so is every sum, product and
// comparison the exporter emits — it proves this from the bounds before emitting, and
// refuses (NotExportable) otherwise. Hence the result equals the engine's exact decimal.
import { Decimal, decimalText } from '../decimal.ts';
import { ROUNDING_MODES, type RoundingSpec } from '../functions/builtins.ts';
import type { CheckedDecision } from '../check/model.ts';
import type { TableValue } from '../value.ts';
import type { CreditOperation } from './jsonlogic-ops.ts';
import { EXACT_LIMIT, pow10, roundingPlan, scaleOf, splitDenominator } from './numeric-shape.ts';

export type Rule = null | boolean | number | string | Rule[] | { [op: string]: Rule };

/** Thrown while translating: the construct can't be computed exactly by json-logic-js. */
export class NotExportable extends Error {}

export interface Num {
  kind: 'number';
  rule: Rule;
  scale: number;
  binary: number;
  lo: Decimal;
  hi: Decimal;
  /** The value, when it is a constant. */
  constant?: Decimal;
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


function maxAbs(n: { lo: Decimal; hi: Decimal }): Decimal {
  return Decimal.max(n.lo.abs(), n.hi.abs());
}

/** Proves X·2^binary stays below 2^53, or refuses. */
export function checked(n: Num, what: string): Num {
  if (maxAbs(n).times(pow10(n.scale)).times(new Decimal(2).pow(n.binary)).gte(EXACT_LIMIT)) {
    throw new NotExportable(`${what} can exceed the range in which floats are exact (2^53 at scale 10^-${n.scale})`);
  }
  return n;
}

export function literal(d: Decimal): Num {
  if (!d.terminates()) throw new NotExportable(`the number ${decimalText(d)} doesn't terminate, and a float can't hold it exactly`);
  const scale = scaleOf(d);
  const x = d.times(pow10(scale));
  if (x.abs().gte(EXACT_LIMIT)) throw new NotExportable(`the number ${d.toFixed()} has more digits than a float holds`);
  return { kind: 'number', rule: x.toNumber(), scale, binary: 0, lo: d, hi: d, constant: d };
}

export function never(message: Rule, uses: Uses): Never {
  uses.add('fail');
  return { kind: 'never', rule: { fail: [message] } };
}

function times(rule: Rule, factor: number): Rule {
  if (factor === 1) return rule;
  return typeof rule === 'number' ? rule * factor : { '*': [rule, factor] };
}

/** The same number at a larger scale. */
export function rescale(n: Num, scale: number): Num {
  if (scale === n.scale) return n;
  if (n.constant) return literalAt(n.constant, scale);
  if (scale - n.scale > 22) throw new NotExportable(`a number would need scaling by 10^${scale - n.scale}, more than a double holds exactly`);
  return checked({ ...n, rule: times(n.rule, pow10(scale - n.scale).toNumber()), scale }, 'a rescaled number');
}

function literalAt(d: Decimal, scale: number): Num {
  const l = literal(d);
  return checked({ ...l, rule: d.times(pow10(scale)).toNumber(), scale }, `the number ${d.toFixed()}`);
}

export function align(ns: Num[]): Num[] {
  const scale = Math.max(...ns.map((n) => n.scale));
  return ns.map((n) => rescale(n, scale));
}

export function add(a: Num, b: Num, op: '+' | '-', what: string): Num {
  if (a.constant && b.constant) return literal(op === '+' ? a.constant.plus(b.constant) : a.constant.minus(b.constant));
  if (b.constant?.isZero()) return a;
  if (a.constant?.isZero() && op === '+') return b;
  const [x, y] = align([a, b]) as [Num, Num];
  const lo = op === '+' ? x.lo.plus(y.lo) : x.lo.minus(y.hi);
  const hi = op === '+' ? x.hi.plus(y.hi) : x.hi.minus(y.lo);
  return checked({ kind: 'number', rule: { [op]: [x.rule, y.rule] }, scale: x.scale, binary: Math.max(x.binary, y.binary), lo, hi }, what);
}

export function multiply(a: Num, b: Num, what: string): Num {
  if (a.constant && b.constant) return literal(a.constant.times(b.constant));
  if (a.constant?.eq(1)) return b;
  if (b.constant?.eq(1)) return a;
  const corners = [a.lo.times(b.lo), a.lo.times(b.hi), a.hi.times(b.lo), a.hi.times(b.hi)];
  return checked({
    kind: 'number', rule: { '*': [a.rule, b.rule] }, scale: a.scale + b.scale, binary: a.binary + b.binary,
    lo: Decimal.min(...corners), hi: Decimal.max(...corners),
  }, what);
}

export function negate(a: Num): Num {
  if (a.constant) return literal(a.constant.neg());
  return { ...a, rule: { '-': [a.rule] }, lo: a.hi.neg(), hi: a.lo.neg() };
}

/**
 * Division by a constant whose only prime factors are 2 and 5 terminates, and is exact:
 * dividing by 2^p·5^q multiplies X by 2^(q-p) and adds q to the scale.
 */
export function divideByConstant(a: Num, c: Decimal, what: string): Num {
  if (a.constant) return literal(a.constant.div(c));
  const k = scaleOf(c);
  const { twos: p, fives: q, rest } = splitDenominator(c.abs().times(pow10(k)));
  if (!rest.eq(1)) throw new NotExportable(`${what} divides by ${c.toFixed()}, whose quotients don't terminate; the engine keeps them exact and floats can't`);
  const shift = q - p;
  let rule: Rule = shift >= 0 ? times(a.rule, 2 ** shift) : { '/': [a.rule, 2 ** -shift] };
  if (c.isNegative()) rule = { '-': [rule] };
  let scale = a.scale + q - k;
  if (scale < 0) {
    rule = times(rule, pow10(-scale).toNumber());
    scale = 0;
  }
  const bounds = [a.lo.div(c), a.hi.div(c)];
  const n = checked({ kind: 'number', rule, scale, binary: a.binary + p - q, lo: Decimal.min(...bounds), hi: Decimal.max(...bounds) }, what);
  // Kept within 34 significant digits (X·2^binary·5^binary), where this export is proven exact.
  if (n.binary > 0 && maxAbs(n).times(pow10(n.scale + n.binary)).gte(pow10(34))) {
    throw new NotExportable(`${what} can have more than 34 significant digits, more than this export proves exact`);
  }
  return n;
}

/** The modes JSON Logic rounds in (it has no rounding away from zero). */
export type Rounding = Exclude<RoundingSpec['mode'], 'up'>;

/** CEIL/FLOOR/ROUND/TRUNC(x, digits) on the scaled integer, through `<mode>_div`. */
export function roundTo(a: Num, digits: number, mode: Rounding, uses: Uses, what: string): Num {
  const round = (d: Decimal): Decimal => d.toDecimalPlaces(digits, ROUNDING_MODES[mode]);
  if (a.constant) return literal(round(a.constant));
  if (a.scale <= digits && a.binary <= 0) return a;
  const plan = roundingPlan(a.scale, digits);
  const up = rescale(a, a.scale + plan.raise);
  if (maxAbs(up).times(pow10(up.scale)).gte(EXACT_LIMIT)) throw new NotExportable(`${what} can exceed 2^53 before rounding`);
  const op = `${mode}_div` as const;
  uses.add(op);
  const n: Num = { kind: 'number', rule: times({ [op]: [up.rule, pow10(plan.lower).toNumber()] }, plan.times), scale: plan.scale, binary: 0, lo: round(a.lo), hi: round(a.hi) };
  return checked(n, what);
}

/** Numbers from several branches (IF, decision rows, table rows) on one scale. */
export function joinNumbers(ns: Num[]): Num[] {
  const aligned = align(ns);
  const binary = Math.max(...aligned.map((n) => n.binary));
  return aligned.map((n) => ({ ...n, binary, constant: undefined }));
}

export function boundsOf(ns: Num[]): { lo: Decimal; hi: Decimal } {
  return { lo: Decimal.min(...ns.map((n) => n.lo)), hi: Decimal.max(...ns.map((n) => n.hi)) };
}

/** The rule giving the number itself (unscaled), for outputs: exact X / 10^scale is the double nearest v. */
export function unscaled(n: Num): Rule {
  if (n.scale > 22) throw new NotExportable(`a value with ${n.scale} decimals can't be divided back exactly`);
  if (n.scale === 0) return n.rule;
  if (n.constant) return n.constant.toNumber();
  return { '/': [n.rule, pow10(n.scale).toNumber()] };
}

/** Whether the value's decimal text always survives a round trip through a double (15 digits). */
export function printable(n: Num): boolean {
  return n.binary <= 0 && maxAbs(n).times(pow10(n.scale)).lt(pow10(15));
}
