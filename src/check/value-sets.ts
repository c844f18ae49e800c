// Sets of values a decision-table condition can match, exactly: numbers as unions of intervals
// with open or closed ends, texts and booleans as finite sets or "everything but" sets. Enough
// algebra for overlap, subsumption and coverage, and a sample value to show the user.
import { Decimal } from '../decimal.ts';

export interface Bound {
  at: Decimal;
  closed: boolean;
}

/** An absent end is unbounded. */
export interface Interval {
  lo?: Bound;
  hi?: Bound;
}

export type ValueSet =
  | { kind: 'numbers'; intervals: Interval[] }
  /** Texts (written quoted, `'pro'`) and booleans (`true`): `except` means every key but these. */
  | { kind: 'keys'; except: boolean; keys: ReadonlySet<string> };

export const allNumbers: ValueSet = { kind: 'numbers', intervals: [{}] };
export const allKeys: ValueSet = { kind: 'keys', except: true, keys: new Set() };

export function point(at: Decimal): Interval {
  return { lo: { at, closed: true }, hi: { at, closed: true } };
}

function maxLo(a?: Bound, b?: Bound): Bound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = a.at.cmp(b.at);
  return c > 0 ? a : c < 0 ? b : { at: a.at, closed: a.closed && b.closed };
}

function minHi(a?: Bound, b?: Bound): Bound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = a.at.cmp(b.at);
  return c < 0 ? a : c > 0 ? b : { at: a.at, closed: a.closed && b.closed };
}

function intervalEmpty(i: Interval): boolean {
  if (!i.lo || !i.hi) return false;
  const c = i.lo.at.cmp(i.hi.at);
  return c > 0 || (c === 0 && !(i.lo.closed && i.hi.closed));
}

function complementInterval(i: Interval): Interval[] {
  const out: Interval[] = [];
  if (i.lo) out.push({ hi: { at: i.lo.at, closed: !i.lo.closed } });
  if (i.hi) out.push({ lo: { at: i.hi.at, closed: !i.hi.closed } });
  return out;
}

function intersectIntervals(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) for (const y of b) {
    const i = { lo: maxLo(x.lo, y.lo), hi: minHi(x.hi, y.hi) };
    if (!intervalEmpty(i)) out.push(i);
  }
  return out;
}

export function intersect(a: ValueSet, b: ValueSet): ValueSet {
  if (a.kind === 'numbers' && b.kind === 'numbers') return { kind: 'numbers', intervals: intersectIntervals(a.intervals, b.intervals) };
  if (a.kind === 'keys' && b.kind === 'keys') {
    if (!a.except && !b.except) return { kind: 'keys', except: false, keys: new Set([...a.keys].filter((k) => b.keys.has(k))) };
    if (a.except && b.except) return { kind: 'keys', except: true, keys: new Set([...a.keys, ...b.keys]) };
    const [finite, cofinite] = a.except ? [b, a] : [a, b];
    return { kind: 'keys', except: false, keys: new Set([...finite.keys].filter((k) => !cofinite.keys.has(k))) };
  }
  throw new Error('intersect: sets of different kinds');
}

export function complement(a: ValueSet): ValueSet {
  if (a.kind === 'keys') return { kind: 'keys', except: !a.except, keys: a.keys };
  return { kind: 'numbers', intervals: a.intervals.reduce<Interval[]>((acc, i) => intersectIntervals(acc, complementInterval(i)), [{}]) };
}

function integerIn(i: Interval): Decimal | undefined {
  let c: Decimal;
  if (i.lo) {
    c = i.lo.at.ceil();
    if (!i.lo.closed && c.eq(i.lo.at)) c = c.plus(1);
  } else if (i.hi) {
    c = i.hi.at.floor();
    if (!i.hi.closed && c.eq(i.hi.at)) c = c.minus(1);
  } else {
    c = new Decimal(0);
  }
  if (i.lo && (c.lt(i.lo.at) || (!i.lo.closed && c.eq(i.lo.at)))) return undefined;
  if (i.hi && (c.gt(i.hi.at) || (!i.hi.closed && c.eq(i.hi.at)))) return undefined;
  return c;
}

function realIn(i: Interval): Decimal {
  if (i.lo && i.hi) return i.lo.at.eq(i.hi.at) ? i.lo.at : i.lo.at.plus(i.hi.at).div(2);
  if (i.lo) return i.lo.closed ? i.lo.at : i.lo.at.plus(1);
  if (i.hi) return i.hi.closed ? i.hi.at : i.hi.at.minus(1);
  return new Decimal(0);
}

/** A value of the set, as written in a formula; undefined when the set is empty. */
export function sample(a: ValueSet, integersOnly: boolean): string | undefined {
  if (a.kind === 'keys') {
    if (!a.except) return a.keys.values().next().value;
    return 'any other value';
  }
  for (const i of a.intervals) {
    const n = integerIn(i) ?? (integersOnly ? undefined : realIn(i));
    if (n) return n.toFixed();
  }
  return undefined;
}

export function isEmpty(a: ValueSet, integersOnly: boolean): boolean {
  return sample(a, integersOnly) === undefined;
}

export function isSubset(a: ValueSet, b: ValueSet, integersOnly: boolean): boolean {
  return isEmpty(intersect(a, complement(b)), integersOnly);
}

export function contains(a: ValueSet, value: Decimal | string): boolean {
  if (a.kind === 'keys') return typeof value === 'string' && a.keys.has(value) !== a.except;
  return typeof value !== 'string' && !isEmpty(intersect(a, { kind: 'numbers', intervals: [point(value)] }), false);
}
