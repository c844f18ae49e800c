// The fast path: an operation whose formulas stay within plain arithmetic, comparisons,
// the builtins' lowerings (functions/lowering.ts), table lookups by text key and first/unique
// decision tables is also compiled to one JavaScript function, generated from the checked
// AST (never from rule text: names become v0, v1…, text literals are JSON-quoted).
//
// Every number there is a scaled integer: a JS number m holding the value m / (10^s · den),
// its Shape (scale s, whole denominator den, bounds) decided by numeric-shape.ts, the same
// decisions the JSON Logic export makes. While |m| stays below 2^53, + - * and comparisons on
// such integers are exact; where the bounds don't prove it, the code checks. Whenever
// exactness can't be guaranteed — an overflow, a division that doesn't come out even, a
// number input with more than 6 decimals, an unknown table key, a failed constraint, a wrong
// input — the function gives up ("bails") and the caller evaluates with the exact rational
// interpreter instead, which also produces the proper error or rejection. So the fast path is
// never less exact, only faster: a quotient by a constant keeps its denominator
// (`CEIL(price / 30 * days)` is rounded exactly), and one that must become a decimal but
// doesn't terminate is the interpreter's.
import type { Expr, UnaryTest } from '../../grammar/ast.ts';
import type { CheckedDecision, CheckedOperation, Symbol } from '../check/model.ts';
import { Decimal, fromScaled, ZERO } from '../decimal.ts';
import { builtin } from '../functions/builtins.ts';
import type { Comparison, Lowering, RoundingMode } from '../functions/lowering.ts';
import { spreadsheetEquivalent } from '../functions/operators.ts';
import type { InputDecl } from '../rules/model.ts';
import {
  absShape, addShape, alignFactor, clampToExact, columnShape, common, compareConstants, divideByConstantShape, extremeShape, fitsExactly, inputShape, joinShapes,
  literalShape, mantissaBound, mantissaOf, MAX_EXACT, multiplyShape, negateShape, NotExact, NUMBER_INPUT, plainShape,
  quotientShape, ratioComparison, rescaled, roundShape, type Shape,
} from './numeric-shape.ts';
import { TableValue, type RecordValue, type Value } from '../value.ts';

/** Gives up on the fast path; the exact interpreter takes over. */
const BAIL = Symbol('bail');
const MAX = MAX_EXACT;

export type FastEvaluate = (input: Record<string, unknown>) => RecordValue | undefined;

class Ineligible extends Error {}

/** A number: the code computing m, and its Shape (the value is m / (10^scale · den), within lo..hi). */
type Num = Shape & { t: 'num'; code: string };
/** A list known at compile time (a literal, a table's keys, FILTER/MAP of those): items present when `cond`. */
type StaticList = { t: 'list'; items: { cond: string; item: Gen }[] };
/** A list input of text: a JS array of strings, validated on entry. */
type TextList = { t: 'texts'; code: string };
/**
 * A quotient by a value that isn't a constant, kept as numerator and denominator: where it is
 * only compared (an aspect ratio in a decision table) the comparison cross-multiplies, so
 * `1280 / 720 > 1.5` needs no division, and agrees exactly with the interpreter's rational
 * quotient. Used as a number, it is divided, exactly or not at all.
 */
type Ratio = { t: 'ratio'; num: Num; den: Num };
/** Where the interpreter raises an error (a builtin's `fail`): the code gives up, and the interpreter reports it. */
type Never = { t: 'never'; code: string };
/**
 * Text, or true/false. Text read from an input declared with an enum also has `index`: the
 * code of its position among the enum's values, found once on entry, so a table keyed by it
 * is an array read rather than a hash lookup.
 */
type Scalar = Num | { t: 'bool' | 'str'; code: string; index?: { code: string; values: readonly string[] } };
type Gen = Scalar | Ratio | StaticList | TextList | Never;

const NEVER: Never = { t: 'never', code: 'rt.bail()' };

const POW10 = Array.from({ length: 31 }, (_, i) => 10 ** i);

/**
 * Decimals of outputs, shared: prices repeat (a platform has few distinct costs), and Decimals
 * are immutable, so recent ones are reused rather than rebuilt. One direct-mapped cache per
 * scale: slot (m | 0) & DECIMAL_SLOT_MASK holds the last mantissa seen there and its Decimal.
 * The generated code reads the slot itself and calls rt.dec only on a miss.
 */
const DECIMAL_SLOTS = 8192;
const DECIMAL_SLOT_MASK = DECIMAL_SLOTS - 1;
const DECIMAL_KEYS: (Float64Array | undefined)[] = [];
const DECIMAL_VALUES: ((Decimal | undefined)[] | undefined)[] = [];

/** The output cache of a scale, made on first use. */
function decimalCache(scale: number): void {
  if (DECIMAL_KEYS[scale]) return;
  DECIMAL_KEYS[scale] = new Float64Array(DECIMAL_SLOTS).fill(NaN);
  DECIMAL_VALUES[scale] = new Array<Decimal | undefined>(DECIMAL_SLOTS).fill(undefined);
}

/**
 * Runtime helpers of the generated code. The hot steps (reading a number input, rounding,
 * finding an output's Decimal) are written out inline by the generator instead, so they
 * cost no call whatever the optimiser's inlining budget leaves over.
 */
const runtime = {
  BAIL,
  /** Gives up, from inside an expression. */
  bail(): never {
    throw BAIL;
  },
  /** Checks that an integer result is still exact. */
  k(x: number): number {
    if (x > MAX || x < -MAX) throw BAIL;
    return x;
  },
  /** m / d for a whole d > 0, if it comes out even. */
  exact(m: number, d: number): number {
    // Below 2^53 - d the product q·d is an exact double, so comparing it with m is exact.
    if (m > MAX - d || m < d - MAX) throw BAIL;
    const q = m / d;
    if (!Number.isInteger(q) || q * d !== m) throw BAIL;
    return q;
  },
  /** (ma at scale sa) / (mb at scale sb) at scale sa + DIVISION_EXTRA_SCALE, if it comes out even. */
  div(ma: number, mb: number, shift: number): number {
    if (mb === 0) throw BAIL;
    const n = runtime.k(ma * POW10[shift]!);
    if (Math.abs(n) > MAX - Math.abs(mb)) throw BAIL;
    const q = n / mb;
    if (!Number.isInteger(q) || q * mb !== n) throw BAIL;
    return q;
  },
  /** The output cache's slots, per scale (see DECIMAL_KEYS). */
  decKeys: DECIMAL_KEYS,
  decValues: DECIMAL_VALUES,
  /** A scaled integer as an exact Decimal, on a miss of the output cache (which it fills). */
  dec(m: number, s: number): Decimal {
    m += 0; // -0 is 0: the interpreter has no -0
    const slot = (m | 0) & DECIMAL_SLOT_MASK;
    const d = fromScaled(m, s);
    DECIMAL_KEYS[s]![slot] = m;
    DECIMAL_VALUES[s]![slot] = d;
    return d;
  },
  /** A table row, or bail when the key has none (the interpreter reports the unknown key). */
  row(r: Record<string, number | string | boolean> | undefined): Record<string, number | string | boolean> {
    if (r === undefined) throw BAIL;
    return r;
  },
  /** A divisor, or bail on zero (the interpreter reports the division by zero). */
  nz(d: number): number {
    if (d === 0) throw BAIL;
    return d;
  },
};

/** A table column as the generated code reads it; numbers pre-scaled, in row order. */
type TableColumn = { t: 'num'; shape: Shape; scaled: number[] } | { t: 'str' | 'bool' };

interface Ctx {
  op: CheckedOperation;
  /** Lambda parameters in scope, bound to the item being generated. */
  locals: Map<string, Gen>;
  shared: (name: string) => Value;
  lines: string[];
  /** Generated code per cell/decision name, once emitted. */
  emitted: Map<string, Gen | Map<string, Gen>>;
  tables: Map<TableValue, { id: string; columns: Map<string, TableColumn> }>;
  fresh: () => string;
  /** A fresh local declared at the top of the function, for values an expression assigns as it goes (rounding). */
  temp: () => string;
  /** Values made once, at compile time, that the generated code reads by name (a set of enum values). */
  statics: Map<string, unknown>;
  /** Registers such a value; its name. */
  static: (prefix: string, value: unknown) => string;
  /** Rows of a table by an enum input's position, made once the table's columns are known: name → table and values. */
  indexed: Map<string, { table: TableValue; values: readonly string[] }>;
}

/** Counts the generated function keeps itself: quotes it ran, and those it gave up on. */
export interface FastCounts {
  runs: number;
  fallbacks: number;
}

/**
 * The operation as one generated function, or undefined when it isn't covered. The function
 * counts into `counts` itself (no wrapper call per quote): each run, and each fallback.
 */
export function compileFast(op: CheckedOperation, shared: (name: string) => Value, counts: FastCounts): FastEvaluate | undefined {
  let n = 0;
  const temps: string[] = [];
  const cx: Ctx = {
    op, shared, locals: new Map(), lines: [], emitted: new Map(), tables: new Map(), statics: new Map(), indexed: new Map(), fresh: () => `v${n++}`,
    static: (prefix, value) => {
      const name = `${prefix}${cx.statics.size}`;
      cx.statics.set(name, value);
      return name;
    },
    temp: () => {
      const t = `v${n++}`;
      temps.push(t);
      return t;
    },
  };
  try {
    const inputs = emitInputs(cx, op.decl.inputs);
    for (const c of op.constraints) cx.lines.push(`if (!(${asBool(gen(cx, c.formula.expr))})) throw rt.BAIL;`);
    const scales = new Set<number>();
    const outputs = op.outputs.map((name) => {
      const g = genName(cx, name);
      if (g instanceof Map) throw new Ineligible();
      const v = scalar(g);
      if (v.t !== 'num') return v.code;
      const p = plain(v);
      // The output's Decimal from the cache slot of its mantissa, built (rt.dec) only on a miss.
      const m = cx.fresh();
      const slot = cx.fresh();
      scales.add(p.scale);
      cx.lines.push(`const ${m} = ${p.code} + 0, ${slot} = (${m} | 0) & ${DECIMAL_SLOT_MASK};`);
      return `(dk${p.scale}[${slot}] === ${m} ? dv${p.scale}[${slot}] : rt.dec(${m}, ${p.scale}))`;
    });
    const body = [
      ...(temps.length ? [`let ${temps.join(', ')};`] : []),
      ...inputs,
      ...cx.lines,
      unknownInputCheck(op.decl.inputs),
      `return new Outputs(${outputs.join(', ')});`,
    ].join('\n');
    const tableArgs = [...cx.tables.values()].map((t) => t.id);
    const tableMaps = [...cx.tables.entries()].map(([table, info]) => scaledTable(table, info.columns));
    for (const [name, { table, values }] of cx.indexed) {
      const rows = tableMaps[[...cx.tables.keys()].indexOf(table)]!;
      cx.statics.set(name, values.map((v) => rows.get(v)));
    }
    const staticArgs = [...cx.statics.keys()];
    if (process.env.CREDITS_DEBUG_FAST) console.error(body);
    // Outputs are records without a prototype chain to Object (like makeRecord's), but built
    // by a constructor so every result has the same fast shape.
    const outputsClass = `function Outputs(${op.outputs.map((_, k) => `o${k}`).join(', ')}) { ${op.outputs.map((name, k) => `this[${JSON.stringify(name)}] = o${k};`).join(' ')} }\nOutputs.prototype = Object.create(null);`;
    for (const s of scales) decimalCache(s);
    const caches = [...scales].map((s) => `const dk${s} = rt.decKeys[${s}], dv${s} = rt.decValues[${s}];`).join('\n');
    // Any exception gives up too (rt.BAIL, or a TypeError on an input that is null): the interpreter answers, or says what is wrong.
    const factory = new Function('rt', 'counts', ...tableArgs, ...staticArgs, `${outputsClass}\n${caches}\nreturn function fast(input) {\ncounts.runs++;\ntry {\n${body}\n} catch { counts.fallbacks++; return undefined; }\n};`);
    return factory(runtime, counts, ...tableMaps, ...cx.statics.values()) as FastEvaluate;
  } catch (e) {
    if (e instanceof Ineligible || e instanceof NotExact) return undefined;
    throw e;
  }
}

function emitInputs(cx: Ctx, inputs: readonly InputDecl[]): string[] {
  const lines: string[] = [];
  for (const i of inputs) {
    const id = cx.fresh();
    const raw = `input[${JSON.stringify(i.name)}]`;
    const t = i.type;
    let read: string;
    let g: Gen;
    switch (t.kind) {
      case 'integer':
      case 'number': {
        // An integer as it is; a number scaled to NUMBER_INPUT.decimals decimals, if it has no
        // more than that: below 10^9 with at most 6 decimals, a JSON number has at most 15
        // significant digits, which is what the interpreter accepts as exact; anything else
        // (and -0, made 0) is the interpreter's to judge.
        const shape = t.kind === 'integer' ? inputShape(t, 0, MAX) : inputShape(t, NUMBER_INPUT.decimals, NUMBER_INPUT.maximum);
        const f = POW10[NUMBER_INPUT.decimals]!;
        // The range is tested on the number as given (NaN fails it too): within ±10^9 and the
        // declared min and max, exactly those of the scaled integer when it has at most 6 decimals.
        const low = t.min && t.min.gt(-NUMBER_INPUT.maximum) ? `${id} >= ${t.min.toNumber()}` : `${id} > ${-NUMBER_INPUT.maximum}`;
        const high = t.max && t.max.lt(NUMBER_INPUT.maximum) ? `${id} <= ${t.max.toNumber()}` : `${id} < ${NUMBER_INPUT.maximum}`;
        // An integer declared within 32 bits is tested as one ((x | 0) === x, which also makes -0 0).
        const int32 = t.min && t.max && t.min.gte(-(2 ** 31)) && t.max.lt(2 ** 31);
        read = t.kind === 'integer'
          ? int32
            ? `if (typeof ${id} !== 'number' || (${id} | 0) !== ${id}) throw rt.BAIL; ${id} |= 0;`
            : `if (typeof ${id} !== 'number' || !Number.isSafeInteger(${id})) throw rt.BAIL; ${id} += 0;`
          : `if (typeof ${id} !== 'number' || !(${low} && ${high})) throw rt.BAIL; const ${id}m = Math.round(${id} * ${f}); if (${id}m / ${f} !== ${id}) throw rt.BAIL; ${id} = ${id}m + 0;`;
        const checks: string[] = [];
        if (t.kind === 'integer' && t.min) checks.push(`${id} < ${mantissa(t.min, shape)}`);
        if (t.kind === 'integer' && t.max) checks.push(`${id} > ${mantissa(t.max, shape)}`);
        // min and max as written must be numbers of the same decimals, or the scaled integer is what is compared.
        if (t.kind === 'number') {
          if (t.min) mantissa(t.min, shape);
          if (t.max) mantissa(t.max, shape);
        }
        if (t.enum) checks.push(`!(${t.enum.map((e) => `${id} === ${mantissa(e, shape)}`).join(' || ')})`);
        g = { ...shape, t: 'num', code: id };
        lines.push(...readInput(id, raw, read, i, checks, shape));
        break;
      }
      case 'string': {
        const checks = [`typeof ${id} !== 'string'`];
        if (t.enum) {
          // The position among the enum's values, from an object made once (undefined: not one of them).
          const positions = cx.static('e', Object.assign(Object.create(null) as Record<string, number>, Object.fromEntries(t.enum.map((v, k) => [v, k]))));
          lines.push(`let ${id}i = -1;`);
          checks.push(`(${id}i = ${positions}[${id}]) === undefined`);
          g = { t: 'str', code: id, index: { code: `${id}i`, values: t.enum } };
        } else g = { t: 'str', code: id };
        const position = t.enum && typeof i.default === 'string' ? t.enum.indexOf(i.default) : -1;
        lines.push(...readInput(id, raw, id, i, checks, undefined, position >= 0 ? ` ${id}i = ${position};` : ''));
        break;
      }
      case 'boolean':
        g = { t: 'bool', code: id };
        lines.push(...readInput(id, raw, id, i, [`typeof ${id} !== 'boolean'`]));
        break;
      case 'list': {
        const items = t.items;
        if (items.kind !== 'string') throw new Ineligible();
        const item = `${id}_item`;
        const bad = [`typeof ${item} !== 'string'`];
        if (items.enum) bad.push(enumTest(cx, item, items.enum));
        const checks = [`!Array.isArray(${id})`];
        if (t.minItems !== undefined) checks.push(`${id}.length < ${t.minItems}`);
        if (t.maxItems !== undefined) checks.push(`${id}.length > ${t.maxItems}`);
        g = { t: 'texts', code: id };
        lines.push(...readInput(id, raw, id, i, checks), `if (${raw} !== undefined) for (const ${item} of ${id}) if (${bad.join(' || ')}) throw rt.BAIL;`);
        break;
      }
      default:
        throw new Ineligible();
    }
    cx.emitted.set(i.name, g);
  }
  const required = inputs.filter((i) => i.default === undefined).length;
  if (required < inputs.length) {
    // Counted from the required ones (each was there, or the code gave up), plus each optional one given.
    lines.unshift(`let present = ${required};`);
    // With nothing required, no read above gives up on something other than an object of inputs.
    if (required === 0) lines.unshift(`if (typeof input !== 'object' || input === null || Array.isArray(input)) throw rt.BAIL;`);
  }
  return lines;
}

/**
 * An unknown input name is the interpreter's to report: the names given are counted (for-in is
 * the cheapest walk over them, with no array made) and must be exactly the declared ones read.
 * With no defaults every declared one was there, or the code gave up already. The count comes
 * last, after the arithmetic, which then overlaps it.
 */
function unknownInputCheck(inputs: readonly InputDecl[]): string {
  const optional = inputs.some((i) => i.default !== undefined);
  return `let count = 0; for (const key in input) count++; if (count !== ${optional ? 'present' : inputs.length}) throw rt.BAIL;`;
}

/**
 * `id` isn't one of the text values: a few compared in turn, more looked up in a Set made once
 * (each comparison of two different strings is a call; a lookup hashes once).
 */
function enumTest(cx: Ctx, id: string, values: readonly string[]): string {
  if (values.length <= 3) return `!(${values.map((e) => `${id} === ${JSON.stringify(e)}`).join(' || ')})`;
  return `!${cx.static('s', new Set(values))}.has(${id})`;
}

function readInput(id: string, raw: string, read: string, i: InputDecl, checks: string[], shape?: Shape, onDefault = ''): string[] {
  const fallback = i.default === undefined ? 'throw rt.BAIL' : `${id} = ${defaultCode(i.default, shape)};${onDefault}`;
  return [
    // The input is read once; `read` (statements, or none) converts it in place (a number to its scaled integer).
    `let ${id} = ${raw};`,
    `if (${id} === undefined) { ${fallback}; } else {${i.default === undefined ? '' : ' present++;'}${read === id ? '' : ` ${read}`}${checks.length ? ` if (${checks.join(' || ')}) throw rt.BAIL;` : ''} }`,
  ];
}

function defaultCode(v: Value, shape: Shape | undefined): string {
  if (v instanceof Decimal && shape) return mantissa(v, shape);
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `Object.freeze(${JSON.stringify(v)})`;
  throw new Ineligible();
}

/** A constant's m in a shape, as code (negative in parentheses). */
function mantissa(v: Decimal, shape: { scale: number; den: number }): string {
  const m = mantissaOf(v, shape);
  return m < 0 ? `(${m})` : String(m);
}

/** A table cell, or a whole value, known at compile time. */
function constant(v: Value): Gen {
  if (v instanceof Decimal) return numLiteral(v);
  if (typeof v === 'string') return { t: 'str', code: JSON.stringify(v) };
  if (typeof v === 'boolean') return { t: 'bool', code: String(v) };
  throw new Ineligible();
}

/** A number from its shape and code; a constant is its literal m instead. */
function num(shape: Shape, code: string): Num {
  return { ...shape, t: 'num', code: shape.constant ? mantissa(shape.constant, shape) : code };
}

function numLiteral(d: Decimal): Num {
  return num(literalShape(d), '');
}

/**
 * Code computing m of `shape`, wrapped in the overflow check unless the bounds prove |m| < 2^53;
 * after the check the shape is clamped to what it lets through.
 */
function checked(code: string, shape: Shape): Num {
  if (shape.constant) return num(shape, '');
  return fitsExactly(shape) ? num(shape, `(${code})`) : num(clampToExact(shape), `rt.k(${code})`);
}

/** n on another scale and denominator: m multiplied by `factor`. */
function aligned(n: Num, to: { scale: number; den: number }, factor: number): Num {
  if (factor === 1) return n;
  const shape = rescaled(n, to);
  return n.constant ? num(shape, '') : checked(`${n.code} * ${factor}`, shape);
}

function asBool(g: Gen): string {
  if (g.t === 'never') return g.code;
  if (g.t !== 'bool') throw new Ineligible();
  return g.code;
}

function asNum(g: Gen | Map<string, Gen>): Num {
  if (g instanceof Map) throw new Ineligible();
  if (g.t === 'ratio') {
    const n = plain(g.num);
    const d = plain(g.den);
    const q = quotientShape(n, d);
    return num(q.shape, `rt.div(${n.code}, ${d.code}, ${q.shift})`);
  }
  if (g.t === 'never') return { scale: 0, den: 1, lo: ZERO, hi: ZERO, t: 'num', code: g.code };
  if (g.t !== 'num') throw new Ineligible();
  return g;
}

/** n with den 1: the denominator's 2s and 5s become decimals, the rest must divide out at run time. */
function plain(n: Num): Num {
  if (n.den === 1) return n;
  const p = plainShape(n, true);
  if (n.constant) return num(p.shape, '');
  const m = p.divide === 1 ? n.code : `rt.exact(${n.code}, ${p.divide})`;
  return p.times === 1 ? num(p.shape, m) : checked(`${m} * ${p.times}`, p.shape);
}

function scalar(g: Gen): Scalar | Never {
  if (g.t === 'ratio') return asNum(g);
  if (g.t === 'list' || g.t === 'texts') throw new Ineligible();
  return g;
}

function add(a: Num, b: Num, op: '+' | '-'): Num {
  const { shape, factors } = addShape(a, b, op);
  if (shape.constant) return num(shape, '');
  const [x, y] = [aligned(a, shape, factors[0]), aligned(b, shape, factors[1])];
  return checked(`${x.code} ${op} ${y.code}`, shape);
}

function multiply(a: Num, b: Num): Num {
  const shape = multiplyShape(a, b);
  if (shape.constant) return num(shape, '');
  if (a.constant?.eq(1) && a.scale === 0 && a.den === 1) return b;
  if (b.constant?.eq(1) && b.scale === 0 && b.den === 1) return a;
  return checked(`${a.code} * ${b.code}`, shape);
}

function negate(a: Num): Num {
  return a.constant ? num(negateShape(a), '') : num(negateShape(a), `(-(${a.code}))`);
}

/**
 * a / b. By a constant the quotient is a number with that denominator: it stays exact through
 * + - * and comparisons, is rounded exactly by CEIL/FLOOR/ROUND, and becomes a plain scaled
 * integer (plain()) only where it comes out even — so `CEIL(price / 30 * days)` stays on the
 * fast path. By anything else (or 0) it is a Ratio, exact where compared, divided (exactly or
 * not at all) where used as a number.
 */
function divide(a: Num, b: Num): Gen {
  if (b.constant && !b.constant.isZero()) {
    const q = divideByConstantShape(a, b.constant);
    if (q.shape.constant) return num(q.shape, '');
    const m = q.times === 1 ? num(q.shape, a.code) : checked(`${a.code} * ${q.times}`, q.shape);
    return q.negate ? num(q.shape, `(-(${m.code}))`) : m;
  }
  return { t: 'ratio', num: a, den: { ...b, code: `rt.nz(${b.code})` } };
}

/**
 * An integer m (|m| ≤ 2^53 - 1) divided by a whole p ≥ 2 and rounded in `mode`, as one
 * expression (it may sit in an IF branch not taken). The double quotient m / p is correctly
 * rounded, and below 2^53 it never rounds onto or across a whole number (that needs
 * |m| ≥ 2^53 + 1), so Math.ceil, Math.floor and Math.trunc of it are the exact results. Half
 * away from zero needs the remainder m − q·p, exact while |m| ≤ 2^53 − p: a bound that doesn't
 * prove that gets a check.
 */
function roundingCode(cx: Ctx, m: { code: string; bound: number; lo: Decimal }, p: number, mode: RoundingMode): string {
  switch (mode) {
    case 'ceil': return `Math.ceil(${m.code} / ${p})`;
    case 'floor': return `Math.floor(${m.code} / ${p})`;
    case 'trunc': return `Math.trunc(${m.code} / ${p})`;
    case 'up': {
      if (m.lo.gte(0)) return `Math.ceil(${m.code} / ${p})`;
      const x = cx.temp();
      return `(${x} = ${m.code}, ${x} < 0 ? Math.floor(${x} / ${p}) : Math.ceil(${x} / ${p}))`;
    }
    case 'round': {
      const [x, q, r] = [cx.temp(), cx.temp(), cx.temp()];
      const guard = m.bound > MAX - p ? `${x} > ${MAX - p} || ${x} < ${p - MAX} ? rt.bail() : 0, ` : '';
      return `(${x} = ${m.code}, ${guard}${q} = Math.floor(${x} / ${p}), ${r} = ${x} - ${q} * ${p}, 2 * ${r} > ${p} || (2 * ${r} === ${p} && ${x} > 0) ? ${q} + 1 : ${q})`;
    }
  }
}

function round(cx: Ctx, x: Num, digits: number, mode: RoundingMode): Num {
  const plan = roundShape(x, digits, mode);
  if (plan.identity) return plan.shape.constant ? num(plan.shape, '') : x;
  // x = m / (10^scale · den); at `digits` decimals it is m·raise / divisor, rounded, times `times`.
  const m = plan.raise === 1 ? x : checked(`${x.code} * ${plan.raise}`, plan.raised);
  const q = num(plan.shape, roundingCode(cx, { code: m.code, bound: mantissaBound(m).toNumber(), lo: m.lo }, plan.divisor, mode));
  if (plan.times === 1) return q;
  return checked(`${q.code} * ${plan.times}`, plan.shape);
}

type CompareOp = Comparison;
const FLIPPED: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const JS_OP: Record<CompareOp, string> = { '==': '===', '!=': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** Code comparing two numbers (either may be a quotient) exactly. */
function compare(l: Gen, op: CompareOp, r: Gen): string {
  if (l.t === 'never' || r.t === 'never') return NEVER.code;
  const a = l.t === 'ratio' ? l : asNum(l);
  const b = r.t === 'ratio' ? r : asNum(r);
  if (a.t === 'ratio' && b.t === 'ratio') return compare(asNum(a), op, asNum(b));
  if (b.t === 'ratio') return compare(b, FLIPPED[op], a);
  if (a.t === 'ratio') {
    // n/d OP b  ⇔  n OP b·d when d > 0, the other way round when d < 0
    const { product, factors, sides } = ratioComparison(a.num, a.den, b);
    const bd = checked(`${b.code} * ${a.den.code}`, product);
    const left = aligned(a.num, sides[0], factors[0]).code;
    const right = aligned(bd, sides[1], factors[1]).code;
    const positive = `${left} ${JS_OP[op]} ${right}`;
    const negative = `${left} ${JS_OP[FLIPPED[op]]} ${right}`;
    if (a.den.lo.gt(0)) return `(${positive})`;
    if (a.den.hi.lt(0)) return `(${negative})`;
    return `(${a.den.code} > 0 ? ${positive} : ${negative})`;
  }
  if (a.constant && b.constant) return String(compareConstants(a.constant, op, b.constant));
  const { scale, den, factors } = common([a, b]);
  const [x, y] = [aligned(a, { scale, den }, factors[0]!), aligned(b, { scale, den }, factors[1]!)];
  return `(${x.code} ${JS_OP[op]} ${y.code})`;
}

function equality(lg: Gen, rg: Gen): string {
  if (lg.t === 'ratio' || rg.t === 'ratio' || lg.t === 'never' || rg.t === 'never') return compare(lg, '==', rg);
  const l = scalar(lg);
  const r = scalar(rg);
  if (l.t === 'num' && r.t === 'num') return compare(l, '==', r);
  if (l.t !== r.t) throw new Ineligible();
  return `(${l.code} === ${r.code})`;
}

/** Numbers of alternative branches on one scale and denominator; `never` branches (errors) fit anything. */
function joinNums(ns: (Num | Never)[]): { shape: Shape; codes: string[] } {
  const live = ns.filter((n): n is Num => n.t === 'num');
  if (live.length === 0) throw new Ineligible();
  const { shape } = joinShapes(live);
  const target = { scale: shape.scale, den: shape.den };
  const codes = ns.map((n) => {
    if (n.t === 'never') return n.code;
    return aligned(n, target, alignFactor(n, target)).code;
  });
  return { shape: { scale: shape.scale, den: shape.den, lo: shape.lo, hi: shape.hi }, codes };
}

/** The value of the first true condition, else `otherwise`, as nested conditional expressions. */
function firstOf(cases: [string, () => Gen][], otherwise: () => Gen): Gen {
  const live = cases.filter(([c]) => c !== 'false');
  const firstTrue = live.findIndex(([c]) => c === 'true');
  const used = firstTrue >= 0 ? live.slice(0, firstTrue) : live;
  const last = firstTrue >= 0 ? live[firstTrue]![1] : otherwise;
  const values = [...used.map(([, v]) => scalar(v())), scalar(last())];
  if (used.length === 0) return values[0]!;
  const kinds = new Set(values.filter((v) => v.t !== 'never').map((v) => v.t));
  if (kinds.size === 0) return NEVER;
  if (kinds.size > 1) throw new Ineligible();
  const kind = [...kinds][0] as 'num' | 'str' | 'bool';
  let codes: string[];
  let shape: Shape | undefined;
  if (kind === 'num') ({ shape, codes } = joinNums(values as (Num | Never)[]));
  else codes = values.map((v) => v.code);
  const code = used.reduceRight((rest, [c], i) => `(${c} ? ${codes[i]} : ${rest})`, codes[codes.length - 1]!);
  return shape ? num(shape, code) : { t: kind as 'str' | 'bool', code };
}

function extreme(kind: 'MIN' | 'MAX', gs: Gen[]): Num {
  const xs = gs.map((g) => asNum(g));
  if (xs.length === 1) return xs[0]!;
  const { shape, factors } = extremeShape(kind, xs);
  if (shape.constant) return num(shape, '');
  return num(shape, `Math.${kind.toLowerCase()}(${xs.map((x, i) => aligned(x, shape, factors[i]!).code).join(', ')})`);
}

function asStatic(g: Gen): StaticList {
  if (g.t !== 'list') throw new Ineligible();
  return g;
}

/** Generates a lambda's body once per item of a static list, the parameter bound to the item. */
function withParam<T>(cx: Ctx, lambda: Expr | undefined, item: Gen, f: (body: Expr) => T): T {
  if (lambda?.kind !== 'lambda' || lambda.params.length !== 1) throw new Ineligible();
  const name = lambda.params[0]!.name;
  const outer = cx.locals.get(name);
  cx.locals.set(name, item);
  try {
    return f(lambda.body);
  } finally {
    if (outer) cx.locals.set(name, outer);
    else cx.locals.delete(name);
  }
}

/** Binds an expression's value to a fresh local, so it is computed once. */
function bind<G extends Gen>(cx: Ctx, g: G): G {
  if (g.t === 'ratio') return { t: 'ratio', num: bind(cx, g.num), den: bind(cx, g.den) } as G;
  if (g.t === 'list' || g.t === 'texts') return g;
  if (g.t === 'num' && (g as Num).constant) return g;
  const id = cx.fresh();
  cx.lines.push(`const ${id} = ${(g as Scalar | Never).code};`);
  return { ...g, code: id };
}

function genName(cx: Ctx, name: string): Gen | Map<string, Gen> {
  const known = cx.emitted.get(name);
  if (known) return known;
  const sym: Symbol | undefined = cx.op.symbols.get(name);
  if (!sym) throw new Ineligible();
  let g: Gen | Map<string, Gen>;
  switch (sym.kind) {
    case 'cell':
      if (sym.shared) {
        const v = cx.shared(name);
        if (v instanceof Decimal) g = numLiteral(v);
        else if (typeof v === 'string') g = { t: 'str', code: JSON.stringify(v) };
        else if (typeof v === 'boolean') g = { t: 'bool', code: String(v) };
        else throw new Ineligible();
      } else {
        g = bind(cx, gen(cx, sym.formula.expr));
      }
      break;
    case 'decision':
      g = genDecision(cx, sym.decision);
      break;
    default:
      throw new Ineligible();
  }
  cx.emitted.set(name, g);
  return g;
}

/** Registers a table for the generated code (its columns scaled once); undefined keys other than text make it ineligible. */
function tableInfo(cx: Ctx, table: TableValue): { id: string; columns: Map<string, TableColumn> } {
  if (table.keys.some((k) => typeof k !== 'string')) throw new Ineligible();
  let info = cx.tables.get(table);
  if (!info) {
    info = { id: `t${cx.tables.size}`, columns: new Map() };
    const first = table.rows.values().next().value as RecordValue | undefined;
    for (const col of Object.keys(first ?? {})) {
      const values = [...table.rows.values()].map((r) => r[col]!);
      if (values.every((v) => v instanceof Decimal)) {
        try {
          // Each value scaled once, here; the generated code reads these integers.
          const shape = columnShape(values as Decimal[]);
          if (!fitsExactly(shape)) continue;
          info.columns.set(col, { t: 'num', shape, scaled: (values as Decimal[]).map((v) => mantissaOf(v, shape)) });
        } catch (e) {
          if (!(e instanceof NotExact)) throw e;
        }
      } else if (values.every((v) => typeof v === 'string')) info.columns.set(col, { t: 'str' });
      else if (values.every((v) => typeof v === 'boolean')) info.columns.set(col, { t: 'bool' });
    }
    cx.tables.set(table, info);
  }
  return info;
}

/**
 * A row looked up where it is used, inside the expression: a lookup in an IF branch not taken
 * never runs, so an image tool's price doesn't bail on the video table's missing row.
 */
function genTableRow(cx: Ctx, table: TableValue, key: Gen): string {
  if (key.t !== 'str') throw new Ineligible();
  const info = tableInfo(cx, table);
  if (key.index) {
    // Keyed by an enum input: the rows in the order of its values, read by position.
    const name = `r${cx.statics.size}`;
    cx.statics.set(name, undefined);
    cx.indexed.set(name, { table, values: key.index.values });
    return `rt.row(${name}[${key.index.code}])`;
  }
  return `rt.row(${info.id}.get(${key.code}))`;
}

function scaledTable(table: TableValue, columns: Map<string, TableColumn>): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  let i = 0;
  for (const row of table.rows.values()) {
    const r: Record<string, unknown> = {};
    for (const [col, c] of columns) r[col] = c.t === 'num' ? c.scaled[i] : row[col];
    out.set(row[table.keyColumn] as string, r);
    i++;
  }
  return out;
}

function gen(cx: Ctx, e: Expr): Gen {
  switch (e.kind) {
    case 'number': return numLiteral(new Decimal(e.value));
    case 'string': return { t: 'str', code: JSON.stringify(e.value) };
    case 'boolean': return { t: 'bool', code: String(e.value) };
    case 'list':
      return { t: 'list', items: e.items.map((item) => ({ cond: 'true', item: gen(cx, item) })) };
    case 'name': {
      const local = cx.locals.get(e.name);
      if (local) return local;
      const g = genName(cx, e.name);
      if (g instanceof Map) throw new Ineligible();
      return g;
    }
    case 'member': {
      if (e.object.kind === 'index' && e.object.object.kind === 'name') {
        const sym = cx.op.symbols.get(e.object.object.name);
        if (sym?.kind === 'table') {
          const key = gen(cx, e.object.index);
          if (key.t === 'str' && key.code.startsWith('"')) {
            // A key known at compile time (a literal, or a KEYS item): the cell is a constant.
            const row = sym.value.rows.get(`s:${JSON.parse(key.code) as string}`);
            const cell = row?.[e.property];
            if (cell === undefined) throw new Ineligible();
            return constant(cell);
          }
          const row = genTableRow(cx, sym.value, key);
          const col = cx.tables.get(sym.value)!.columns.get(e.property);
          if (!col) throw new Ineligible();
          const code = `${row}[${JSON.stringify(e.property)}]`;
          return col.t === 'num' ? num(col.shape, code) : { t: col.t, code };
        }
      }
      if (e.object.kind === 'name') {
        const g = genName(cx, e.object.name);
        if (g instanceof Map) {
          const field = g.get(e.property);
          if (field) return field;
        }
      }
      throw new Ineligible();
    }
    case 'unary': {
      if (e.op === '%') return gen(cx, spreadsheetEquivalent(e)!);
      const x = gen(cx, e.operand);
      if (e.op === 'not') return { t: 'bool', code: `!(${asBool(x)})` };
      return negate(asNum(x));
    }
    case 'binary': return genBinary(cx, e);
    case 'call': return genCall(cx, e);
    default: throw new Ineligible();
  }
}

function genBinary(cx: Ctx, e: Extract<Expr, { kind: 'binary' }>): Gen {
  if (e.op === '^' || e.op === '&') return gen(cx, spreadsheetEquivalent(e)!);
  if (e.op === 'in') {
    const v = gen(cx, e.left);
    const list = gen(cx, e.right);
    if (list.t === 'texts') {
      if (v.t !== 'str') throw new Ineligible();
      return { t: 'bool', code: `${list.code}.includes(${v.code})` };
    }
    return { t: 'bool', code: `(${asStatic(list).items.map(({ cond, item }) => `(${cond} && ${equality(v, item)})`).join(' || ') || 'false'})` };
  }
  const l = gen(cx, e.left);
  const r = gen(cx, e.right);
  switch (e.op) {
    case 'and': return { t: 'bool', code: `(${asBool(l)} && ${asBool(r)})` };
    case 'or': return { t: 'bool', code: `(${asBool(l)} || ${asBool(r)})` };
    case '==': return { t: 'bool', code: equality(l, r) };
    case '!=': return { t: 'bool', code: `!${equality(l, r)}` };
    case '<': case '<=': case '>': case '>=': return { t: 'bool', code: compare(l, e.op, r) };
    case '+': case '-': return add(asNum(l), asNum(r), e.op);
    case '*': return multiply(asNum(l), asNum(r));
    case '/': return divide(asNum(l), asNum(r));
  }
}

/** A builtin call, compiled from its declared lowering (functions/lowering.ts) through FastLowering. */
function genCall(cx: Ctx, e: Extract<Expr, { kind: 'call' }>): Gen {
  const fn = builtin(e.callee);
  if (!fn || typeof fn.lower !== 'function' || fn.notLowered?.fast) throw new Ineligible();
  return fn.lower(new FastLowering(cx, e));
}

/** The fast path's side of the builtins' lowerings: each operation as JavaScript code on scaled integers. */
class FastLowering implements Lowering<Gen> {
  readonly args: readonly Expr[];
  constructor(private readonly cx: Ctx, private readonly e: Extract<Expr, { kind: 'call' }>) {
    this.args = e.args;
  }

  get text(): string {
    return this.e.callee;
  }

  arg(i: number): Gen {
    const a = this.args[i];
    if (!a) throw new Ineligible();
    return gen(this.cx, a);
  }

  constant(i: number): Decimal | null {
    const g = this.arg(i);
    return g.t === 'num' && g.constant ? g.constant : null;
  }

  number(value: Decimal): Gen {
    return value.terminates() ? numLiteral(value) : divide(numLiteral(new Decimal(value.n)), numLiteral(new Decimal(value.d)));
  }

  add(a: Gen, b: Gen): Gen { return add(asNum(a), asNum(b), '+'); }
  subtract(a: Gen, b: Gen): Gen { return add(asNum(a), asNum(b), '-'); }
  multiply(a: Gen, b: Gen): Gen { return multiply(asNum(a), asNum(b)); }
  divide(a: Gen, b: Gen): Gen { return divide(asNum(a), asNum(b)); }
  negate(a: Gen): Gen { return negate(asNum(a)); }

  abs(a: Gen): Gen {
    const x = asNum(a);
    return x.constant ? num(absShape(x), '') : num(absShape(x), `Math.abs(${x.code})`);
  }

  round(x: Gen, digits: number, mode: RoundingMode): Gen {
    return round(this.cx, asNum(x), digits, mode);
  }

  compare(a: Gen, op: Comparison, b: Gen): Gen { return { t: 'bool', code: compare(a, op, b) }; }
  equals(a: Gen, b: Gen): Gen { return { t: 'bool', code: equality(a, b) }; }
  all(cs: Gen[]): Gen { return { t: 'bool', code: `(${cs.map(asBool).join(' && ')})` }; }
  any(cs: Gen[]): Gen { return { t: 'bool', code: `(${cs.map(asBool).join(' || ')})` }; }
  not(c: Gen): Gen { return { t: 'bool', code: `!(${asBool(c)})` }; }

  firstOf(cases: [Gen, () => Gen][], otherwise: () => Gen): Gen {
    return firstOf(cases.map(([c, v]) => [asBool(c), v]), otherwise);
  }

  extreme(kind: 'MIN' | 'MAX', xs: Gen[]): Gen { return extreme(kind, xs); }
  fail(): Gen { return NEVER; }

  numbers(): Gen[] {
    if (this.args.length !== 1) return this.args.map((_, i) => this.arg(i));
    const g = this.arg(0);
    if (g.t !== 'list') return [g];
    // A list known in advance, every item present: its items. (One that FILTER may empty is the interpreter's.)
    if (g.items.length === 0 || g.items.some((i) => i.cond !== 'true')) throw new Ineligible();
    return g.items.map((i) => i.item);
  }

  sum(list: Gen): Gen {
    const items = asStatic(list).items.map(({ cond, item }) => ({ cond, item: asNum(item) }));
    if (items.length === 0) return numLiteral(new Decimal(0));
    const { shape } = joinShapes(items.map((i) => i.item));
    const target = { scale: shape.scale, den: shape.den };
    // Each item present or not: the sum lies between the sums of the items' lower (≤ 0) and upper (≥ 0) bounds.
    const lo = items.reduce((s, i) => s.plus(Decimal.min(0, i.item.lo)), new Decimal(0));
    const hi = items.reduce((s, i) => s.plus(Decimal.max(0, i.item.hi)), new Decimal(0));
    const codes = items.map(({ cond, item }) => {
      const code = aligned(item, target, alignFactor(item, target)).code;
      return cond === 'true' ? code : `(${cond} ? ${code} : 0)`;
    });
    return checked(codes.join(' + '), { ...target, lo, hi });
  }

  count(list: Gen): Gen {
    if (list.t === 'texts') return num({ scale: 0, den: 1, lo: new Decimal(0), hi: new Decimal(MAX) }, `${list.code}.length`);
    const items = asStatic(list).items;
    if (items.every((i) => i.cond === 'true')) return numLiteral(new Decimal(items.length));
    return num({ scale: 0, den: 1, lo: new Decimal(0), hi: new Decimal(items.length) }, `(${items.map(({ cond }) => `(${cond} ? 1 : 0)`).join(' + ')})`);
  }

  lambda(kind: 'MAP' | 'FILTER' | 'ANY' | 'ALL', listGen: Gen, lambda: Expr): Gen {
    const cx = this.cx;
    const list = asStatic(listGen);
    switch (kind) {
      case 'MAP':
        return { t: 'list', items: list.items.map(({ cond, item }) => ({ cond, item: withParam(cx, lambda, item, (body) => gen(cx, body)) })) };
      case 'FILTER':
        return { t: 'list', items: list.items.map(({ cond, item }) => ({ cond: `(${cond} && ${withParam(cx, lambda, item, (body) => asBool(gen(cx, body)))})`, item })) };
      default: {
        const any = kind === 'ANY';
        const tests = list.items.map(({ cond, item }) => {
          const t = withParam(cx, lambda, item, (body) => asBool(gen(cx, body)));
          return any ? `(${cond} && ${t})` : `(!${cond} || ${t})`;
        });
        return { t: 'bool', code: `(${tests.join(any ? ' || ' : ' && ') || (any ? 'false' : 'true')})` };
      }
    }
  }

  private table(i: number): TableValue {
    const a = this.args[i];
    const t = a?.kind === 'name' ? this.cx.op.symbols.get(a.name) : undefined;
    if (t?.kind !== 'table') throw new Ineligible();
    return t.value;
  }

  has(table: number, keyGen: Gen): Gen {
    const key = scalar(keyGen);
    if (key.t !== 'str') throw new Ineligible();
    return { t: 'bool', code: `${tableInfo(this.cx, this.table(table)).id}.has(${key.code})` };
  }

  keys(table: number): Gen {
    const t = this.table(table);
    if (t.keys.some((k) => typeof k !== 'string')) throw new Ineligible();
    return { t: 'list', items: t.keys.map((k) => ({ cond: 'true', item: constant(k) })) };
  }

  concat(parts: Gen[]): Gen {
    if (!parts.every((p) => p.t === 'str')) throw new Ineligible();
    return { t: 'str', code: `(${parts.map((p) => (p as Scalar).code).join(' + ')})` };
  }

  refuse(): never {
    throw new Ineligible();
  }
}

function genDecision(cx: Ctx, d: CheckedDecision): Map<string, Scalar> {
  if (d.decl.hit === 'collect') throw new Ineligible();
  const columns = d.inputs.map((i) => bind(cx, gen(cx, i.expr)));
  const rows = d.rows.map((r) => ({
    test: r.conditions.map((c, i) => genTest(cx, c.test, columns[i]!)).join(' && ') || 'true',
    outputs: r.outputs.map((o) => scalar(gen(cx, o.expr))),
  }));
  const defaults = d.default?.map((o) => scalar(gen(cx, o.expr)));
  const fields = new Map<string, Scalar>();
  const assigns: string[][] = [...rows.map(() => []), ...(defaults ? [[]] : [])];
  d.decl.outputs.forEach((o, i) => {
    const all = [...rows.map((r) => r.outputs[i]!), ...(defaults ? [defaults[i]!] : [])];
    const kinds = new Set(all.filter((g) => g.t !== 'never').map((g) => g.t));
    if (kinds.size !== 1) throw new Ineligible();
    const kind = [...kinds][0] as 'num' | 'str' | 'bool';
    const id = cx.fresh();
    if (kind === 'num') {
      const { shape, codes } = joinNums(all as (Num | Never)[]);
      fields.set(o.name, num(shape, id));
      codes.forEach((c, k) => assigns[k]!.push(`${id} = ${c};`));
    } else {
      fields.set(o.name, { t: kind, code: id });
      all.forEach((g, k) => assigns[k]!.push(`${id} = ${g.code};`));
    }
  });
  const ids = [...fields.values()];
  cx.lines.push(`let ${ids.map((g) => g.code).join(', ')};`);
  if (d.decl.hit === 'unique') {
    const hits = rows.map((r) => `(${r.test} ? 1 : 0)`).join(' + ');
    cx.lines.push(`if (${hits} > 1) throw rt.BAIL;`);
  }
  const chain = rows.map((r, i) => `${i ? 'else ' : ''}if (${r.test}) { ${assigns[i]!.join(' ')} }`);
  chain.push(defaults ? `else { ${assigns[rows.length]!.join(' ')} }` : 'else throw rt.BAIL;');
  cx.lines.push(chain.join('\n'));
  return fields;
}

function genTest(cx: Ctx, t: UnaryTest, column: Gen): string {
  switch (t.kind) {
    case 'any': return 'true';
    case 'compare': {
      const v = gen(cx, t.value);
      if (t.op === '==') return equality(column, v);
      if (t.op === '!=') return `!${equality(column, v)}`;
      return compare(column, t.op, v);
    }
    case 'in': {
      if (t.list.kind !== 'list') throw new Ineligible();
      const any = t.list.items.map((item) => equality(column, gen(cx, item))).join(' || ') || 'false';
      return t.negated ? `!(${any})` : `(${any})`;
    }
    case 'range': {
      const lo = gen(cx, t.low);
      const hi = gen(cx, t.high);
      return `(${compare(column, t.lowInclusive ? '>=' : '>', lo)} && ${compare(column, t.highInclusive ? '<=' : '<', hi)})`;
    }
  }
}
