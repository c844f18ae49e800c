// The built-in functions of the formula language: what each accepts (for the checker), what it
// does (for the interpreter) and how the other compilers compute it (`lower`, for the fast path
// and the JSON Logic export; see lowering.ts), declared together so they cannot drift apart.
import { Decimal, decimalText, MAX_DIGITS, ZERO, type Rounding } from '../decimal.ts';
import { showType, T, type Type, unify } from '../types.ts';
import { keyOf, showValue, TableValue, type Value } from '../value.ts';
import type { CompilerName, Lower, Lowering, RoundingMode } from './lowering.ts';

/** An argument, evaluated only when the function asks (IF evaluates one branch). */
export type Thunk = () => Value;
/** A lambda argument, called with its parameters' values. */
export type LambdaFn = (...params: Value[]) => Value;
/** Raises an evaluation error at an argument (index) or at the call (-1). */
export type Fail = (arg: number, message: string, hint?: string) => never;
/** Reports a check error at an argument (index) or at the call (-1), and carries on. */
export type Complain = (arg: number, message: string, hint?: string) => void;

/** How a rounding function rounds: the compilers without exact rationals read this rather than the name. */
export interface RoundingSpec {
  /** toward +∞, toward −∞, half away from zero, toward zero, away from zero */
  mode: RoundingMode;
  /** What the optional second argument is: decimals (ROUND's digits) or a multiple (CEILING.MATH's significance). */
  second: 'digits' | 'significance' | 'none';
}

export interface Builtin<N extends string = string> {
  name: N;
  signature: string;
  summary: string;
  minArgs: number;
  maxArgs: number;
  /** Arguments that must be lambdas, with their parameter count; the element type of arg 0 binds them. */
  lambdas?: Record<number, number>;
  type(args: Type[], complain: Complain): Type;
  call(args: Thunk[], fail: Fail, lambdas: LambdaFn[]): Value;
  rounding?: RoundingSpec;
  /**
   * How the compilers other than the interpreter compile a call (the fast path, the JSON Logic
   * export): its meaning in their shared operations (lowering.ts), or why none compiles it.
   */
  lower: Lower | { none: string };
  /** Compilers that don't compile it even so, each with the reason. */
  notLowered?: Partial<Record<CompilerName, string>>;
}

/**
 * The decimals a rounding call rounds to, given its second argument (undefined when there is
 * none: 0 decimals; null when it isn't a constant):
 * digits must be whole, a significance a power of ten (0.01 is 2 decimals, 100 is -2), and
 * either within `range`. A string is the reason it isn't.
 */
export function roundingDigits(spec: RoundingSpec, second: Decimal | null | undefined, range: { min: number; max: number } = ROUNDING_DIGITS): number | string {
  if (second === undefined) return 0;
  if (spec.second === 'none') return 'it takes no second argument';
  if (spec.second === 'significance') {
    const d = second?.gt(0) ? 0 - Math.round(Math.log10(second.toNumber())) : NaN;
    if (!Number.isInteger(d) || d < range.min || d > range.max || !second || !new Decimal(10).pow(-d).eq(second)) return 'the significance must be a constant power of ten (1, 0.01, 100)';
    return d;
  }
  if (!second || !second.isInteger() || second.lt(range.min) || second.gt(range.max)) return `the digits must be a whole constant from ${range.min} to ${range.max}`;
  return second.toNumber();
}

/** The digits ROUND and its kin accept (ROUND(x, -2) rounds to hundreds), in the interpreter and the compilers. */
export const ROUNDING_DIGITS = { min: -20, max: 20 } as const;

/** A rounding call's second argument as decimals (lowered), or the compiler refuses with the reason. */
function digitsOf<V>(l: Lowering<V>, spec: RoundingSpec): number {
  const digits = roundingDigits(spec, l.args.length > 1 ? l.constant(1) : undefined);
  return typeof digits === 'string' ? l.refuse(`${l.text}: ${digits}`) : digits;
}

function num(v: Value, i: number, fail: Fail): Decimal {
  if (v instanceof Decimal) return v;
  return fail(i, `expected a number, got ${showValue(v)}`);
}

function list(v: Value, i: number, fail: Fail): Value[] {
  if (Array.isArray(v)) return v;
  return fail(i, `expected a list, got ${showValue(v)}`);
}

function int(v: Value, i: number, fail: Fail, lo: number, hi: number, what: string): number {
  const d = num(v, i, fail);
  if (!d.isInteger() || d.lt(lo) || d.gt(hi)) fail(i, `${what} must be a whole number from ${lo} to ${hi}, got ${decimalText(d)}`);
  return d.toNumber();
}

function expect(t: Type, want: Type, i: number, complain: Complain, what = 'argument'): void {
  if (t.k === 'any' || want.k === 'any' || t.k === want.k) return;
  complain(i, `${what} must be ${showType(want)}, but it is ${showType(t)}`);
}

function numbersOrList(args: Type[], complain: Complain): Type {
  if (args.length === 1 && args[0]!.k !== 'number') {
    const a = args[0]!;
    if (a.k === 'list') expect(a.of, T.number, 0, complain, 'list items');
    else expect(a, T.list(T.number), 0, complain);
  } else args.forEach((a, i) => expect(a, T.number, i, complain));
  return T.number;
}

function numbersOf(args: Thunk[], fail: Fail): Decimal[] {
  if (args.length === 1) {
    const v = args[0]!();
    if (Array.isArray(v)) {
      if (v.length === 0) fail(0, 'the list is empty');
      return v.map((x) => num(x, 0, fail));
    }
    return [num(v, 0, fail)];
  }
  return args.map((a, i) => num(a(), i, fail));
}


/** Each rounding mode as the exact rationals' rounding: the interpreter's, and the JSON Logic export's for its constants and bounds. */
export const ROUNDING_MODES: Record<RoundingSpec['mode'], Rounding> = {
  ceil: Decimal.ROUND_CEIL, floor: Decimal.ROUND_FLOOR, round: Decimal.ROUND_HALF_UP, trunc: Decimal.ROUND_DOWN, up: Decimal.ROUND_UP,
};

const numbers = (args: Type[], c: Complain): Type => (args.forEach((a, i) => expect(a, T.number, i, c)), T.number);

/** ROUND, ROUNDUP, ROUNDDOWN, TRUNC: the second argument is a number of decimals, as in spreadsheets. */
const digitsFn = <N extends string>(name: N, summary: string, mode: RoundingSpec['mode']): Builtin<N> => ({
  name, signature: `${name}(x, digits = 0)`, summary, minArgs: 1, maxArgs: 2, type: numbers,
  rounding: { mode, second: 'digits' },
  call: ([x, digits], fail) => {
    const v = num(x!(), 0, fail);
    // Negative digits round to tens, hundreds, …: ROUND(1234, -2) is 1200.
    return v.toDecimalPlaces(digits ? int(digits(), 1, fail, ROUNDING_DIGITS.min, ROUNDING_DIGITS.max, 'digits') : 0, ROUNDING_MODES[mode]);
  },
  lower: (l) => l.round(l.arg(0), digitsOf(l, { mode, second: 'digits' }), mode),
});

/**
 * CEIL, CEILING, FLOOR: to a whole number, or to a multiple of the significance, as Excel's
 * CEILING.MATH and FLOOR.MATH with the mode omitted (negative numbers too go toward +∞ / −∞).
 * A significance of 0 or below is refused rather than read as Excel does (0 gives 0, the sign
 * is dropped): CEIL(x, 0) and CEIL(x, -2) meant decimals here before, and a price rounded to a
 * multiple of 0 is always a mistake.
 */
const significanceFn = <N extends string>(name: N, summary: string, mode: 'ceil' | 'floor'): Builtin<N> => ({
  name, signature: `${name}(x, significance = 1)`, summary, minArgs: 1, maxArgs: 2, type: numbers,
  rounding: { mode, second: 'significance' },
  call: ([x, significance], fail) => {
    const v = num(x!(), 0, fail);
    if (!significance) return v.toDecimalPlaces(0, ROUNDING_MODES[mode]);
    const m = num(significance(), 1, fail);
    if (!m.gt(0)) fail(1, `the significance must be greater than 0, got ${decimalText(m)}`, `it is the multiple to round to: ${name}(x, 0.01) for cents, ${name}(x, 100) for hundreds`);
    return toMultiple(v, m, ROUNDING_MODES[mode], fail);
  },
  lower: (l) => {
    if (l.args.length < 2) return l.round(l.arg(0), 0, mode);
    const m = l.constant(1);
    if (!m) return l.refuse(`${l.text}: the significance must be a constant`);
    if (!m.gt(0)) return l.fail(`the significance must be greater than 0, got ${decimalText(m)}`);
    // A power of ten is a number of decimals (CEIL(x, 0.01) rounds up to cents); any other multiple divides and multiplies back.
    const digits = roundingDigits({ mode, second: 'significance' }, m);
    if (typeof digits === 'number') return l.round(l.arg(0), digits, mode);
    return l.multiply(l.round(l.divide(l.arg(0), l.number(m)), 0, mode), l.number(m));
  },
});

/** v rounded to a multiple of m in `mode` (CEILING.MATH, FLOOR.MATH, MROUND). */
function toMultiple(v: Decimal, m: Decimal, mode: Rounding, fail: Fail): Decimal {
  return withinDigits(v.div(m).toDecimalPlaces(0, mode).times(m), fail);
}

/** A result past the digit limit (a multiple of a many-digit significance, a large power) is an error, never rounded. */
function withinDigits(d: Decimal, fail: Fail): Decimal {
  if (!d.fitsDigits(MAX_DIGITS)) fail(-1, `the result is too large or too precise to stay exact (more than ${MAX_DIGITS} digits)`, 'a price never needs this many digits');
  return d;
}

/** AND, OR, NOT: the spreadsheet functions beside the words; stop at the first argument that decides, like the words. */
const logicFn = <N extends string>(name: N, signature: string, summary: string, f: (args: (() => boolean)[]) => boolean): Builtin<N> => ({
  name, signature, summary, minArgs: 1, maxArgs: Infinity,
  type: (args, c) => (args.forEach((a, i) => expect(a, T.boolean, i, c, 'argument')), T.boolean),
  call: (args, fail) => f(args.map((a, i) => () => {
    const v = a();
    return typeof v === 'boolean' ? v : fail(i, `expected true or false, got ${showValue(v)}`);
  })),
  lower: (l) => {
    const parts = l.args.map((_, i) => l.arg(i));
    return name === 'AND' ? l.all(parts) : name === 'OR' ? l.any(parts) : l.not(parts[0]!);
  },
});

const listPredicate = <N extends string>(name: N, summary: string, f: (items: Value[], test: (x: Value) => boolean) => Value): Builtin<N> => ({
  name, signature: `${name}(list, x => condition)`, summary, minArgs: 2, maxArgs: 2, lambdas: { 1: 1 },
  type: (args, c) => {
    expect(args[0]!, T.list(T.any), 0, c);
    expect(args[1]!, T.boolean, 1, c, 'the condition');
    return name === 'FILTER' ? args[0]! : T.boolean;
  },
  call: ([xs], fail, [lambda]) => f(list(xs!(), 0, fail), (x) => {
    const r = lambda!(x);
    return typeof r === 'boolean' ? r : fail(1, `the condition must be true or false, got ${showValue(r)}`);
  }),
  lower: (l) => l.lambda(name as 'FILTER' | 'ANY' | 'ALL', l.arg(0), l.args[1]!),
});

function text(v: Value): string {
  return typeof v === 'string' ? v : v instanceof Decimal ? decimalText(v) : showValue(v);
}

export const BUILTINS = [
  {
    name: 'IF', signature: 'IF(condition, then, else)', summary: 'then when condition is true, else otherwise; only the branch taken is evaluated',
    minArgs: 3, maxArgs: 3,
    type: (args, c) => {
      expect(args[0]!, T.boolean, 0, c, 'the condition');
      const t = unify(args[1]!, args[2]!);
      if (!t) c(2, `both branches must have the same type; then is ${showType(args[1]!)}, else is ${showType(args[2]!)}`);
      return t ?? T.any;
    },
    call: ([cond, a, b], fail) => {
      const c = cond!();
      if (typeof c !== 'boolean') return fail(0, `the condition must be true or false, got ${showValue(c)}`);
      return c ? a!() : b!();
    },
    lower: (l) => l.firstOf([[l.arg(0), () => l.arg(1)]], () => l.arg(2)),
  },
  {
    name: 'IFS', signature: 'IFS(cond1, value1, cond2, value2, …, [default])', summary: 'the value of the first true condition, or the default',
    minArgs: 2, maxArgs: Infinity,
    type: (args, c) => {
      let t: Type = T.any;
      args.forEach((a, i) => {
        const isCond = i % 2 === 0 && i < args.length - 1;
        if (isCond) expect(a, T.boolean, i, c, 'a condition');
        else {
          const u = unify(t, a);
          if (!u) c(i, `every value must have the same type; this one is ${showType(a)}, earlier ones ${showType(t)}`);
          t = u ?? t;
        }
      });
      return t;
    },
    call: (args, fail) => {
      for (let i = 0; i + 1 < args.length; i += 2) {
        const c = args[i]!();
        if (typeof c !== 'boolean') return fail(i, `a condition must be true or false, got ${showValue(c)}`);
        if (c) return args[i + 1]!();
      }
      if (args.length % 2 === 1) return args[args.length - 1]!();
      return fail(-1, 'no condition of IFS was true', 'add a default value as the last argument');
    },
    lower: (l) => {
      const n = l.args.length;
      const cases: [ReturnType<typeof l.arg>, () => ReturnType<typeof l.arg>][] = [];
      for (let i = 0; i + 1 < n; i += 2) cases.push([l.arg(i), () => l.arg(i + 1)]);
      return l.firstOf(cases, () => (n % 2 === 1 ? l.arg(n - 1) : l.fail('no condition of IFS was true')));
    },
  },
  {
    name: 'SWITCH', signature: 'SWITCH(value, case1, result1, …, [default])', summary: 'the result paired with the first case equal to value, or the default',
    minArgs: 3, maxArgs: Infinity,
    type: (args, c) => {
      let t: Type = T.any;
      args.slice(1).forEach((a, j) => {
        const i = j + 1;
        const isCase = j % 2 === 0 && i < args.length - 1;
        if (isCase) {
          if (!unify(a, args[0]!)) c(i, `this case is ${showType(a)} but the value is ${showType(args[0]!)}`);
        } else {
          const u = unify(t, a);
          if (!u) c(i, `every result must have the same type; this one is ${showType(a)}, earlier ones ${showType(t)}`);
          t = u ?? t;
        }
      });
      return t;
    },
    call: (args, fail) => {
      const v = args[0]!();
      const k = keyOf(v);
      for (let i = 1; i + 1 < args.length; i += 2) {
        if (keyOf(args[i]!()) === k) return args[i + 1]!();
      }
      if (args.length % 2 === 0) return args[args.length - 1]!();
      return fail(0, `no case matches ${showValue(v)}`, 'add a default result as the last argument');
    },
    lower: (l) => {
      const n = l.args.length;
      const v = l.arg(0);
      const cases: [ReturnType<typeof l.arg>, () => ReturnType<typeof l.arg>][] = [];
      for (let i = 1; i + 1 < n; i += 2) cases.push([l.equals(v, l.arg(i)), () => l.arg(i + 1)]);
      return l.firstOf(cases, () => (n % 2 === 0 ? l.arg(n - 1) : l.fail('no case of SWITCH matches')));
    },
  },
  {
    name: 'MIN', signature: 'MIN(a, b, …) or MIN(list)', summary: 'the smallest number', minArgs: 1, maxArgs: Infinity,
    type: numbersOrList, call: (args, fail) => Decimal.min(...numbersOf(args, fail)),
    lower: (l) => l.extreme('MIN', l.numbers()),
  },
  {
    name: 'MAX', signature: 'MAX(a, b, …) or MAX(list)', summary: 'the largest number', minArgs: 1, maxArgs: Infinity,
    type: numbersOrList, call: (args, fail) => Decimal.max(...numbersOf(args, fail)),
    lower: (l) => l.extreme('MAX', l.numbers()),
  },
  {
    name: 'ABS', signature: 'ABS(x)', summary: 'the absolute value', minArgs: 1, maxArgs: 1,
    type: (args, c) => (expect(args[0]!, T.number, 0, c), T.number),
    call: ([x], fail) => num(x!(), 0, fail).abs(),
    lower: (l) => l.abs(l.arg(0)),
  },
  significanceFn('CEIL', 'rounds up (toward +∞) to a whole number, or to a multiple of the significance', 'ceil'),
  significanceFn('CEILING', 'the same as CEIL: rounds up (toward +∞) to a multiple of the significance (default 1)', 'ceil'),
  significanceFn('FLOOR', 'rounds down (toward −∞) to a whole number, or to a multiple of the significance', 'floor'),
  digitsFn('ROUND', 'rounds to `digits` decimals, half away from zero', 'round'),
  digitsFn('ROUNDUP', 'rounds away from zero to `digits` decimals', 'up'),
  digitsFn('ROUNDDOWN', 'rounds toward zero to `digits` decimals (the same as TRUNC)', 'trunc'),
  digitsFn('TRUNC', 'drops decimals beyond `digits` (toward zero)', 'trunc'),
  {
    name: 'INT', signature: 'INT(x)', summary: 'rounds down (toward −∞) to a whole number, as in spreadsheets: INT(-2.5) is -3',
    minArgs: 1, maxArgs: 1, type: numbers, rounding: { mode: 'floor', second: 'none' },
    call: ([x], fail) => num(x!(), 0, fail).toDecimalPlaces(0, Decimal.ROUND_FLOOR),
    lower: (l) => l.round(l.arg(0), 0, 'floor'),
  },
  {
    name: 'MROUND', signature: 'MROUND(x, multiple)', summary: 'the nearest multiple of `multiple`, halves away from zero; x and multiple have the same sign',
    minArgs: 2, maxArgs: 2, type: numbers,
    call: ([x, multiple], fail) => {
      const v = num(x!(), 0, fail);
      const m = num(multiple!(), 1, fail);
      if (m.isZero()) fail(1, 'the multiple must not be 0', 'MROUND(x, 5) rounds to the nearest 5');
      if (!v.isZero() && v.isNegative() !== m.isNegative()) fail(1, `x (${decimalText(v)}) and the multiple (${decimalText(m)}) must have the same sign, as in spreadsheets`, `give the multiple the sign of x: ${decimalText(m.neg())}`);
      return toMultiple(v, m, Decimal.ROUND_HALF_UP, fail);
    },
    lower: (l) => {
      const m = l.constant(1);
      if (!m) return l.refuse(`${l.text}: the multiple must be a constant`);
      if (m.isZero()) return l.fail('the multiple must not be 0');
      const x = l.arg(0);
      const zero = l.number(ZERO);
      // x and the multiple have the same sign (or x is 0), else it is an error, as in spreadsheets.
      const sameSign = l.compare(x, m.isNegative() ? '<=' : '>=', zero);
      const multiple = l.number(m);
      return l.firstOf([[sameSign, () => l.multiply(l.round(l.divide(x, multiple), 0, 'round'), multiple)]],
        () => l.fail('x and the multiple must have the same sign, as in spreadsheets'));
    },
  },
  logicFn('AND', 'AND(a, b, …)', 'whether every argument is true (the same as a and b)', (xs) => xs.every((x) => x())),
  logicFn('OR', 'OR(a, b, …)', 'whether any argument is true (the same as a or b)', (xs) => xs.some((x) => x())),
  { ...logicFn('NOT', 'NOT(a)', 'true when a is false (the same as not a)', ([x]) => !x!()), maxArgs: 1 },
  {
    name: 'CLAMP', signature: 'CLAMP(x, lo, hi)', summary: 'x limited to the range lo..hi', minArgs: 3, maxArgs: 3,
    type: numbers,
    call: ([x, lo, hi], fail) => {
      const [v, l, h] = [num(x!(), 0, fail), num(lo!(), 1, fail), num(hi!(), 2, fail)];
      if (l.gt(h)) fail(1, `lo (${decimalText(l)}) is greater than hi (${decimalText(h)})`);
      return Decimal.min(Decimal.max(v, l), h);
    },
    lower: (l) => {
      const [x, lo, hi] = [l.arg(0), l.arg(1), l.arg(2)];
      return l.firstOf([[l.compare(lo, '>', hi), () => l.fail('CLAMP: lo is greater than hi')]], () => l.extreme('MIN', [l.extreme('MAX', [x, lo]), hi]));
    },
  },
  {
    name: 'MOD', signature: 'MOD(a, b)', summary: 'the remainder of a / b, with the sign of b', minArgs: 2, maxArgs: 2,
    type: numbers,
    call: ([a, b], fail) => {
      const d = num(b!(), 1, fail);
      if (d.isZero()) fail(1, 'division by zero in MOD', 'make sure the divisor can never be 0, e.g. MAX(b, 1)');
      return num(a!(), 0, fail).mod(d);
    },
    // a − b·FLOOR(a / b): the remainder with the sign of b, as the interpreter's (and spreadsheets').
    lower: (l) => {
      const [a, b] = [l.arg(0), l.arg(1)];
      if (l.constant(1)?.isZero()) return l.fail('division by zero in MOD');
      return l.subtract(a, l.multiply(b, l.round(l.divide(a, b), 0, 'floor')));
    },
  },
  {
    name: 'POWER', signature: 'POWER(x, n)', summary: 'x to the whole power n (−64 ≤ n ≤ 64)', minArgs: 2, maxArgs: 2,
    type: numbers,
    call: ([x, n], fail) => {
      const base = num(x!(), 0, fail);
      const e = int(n!(), 1, fail, -64, 64, 'the exponent');
      if (e < 0 && base.isZero()) fail(0, 'division by zero: 0 to a negative power');
      const p = base.pow(Math.abs(e));
      withinDigits(p, fail);
      return e < 0 ? new Decimal(1).div(p) : p;
    },
    // A constant whole exponent: repeated products (by squaring), and for a negative one the quotient of 1 by them.
    lower: (l) => {
      const n = l.constant(1);
      if (!n || !n.isInteger() || n.abs().gt(64)) return l.refuse(`${l.text}: the exponent must be a whole constant from -64 to 64`);
      const x = l.arg(0);
      let e = Math.abs(n.toNumber());
      let result: ReturnType<typeof l.arg> | undefined;
      let square = x;
      while (e > 0) {
        if (e % 2 === 1) result = result === undefined ? square : l.multiply(result, square);
        e = Math.floor(e / 2);
        if (e > 0) square = l.multiply(square, square);
      }
      const one = l.number(new Decimal(1));
      if (result === undefined) return one;
      return n.isNegative() ? l.divide(one, result) : result;
    },
  },
  {
    name: 'SUM', signature: 'SUM(list)', summary: 'the sum of a list of numbers (0 for an empty list)', minArgs: 1, maxArgs: 1,
    type: (args, c) => (args[0]!.k === 'list' ? expect(args[0]!.of, T.number, 0, c, 'list items') : expect(args[0]!, T.list(T.number), 0, c), T.number),
    call: ([xs], fail) => list(xs!(), 0, fail).reduce<Decimal>((s, x) => s.plus(num(x, 0, fail)), ZERO),
    lower: (l) => l.sum(l.arg(0)),
  },
  {
    name: 'COUNT', signature: 'COUNT(list)', summary: 'the number of items in a list', minArgs: 1, maxArgs: 1,
    type: (args, c) => (expect(args[0]!, T.list(T.any), 0, c), T.number),
    call: ([xs], fail) => new Decimal(list(xs!(), 0, fail).length),
    lower: (l) => l.count(l.arg(0)),
  },
  {
    name: 'AVERAGE', signature: 'AVERAGE(list)', summary: 'the mean of a non-empty list of numbers', minArgs: 1, maxArgs: 1,
    type: (args, c) => (args[0]!.k === 'list' ? expect(args[0]!.of, T.number, 0, c, 'list items') : expect(args[0]!, T.list(T.number), 0, c), T.number),
    call: ([xs], fail) => {
      const items = list(xs!(), 0, fail);
      if (items.length === 0) fail(0, 'AVERAGE of an empty list');
      return items.reduce<Decimal>((s, x) => s.plus(num(x, 0, fail)), ZERO).div(items.length);
    },
    // The sum over the count: a quotient by a value that isn't a constant (0 for an empty list, an error).
    lower: (l) => {
      const list = l.arg(0);
      return l.divide(l.sum(list), l.count(list));
    },
  },
  {
    name: 'MAP', signature: 'MAP(list, x => expression)', summary: 'the list of the expression applied to each item', minArgs: 2, maxArgs: 2, lambdas: { 1: 1 },
    type: (args, c) => (expect(args[0]!, T.list(T.any), 0, c), T.list(args[1]!)),
    call: ([xs], fail, [lambda]) => list(xs!(), 0, fail).map((x) => lambda!(x)),
    lower: (l) => l.lambda('MAP', l.arg(0), l.args[1]!),
  },
  listPredicate('FILTER', 'the items for which the condition is true', (items, test) => items.filter(test)),
  listPredicate('ANY', 'whether the condition is true for some item', (items, test) => items.some(test)),
  listPredicate('ALL', 'whether the condition is true for every item', (items, test) => items.every(test)),
  {
    name: 'HAS', signature: 'HAS(table, key)', summary: 'whether the table has a row with this key', minArgs: 2, maxArgs: 2,
    type: (args, c) => {
      if (args[0]!.k !== 'table' && args[0]!.k !== 'any') c(0, `the first argument must be a table, but it is ${showType(args[0]!)}`);
      return T.boolean;
    },
    call: ([table, key], fail) => {
      const t = table!();
      if (!(t instanceof TableValue)) return fail(0, 'expected a table');
      const k = keyOf(key!());
      return k !== undefined && t.rows.has(k);
    },
    lower: (l) => l.has(0, l.arg(1)),
  },
  {
    name: 'KEYS', signature: 'KEYS(table)', summary: "the table's keys, in row order", minArgs: 1, maxArgs: 1,
    type: (args, c) => {
      const t = args[0]!;
      if (t.k === 'table') return T.list(t.key);
      if (t.k !== 'any') c(0, `the argument must be a table, but it is ${showType(t)}`);
      return T.list(T.any);
    },
    call: ([table], fail) => {
      const t = table!();
      return t instanceof TableValue ? [...t.keys] : fail(0, 'expected a table');
    },
    lower: (l) => l.keys(0),
  },
  {
    name: 'CONCAT', signature: 'CONCAT(a, b, …)', summary: 'the values joined as text', minArgs: 1, maxArgs: Infinity,
    type: () => T.string,
    call: (args) => args.map((a) => text(a())).join(''),
    // Text parts only: numbers and booleans are written by the interpreter (`TEXT`).
    lower: (l) => l.concat(l.args.map((_, i) => l.arg(i))),
  },
  {
    name: 'TEXT', signature: 'TEXT(x)', summary: 'the value as text (numbers in plain decimal notation)', minArgs: 1, maxArgs: 1,
    type: () => T.string,
    call: ([x]) => text(x!()),
    lower: { none: 'JavaScript writes numbers differently from the engine (0.1 + 0.2, 1e21)' },
  },
  {
    name: 'LEN', signature: 'LEN(text or list)', summary: 'the number of characters of a text, or items of a list', minArgs: 1, maxArgs: 1,
    type: (args, c) => {
      const t = args[0]!;
      if (t.k !== 'string' && t.k !== 'list' && t.k !== 'any') c(0, `the argument must be text or a list, but it is ${showType(t)}`);
      return T.number;
    },
    call: ([x], fail) => {
      const v = x!();
      if (typeof v === 'string') return new Decimal([...v].length);
      return new Decimal(list(v, 0, fail).length);
    },
    lower: { none: 'JSON Logic has no length operation, and the fast path leaves text to the interpreter' },
  },
] as const satisfies readonly Builtin[];

/** The name of every built-in function. Each must say how the compilers compute it (`lower` is required), or why none does. */
export type BuiltinName = (typeof BUILTINS)[number]['name'];


const byName = new Map<string, Builtin<BuiltinName>>(BUILTINS.map((b) => [b.name, b]));

/** Function names are case-insensitive: `ceil`, `Ceil` and `CEIL` are the same. */
export function builtin(name: string): Builtin<BuiltinName> | undefined {
  return byName.get(name.toUpperCase());
}

export const BUILTIN_NAMES: BuiltinName[] = BUILTINS.map((b) => b.name);
