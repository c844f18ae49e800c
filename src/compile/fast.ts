// The fast path: an operation whose formulas stay within plain arithmetic, comparisons,
// IF/MIN/MAX/ABS/CLAMP/rounding, table lookups by text key and first/unique decision
// tables is also compiled to one JavaScript function, generated from the checked AST
// (never from rule text: names become v0, v1…, text literals are JSON-quoted).
//
// Every number there is a scaled integer: a JS number m holding the value m / (10^s · den),
// with the scale s and the whole denominator den (1 but after a division by a constant) known
// at compile time. While |m| stays below 2^53, + - * and comparisons on
// such integers are exact. Whenever that can't be guaranteed — an overflow, a division
// that doesn't come out even, a number input with more than 6 decimals, an unknown table
// key, a failed constraint, a wrong input — the function gives up ("bails") and the
// caller evaluates with the exact rational interpreter instead, which also produces the
// proper error or rejection. So the fast path is never less exact, only faster: a quotient by
// a constant keeps its denominator (`CEIL(price / 30 * days)` is rounded exactly), and one
// that must become a decimal but doesn't terminate is the interpreter's.
import type { Expr, UnaryTest } from '../../grammar/ast.ts';
import type { CheckedDecision, CheckedOperation, Symbol } from '../check/model.ts';
import { Decimal, fromScaled } from '../decimal.ts';
import { builtin, type Builtin, type BuiltinName, type RoundingSpec } from '../functions/builtins.ts';
import { spreadsheetEquivalent } from '../functions/operators.ts';
import type { InputDecl } from '../rules/model.ts';
import { MAX_EXACT, NUMBER_INPUT, roundingDigits as sharedRoundingDigits, roundingPlan, scaleOf, splitDenominator } from './numeric-shape.ts';
import { TableValue, type RecordValue, type Value } from '../value.ts';

/** Gives up on the fast path; the exact interpreter takes over. */
const BAIL = Symbol('bail');
const MAX = MAX_EXACT;
/** Decimals kept for `number` inputs and added by division. */
const NUMBER_INPUT_SCALE = NUMBER_INPUT.decimals;
const NUMBER_INPUT_MAXIMUM = NUMBER_INPUT.maximum;
const DIVISION_EXTRA_SCALE = 6;
const MAX_SCALE = 15;

export type FastEvaluate = (input: Record<string, unknown>) => RecordValue | undefined;

class Ineligible extends Error {}

/**
 * The number m / (10^scale · den). `max` bounds |m| when known statically (from input
 * min/max, table values, literals); checks that can't fire are left out. `den` (default 1)
 * is a whole constant left by a division by it (`width * height / (1024 * 1024)`,
 * `price / 30`): keeping the denominator apart keeps the value exact and the mantissa small;
 * plain() turns it into a decimal, where its factors other than 2 and 5 must divide out.
 */
type Num = { t: 'num'; code: string; scale: number; max: number; den?: number };
/** A list known at compile time (a literal, a table's keys, FILTER/MAP of those): items present when `cond`. */
type StaticList = { t: 'list'; items: { cond: string; item: Gen }[] };
/** A list input of text: a JS array of strings, validated on entry. */
type TextList = { t: 'texts'; code: string };
/**
 * A quotient kept as numerator and denominator: where it is only compared (an aspect ratio
 * in a decision table) the comparison cross-multiplies, so `1280 / 720 > 1.5` needs no
 * division, and agrees exactly with the interpreter's rational quotient (both sides fit in
 * 2^53). Used as a number, it is divided, exactly or not at all.
 */
type Ratio = { t: 'ratio'; num: Num; den: Num };
type Scalar = Num | { t: 'bool' | 'str'; code: string };
type Gen = Scalar | Ratio | StaticList | TextList;

function scalar(g: Gen): Scalar {
  if (g.t === 'ratio' || g.t === 'num') return asPlain(g);
  if (g.t === 'list' || g.t === 'texts') throw new Ineligible();
  return g;
}

const POW10 = Array.from({ length: 31 }, (_, i) => 10 ** i);

const DECIMAL_CACHE_SIZE = 4096;
const DECIMALS = Array.from({ length: MAX_SCALE + 1 }, () => new Map<number, Decimal>());

/** Whole outputs below this are shared from an array. */
const SMALL_INTEGERS = 1 << 16;
const INTEGERS: (Decimal | undefined)[] = [];

/** Runtime helpers of the generated code. */
const runtime = {
  BAIL,
  /** Checks that an integer result is still exact. */
  k(x: number): number {
    if (x > MAX || x < -MAX) throw BAIL;
    return x;
  },
  /** m / d for a whole d > 0, if it comes out even. */
  exact(m: number, d: number): number {
    const q = m / d;
    if (!Number.isInteger(q) || q * d !== m) throw BAIL;
    return q;
  },
  /** (ma at scale sa) / (mb at scale sb) at scale sa + DIVISION_EXTRA_SCALE, if it comes out even. */
  div(ma: number, mb: number, shift: number): number {
    if (mb === 0) throw BAIL;
    const n = runtime.k(ma * POW10[shift]!);
    const q = n / mb;
    if (!Number.isInteger(q) || q * mb !== n) throw BAIL;
    return q;
  },
  /** m / p rounded up to an integer (p > 0): CEIL's own helper, without a mode to dispatch on. */
  ceil(m: number, p: number): number {
    let q = Math.floor(m / p);
    let r = m - q * p;
    if (r < 0) { q -= 1; r += p; } else if (r >= p) { q += 1; r -= p; }
    return r === 0 ? q : q + 1;
  },
  /** m / p rounded down to an integer (p > 0): FLOOR's and INT's. */
  floor(m: number, p: number): number {
    const q = Math.floor(m / p);
    const r = m - q * p;
    return r < 0 ? q - 1 : r >= p ? q + 1 : q;
  },
  /** m / p rounded to an integer in the given mode (p > 0); 'ceil' and 'floor' have their own helpers above. */
  round(m: number, p: number, mode: Exclude<RoundingSpec['mode'], 'ceil' | 'floor'>): number {
    let q = Math.floor(m / p);
    let r = m - q * p;
    if (r < 0) { q -= 1; r += p; } else if (r >= p) { q += 1; r -= p; }
    if (r === 0) return q;
    switch (mode) {
      case 'trunc': return m < 0 ? q + 1 : q;
      case 'up': return m < 0 ? q : q + 1;
      case 'round': return 2 * r > p || (2 * r === p && m > 0) ? q + 1 : q;
    }
  },
  /**
   * A scaled integer as an exact Decimal. Prices repeat (a platform has few distinct
   * costs), and Decimals are immutable, so recent ones are shared rather than rebuilt.
   */
  dec(m: number, s: number): Decimal {
    if (s === 0 && m >= 0 && m < SMALL_INTEGERS) {
      // Whole amounts (credits after CEIL) are the common output: an array, cheaper than a Map.
      let d = INTEGERS[m];
      if (d === undefined) INTEGERS[m] = d = fromScaled(m + 0, 0);
      return d;
    }
    m += 0; // -0 is 0: a Map takes them for one key, and the interpreter has no -0
    const cache = DECIMALS[s]!;
    let d = cache.get(m);
    if (d === undefined) {
      if (cache.size >= DECIMAL_CACHE_SIZE) cache.clear();
      d = fromScaled(m, s);
      cache.set(m, d);
    }
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
  /** An integer-valued number input, or bail. */
  int(v: unknown): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw BAIL;
    return v + 0;
  },
  /** A number input scaled to NUMBER_INPUT_SCALE decimals, if it has no more than that. */
  num(v: unknown): number {
    // Below 10^9 with at most 6 decimals, a JSON number has at most 15 significant digits,
    // which is what the interpreter accepts as exact; anything else is the interpreter's to judge.
    if (typeof v !== 'number' || !(Math.abs(v) < NUMBER_INPUT_MAXIMUM)) throw BAIL;
    const m = Math.round(v * POW10[NUMBER_INPUT_SCALE]!);
    if (m / POW10[NUMBER_INPUT_SCALE]! !== v) throw BAIL;
    return m + 0;
  },
};

/** A table column as the generated code reads it; numbers pre-scaled, in row order. */
type TableColumn = { t: 'num'; scale: number; max: number; scaled: number[] } | { t: 'str' | 'bool' };

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
}

export function compileFast(op: CheckedOperation, shared: (name: string) => Value): FastEvaluate | undefined {
  let n = 0;
  const cx: Ctx = { op, shared, locals: new Map(), lines: [], emitted: new Map(), tables: new Map(), fresh: () => `v${n++}` };
  try {
    const inputs = emitInputs(cx, op.decl.inputs);
    for (const c of op.constraints) cx.lines.push(`if (!(${asBool(gen(cx, c.formula.expr))})) throw rt.BAIL;`);
    const outputs = op.outputs.map((name) => {
      const g = genName(cx, name);
      if (g instanceof Map) throw new Ineligible();
      const v = scalar(g);
      return v.t === 'num' ? `rt.dec(${v.code}, ${v.scale})` : v.code;
    });
    const body = [
      `let count = 0, present = 0; for (const key in input) count++;`,
      ...inputs,
      ...cx.lines,
      `return new Outputs(${outputs.join(', ')});`,
    ].join('\n');
    const tableArgs = [...cx.tables.values()].map((t) => t.id);
    if (process.env.CREDITS_DEBUG_FAST) console.error(body);
    // Outputs are records without a prototype chain to Object (like makeRecord's), but built
    // by a constructor so every result has the same fast shape.
    const outputsClass = `function Outputs(${op.outputs.map((_, k) => `o${k}`).join(', ')}) { ${op.outputs.map((name, k) => `this[${JSON.stringify(name)}] = o${k};`).join(' ')} }\nOutputs.prototype = Object.create(null);`;
    const factory = new Function('rt', ...tableArgs, `${outputsClass}\nreturn function fast(input) {\ntry {\n${body}\n} catch (e) { if (e === rt.BAIL) return undefined; throw e; }\n};`);
    const tableMaps = [...cx.tables.entries()].map(([table, info]) => scaledTable(table, info.columns));
    return factory(runtime, ...tableMaps) as FastEvaluate;
  } catch (e) {
    if (e instanceof Ineligible) return undefined;
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
        const scale = t.kind === 'integer' ? 0 : NUMBER_INPUT_SCALE;
        read = t.kind === 'integer' ? `rt.int(${id})` : `rt.num(${id})`;
        const checks: string[] = [];
        if (t.min) checks.push(`${id} < ${scaledLiteral(t.min, scale)}`);
        if (t.max) checks.push(`${id} > ${scaledLiteral(t.max, scale)}`);
        if (t.enum) checks.push(`!(${t.enum.map((e) => `${id} === ${scaledLiteral(e, scale)}`).join(' || ')})`);
        const limit = t.min && t.max ? Math.max(Math.abs(Number(scaledLiteral(t.min, scale))), Math.abs(Number(scaledLiteral(t.max, scale)))) : MAX;
        g = { t: 'num', code: id, scale, max: limit };
        lines.push(...readInput(id, raw, read, i, checks, cx));
        break;
      }
      case 'string': {
        const checks = [`typeof ${id} !== 'string'`];
        if (t.enum) checks.push(`!(${t.enum.map((e) => `${id} === ${JSON.stringify(e)}`).join(' || ')})`);
        g = { t: 'str', code: id };
        lines.push(...readInput(id, raw, id, i, checks, cx));
        break;
      }
      case 'boolean':
        g = { t: 'bool', code: id };
        lines.push(...readInput(id, raw, id, i, [`typeof ${id} !== 'boolean'`], cx));
        break;
      case 'list': {
        const items = t.items;
        if (items.kind !== 'string') throw new Ineligible();
        const item = `${id}_item`;
        const bad = [`typeof ${item} !== 'string'`];
        if (items.enum) bad.push(`!(${items.enum.map((e) => `${item} === ${JSON.stringify(e)}`).join(' || ')})`);
        const checks = [`!Array.isArray(${id})`];
        if (t.minItems !== undefined) checks.push(`${id}.length < ${t.minItems}`);
        if (t.maxItems !== undefined) checks.push(`${id}.length > ${t.maxItems}`);
        g = { t: 'texts', code: id };
        lines.push(...readInput(id, raw, id, i, checks, cx), `if (${raw} !== undefined) for (const ${item} of ${id}) if (${bad.join(' || ')}) throw rt.BAIL;`);
        break;
      }
      default:
        throw new Ineligible();
    }
    cx.emitted.set(i.name, g);
  }
  // An unknown input name, or null given for one, is the interpreter's to report.
  lines.push('if (count !== present) throw rt.BAIL;');
  return lines;
}

function readInput(id: string, raw: string, read: string, i: InputDecl, checks: string[], cx: Ctx): string[] {
  const fallback = i.default === undefined ? 'throw rt.BAIL' : `${id} = ${literalOf(i.default, i.type.kind === 'integer' ? 0 : NUMBER_INPUT_SCALE, cx)}`;
  return [
    // The input is read once; `read` converts it in place (a number to its scaled integer).
    `let ${id} = ${raw};`,
    `if (${id} === undefined) { ${fallback}; } else { present++;${read === id ? '' : ` ${id} = ${read};`}${checks.length ? ` if (${checks.join(' || ')}) throw rt.BAIL;` : ''} }`,
  ];
}

function literalOf(v: Value, scale: number, cx: Ctx): string {
  if (v instanceof Decimal) return scaledLiteral(v, scale);
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `Object.freeze(${JSON.stringify(v)})`;
  void cx;
  throw new Ineligible();
}

/** A table cell, or a whole value, known at compile time. */
function constant(v: Value): Gen {
  if (v instanceof Decimal) return numLiteral(v);
  if (typeof v === 'string') return { t: 'str', code: JSON.stringify(v) };
  if (typeof v === 'boolean') return { t: 'bool', code: String(v) };
  throw new Ineligible();
}

function scaledLiteral(d: Decimal, scale: number): string {
  const m = d.times(POW10[scale]!);
  if (!m.isInteger() || m.abs().gt(MAX)) throw new Ineligible();
  return m.toFixed();
}

function numLiteral(d: Decimal): Num {
  const scale = scaleOf(d);
  if (scale > MAX_SCALE) throw new Ineligible();
  const code = scaledLiteral(d, scale);
  return { t: 'num', code, scale, max: Math.abs(Number(code)) };
}

function align(a: Num, scale: number): string {
  if (scale === a.scale) return a.code;
  const factor = POW10[scale - a.scale]!;
  if (/^-?\d+$/.test(a.code)) return scaledLiteral(new Decimal(a.code).times(factor), 0);
  return checked(`${a.code} * ${factor}`, a.max * factor);
}

function bound(a: Num, scale: number): number {
  return a.max * POW10[scale - a.scale]!;
}

/** Wraps an integer expression in the overflow check unless its bound proves it safe. */
function checked(code: string, max: number): string {
  return max <= MAX ? `(${code})` : `rt.k(${code})`;
}

function asBool(g: Gen): string {
  if (g.t !== 'bool') throw new Ineligible();
  return g.code;
}

function asNum(g: Gen | Map<string, Gen>): Num {
  if (g instanceof Map) throw new Ineligible();
  if (g.t === 'ratio') {
    const n = plain(g.num);
    const d = plain(g.den);
    const scale = n.scale + DIVISION_EXTRA_SCALE;
    if (scale > MAX_SCALE) throw new Ineligible();
    return { t: 'num', code: `rt.div(${n.code}, ${d.code}, ${DIVISION_EXTRA_SCALE + d.scale})`, scale, max: MAX };
  }
  if (g.t !== 'num') throw new Ineligible();
  return g;
}

const denOf = (n: Num): number => n.den ?? 1;

/**
 * A whole denominator as its 2s and 5s (`terminating`, whose reciprocal has `decimals`
 * decimals) and the rest (which never terminates).
 */
function splitDen(den: number): { terminating: number; decimals: number; rest: number } {
  const { twos, fives, rest } = splitDenominator(den);
  return { terminating: den / rest.toNumber(), decimals: Math.max(twos, fives), rest: rest.toNumber() };
}

/** n as a plain scaled integer (den 1); a denominator with other factors than 2 and 5 must divide out at run time. */
function plain(n: Num): Num {
  const d = denOf(n);
  if (d === 1) return n;
  const { terminating, decimals: k, rest } = splitDen(d);
  if (n.scale + k > MAX_SCALE) throw new Ineligible();
  const factor = POW10[k]! / terminating;
  const m = rest === 1 ? n.code : `rt.exact(${n.code}, ${rest})`;
  const max = Math.ceil(n.max / rest) * factor;
  return { t: 'num', code: factor === 1 ? m : checked(`${m} * ${factor}`, max), scale: n.scale + k, max };
}

function asPlain(g: Gen | Map<string, Gen>): Num {
  return plain(asNum(g));
}

/** Two numbers over one denominator and one scale, for adding and comparing. */
function common(a: Num, b: Num): [Num, Num] {
  const da = denOf(a);
  const db = denOf(b);
  let x = a;
  let y = b;
  if (da !== db) {
    if (da * db > MAX) throw new Ineligible();
    x = { t: 'num', code: db === 1 ? a.code : checked(`${a.code} * ${db}`, a.max * db), scale: a.scale, max: a.max * db, den: da * db };
    y = { t: 'num', code: da === 1 ? b.code : checked(`${b.code} * ${da}`, b.max * da), scale: b.scale, max: b.max * da, den: da * db };
  }
  const s = Math.max(x.scale, y.scale);
  return [
    { t: 'num', code: align(x, s), scale: s, max: bound(x, s), den: x.den },
    { t: 'num', code: align(y, s), scale: s, max: bound(y, s), den: y.den },
  ];
}


type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';
const FLIPPED: Record<Comparison, Comparison> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function times(a: Num, factor: number): { code: string; max: number } {
  return factor === 1 ? { code: a.code, max: a.max } : { code: checked(`${a.code} * ${factor}`, a.max * factor), max: a.max * factor };
}

/** Code comparing two numbers (either may be a quotient) exactly. */
function compare(l: Gen, op: Comparison, r: Gen): string {
  const a = l.t === 'ratio' ? l : asNum(l);
  let b = r.t === 'ratio' ? r : asNum(r);
  if (a.t === 'ratio' && b.t === 'ratio') return compare(asNum(a), op, asNum(b));
  if (b.t === 'ratio') return compare(b, FLIPPED[op], a);
  if (a.t === 'ratio') {
    // n/d OP c  ⇔  n·10^(sd+sc) OP c·d·10^sn, the other way round when d < 0
    const n = plain(a.num);
    const d = plain(a.den);
    b = plain(b);
    const left = times(n, POW10[d.scale + b.scale]!);
    const product = { t: 'num' as const, code: checked(`${b.code} * ${d.code}`, b.max * d.max), scale: 0, max: b.max * d.max };
    const right = times(product, POW10[n.scale]!);
    return `(${d.code} > 0 ? ${left.code} ${op === '==' ? '===' : op === '!=' ? '!==' : op} ${right.code} : ${left.code} ${op === '==' ? '===' : op === '!=' ? '!==' : FLIPPED[op]} ${right.code})`;
  }
  const [x, y] = common(a, b);
  return `(${x.code} ${op === '==' ? '===' : op === '!=' ? '!==' : op} ${y.code})`;
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
  const id = cx.fresh();
  cx.lines.push(`const ${id} = ${(g as Scalar).code};`);
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
        let scale = 0;
        for (const v of values) scale = Math.max(scale, scaleOf(v as Decimal));
        if (scale > MAX_SCALE) continue;
        // Each value scaled once, here; the generated code reads these integers.
        const scaled = values.map((v) => Number((v as Decimal).times(POW10[scale]!).toFixed()));
        let max = 0;
        for (const m of scaled) max = Math.max(max, Math.abs(m));
        if (max > MAX) continue;
        info.columns.set(col, { t: 'num', scale, max, scaled });
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
  return `rt.row(${tableInfo(cx, table).id}.get(${key.code}))`;
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
          return col.t === 'num' ? { t: 'num', code, scale: col.scale, max: col.max } : { t: col.t, code };
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
      const n = asNum(x);
      return { ...n, code: `(-(${n.code}))` };
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
    default: break;
  }
  const a = asNum(l);
  const b = asNum(r);
  if (literalInt(a) !== undefined && literalInt(b) !== undefined && denOf(a) === 1 && denOf(b) === 1 && (e.op === '+' || e.op === '-' || e.op === '*')) {
    // Literal arithmetic (1024 * 1024) is done once, here.
    const x = new Decimal(a.code).div(POW10[a.scale]!);
    const y = new Decimal(b.code).div(POW10[b.scale]!);
    return numLiteral(e.op === '+' ? x.plus(y) : e.op === '-' ? x.minus(y) : x.times(y));
  }
  switch (e.op) {
    case '+':
    case '-': {
      const [x, y] = common(a, b);
      const max = x.max + y.max;
      return { t: 'num', code: checked(`${x.code} ${e.op} ${y.code}`, max), scale: x.scale, max, den: x.den };
    }
    case '*': {
      const den = denOf(a) * denOf(b);
      if (a.scale + b.scale > MAX_SCALE || den > MAX) throw new Ineligible();
      const max = a.max * b.max;
      return { t: 'num', code: checked(`${a.code} * ${b.code}`, max), scale: a.scale + b.scale, max, den };
    }
    case '/':
      return divide(a, b);
    default:
      return { t: 'bool', code: compare(a, e.op, b) };
  }
}

/** The integer a literal code denotes, if it is one. */
function literalInt(n: Num): number | undefined {
  return /^-?\d+$/.test(n.code) ? Number(n.code) : undefined;
}

/**
 * a / b. By a whole constant the quotient is a number with that denominator: it stays exact
 * through + - * and comparisons, is rounded exactly by CEIL/FLOOR/ROUND, and becomes a plain
 * scaled integer (plain()) only where it comes out even — so `CEIL(price / 30 * days)` stays
 * on the fast path. By anything else it is a Ratio, exact where compared, divided (exactly or
 * not at all) where used as a number.
 */
function divide(a: Num, b: Num): Gen {
  const mb = denOf(b) === 1 ? literalInt(b) : undefined;
  const decimals = mb === undefined || mb === 0 || !Number.isSafeInteger(mb) ? undefined : splitDen(Math.abs(mb)).decimals;
  // Only small powers: every later step (plain(), rounding) stays within exact doubles.
  if (mb !== undefined && decimals !== undefined && decimals <= MAX_SCALE && denOf(a) === 1) {
    const factor = POW10[b.scale]!;
    const digits = String(Math.ceil(a.max * factor)).length + decimals;
    if (digits <= 34 && a.max * factor <= MAX) {
      const m = factor === 1 ? a.code : checked(`${a.code} * ${factor}`, a.max * factor);
      return { t: 'num', code: mb < 0 ? `(-(${m}))` : m, scale: a.scale, max: a.max * factor, den: Math.abs(mb) };
    }
  }
  return { t: 'ratio', num: a, den: { ...b, code: `rt.nz(${b.code})` } };
}

function equality(lg: Gen, rg: Gen): string {
  if (lg.t === 'ratio' || rg.t === 'ratio') return compare(lg, '==', rg);
  const l = scalar(lg);
  const r = scalar(rg);
  if (l.t === 'num' && r.t === 'num') return compare(l, '==', r);
  if (l.t !== r.t) throw new Ineligible();
  return `(${l.code} === ${r.code})`;
}

/**
 * The decimals a rounding call rounds to: its digits, or a significance that is a power of ten
 * (CEIL(x, 0.01) rounds up to 2 decimals), a literal within 0..MAX_SCALE; anything else is the interpreter's.
 */
function roundingDigits(spec: RoundingSpec, second: Expr | undefined): number {
  const digits = sharedRoundingDigits(spec, second ? (second.kind === 'number' ? new Decimal(second.value) : null) : undefined, { min: 0, max: MAX_SCALE });
  if (typeof digits === 'string') throw new Ineligible();
  return digits;
}

function genCall(cx: Ctx, e: Extract<Expr, { kind: 'call' }>): Gen {
  const fn = builtin(e.callee);
  const emit = fn && FAST_CALLS[fn.name];
  if (!emit || emit === INTERPRETER_ONLY) throw new Ineligible();
  return emit(cx, e.args, fn);
}

/** Left to the exact interpreter: the fast path has no exact code for it. */
const INTERPRETER_ONLY = 'interpreter only';

/** How the fast path emits a call of a builtin, from its arguments; Ineligible when it can't be sure. */
type FastCall = (cx: Ctx, args: Expr[], fn: Builtin<BuiltinName>) => Gen;

/** The rounding functions, read from their declared RoundingSpec. */
const roundCall: FastCall = (cx, args, fn) => {
  const rounding = fn.rounding!;
  if (args.length < 1 || args.length > 2) throw new Ineligible();
  const x = asNum(gen(cx, args[0]!));
  const digits = roundingDigits(rounding, args[1]);
  const den = denOf(x);
  if (x.scale <= digits && den === 1) return x;
  // x = m / (10^scale · den); at `digits` decimals it is m·10^digits / (10^scale · den), rounded.
  const plan = roundingPlan(x.scale, digits);
  const m = times(x, POW10[plan.raise]!);
  const divisor = POW10[plan.lower]! * den;
  if (divisor > MAX || plan.times !== 1) throw new Ineligible();
  const call = rounding.mode === 'ceil' || rounding.mode === 'floor' ? `rt.${rounding.mode}(${m.code}, ${divisor})` : `rt.round(${m.code}, ${divisor}, '${rounding.mode}')`;
  return { t: 'num', code: call, scale: plan.scale, max: Math.ceil(m.max / divisor) + 1 };
};

const extreme: FastCall = (cx, args, fn) => {
  if (args.length < 2) throw new Ineligible();
  const nums = args.map((a) => asPlain(gen(cx, a)));
  const s = Math.max(...nums.map((x) => x.scale));
  return { t: 'num', code: `Math.${fn.name.toLowerCase()}(${nums.map((x) => align(x, s)).join(', ')})`, scale: s, max: Math.max(...nums.map((x) => bound(x, s))) };
};

const logic: FastCall = (cx, args, fn) => {
  const parts = args.map((a) => asBool(gen(cx, a)));
  return { t: 'bool', code: `(${parts.join(fn.name === 'AND' ? ' && ' : ' || ')})` };
};

const quantifier: FastCall = (cx, args, fn) => {
  const any = fn.name === 'ANY';
  const list = asStatic(gen(cx, args[0]!));
  const tests = list.items.map(({ cond, item }) => {
    const test = withParam(cx, args[1], item, (body) => asBool(gen(cx, body)));
    return any ? `(${cond} && ${test})` : `(!${cond} || ${test})`;
  });
  return { t: 'bool', code: `(${tests.join(any ? ' || ' : ' && ') || (any ? 'false' : 'true')})` };
};

/** Every builtin's fast-path emission, or INTERPRETER_ONLY: keyed by BuiltinName, so a new builtin must be decided here. */
const FAST_CALLS: Record<BuiltinName, FastCall | typeof INTERPRETER_ONLY> = {
  IF: (cx, args) => {
    if (args.length !== 3) throw new Ineligible();
    const c = asBool(gen(cx, args[0]!));
    // Only the branch taken runs; cells it reads are computed ahead, and any trouble there bails.
    const a = scalar(gen(cx, args[1]!));
    const b = scalar(gen(cx, args[2]!));
    if (a.t === 'num' && b.t === 'num') {
      const s = Math.max(a.scale, b.scale);
      return { t: 'num', code: `(${c} ? ${align(a, s)} : ${align(b, s)})`, scale: s, max: Math.max(bound(a, s), bound(b, s)) };
    }
    if (a.t !== b.t) throw new Ineligible();
    return { t: a.t, code: `(${c} ? ${a.code} : ${b.code})` } as Gen;
  },
  IFS: INTERPRETER_ONLY,
  SWITCH: INTERPRETER_ONLY,
  MIN: extreme,
  MAX: extreme,
  ABS: (cx, args) => {
    const x = asNum(gen(cx, args[0]!));
    return { ...x, code: `Math.abs(${x.code})` };
  },
  CEIL: roundCall,
  CEILING: roundCall,
  FLOOR: roundCall,
  ROUND: roundCall,
  ROUNDUP: roundCall,
  ROUNDDOWN: roundCall,
  TRUNC: roundCall,
  INT: roundCall,
  MROUND: INTERPRETER_ONLY,
  AND: logic,
  OR: logic,
  NOT: (cx, args) => {
    if (args.length !== 1) throw new Ineligible();
    return { t: 'bool', code: `!(${asBool(gen(cx, args[0]!))})` };
  },
  CLAMP: (cx, args) => {
    const [x, lo, hi] = args.map((a) => asPlain(gen(cx, a)));
    const s = Math.max(x!.scale, lo!.scale, hi!.scale);
    const l = bind(cx, { t: 'num', code: align(lo!, s), scale: s, max: bound(lo!, s) });
    const h = bind(cx, { t: 'num', code: align(hi!, s), scale: s, max: bound(hi!, s) });
    cx.lines.push(`if (${l.code} > ${h.code}) throw rt.BAIL;`);
    return { t: 'num', code: `Math.min(Math.max(${align(x!, s)}, ${l.code}), ${h.code})`, scale: s, max: Math.max(bound(x!, s), bound(lo!, s), bound(hi!, s)) };
  },
  MOD: INTERPRETER_ONLY,
  POWER: INTERPRETER_ONLY,
  SUM: (cx, args) => {
    const items = asStatic(gen(cx, args[0]!)).items.map(({ cond, item }) => ({ cond, item: asPlain(item) }));
    if (items.length === 0) return numLiteral(new Decimal(0));
    const scale = Math.max(...items.map((i) => i.item.scale));
    const max = items.reduce((sum, i) => sum + bound(i.item, scale), 0);
    return { t: 'num', code: checked(items.map(({ cond, item }) => `(${cond} ? ${align(item, scale)} : 0)`).join(' + '), max), scale, max };
  },
  COUNT: (cx, args) => {
    const list = gen(cx, args[0]!);
    if (list.t === 'texts') return { t: 'num', code: `${list.code}.length`, scale: 0, max: MAX };
    const items = asStatic(list).items;
    return { t: 'num', code: `(${items.map(({ cond }) => `(${cond} ? 1 : 0)`).join(' + ') || '0'})`, scale: 0, max: items.length };
  },
  AVERAGE: INTERPRETER_ONLY,
  MAP: (cx, args) => {
    const list = asStatic(gen(cx, args[0]!));
    return { t: 'list', items: list.items.map(({ cond, item }) => ({ cond, item: withParam(cx, args[1], item, (body) => gen(cx, body)) })) };
  },
  FILTER: (cx, args) => {
    const list = asStatic(gen(cx, args[0]!));
    return {
      t: 'list',
      items: list.items.map(({ cond, item }) => ({ cond: `(${cond} && ${withParam(cx, args[1], item, (body) => asBool(gen(cx, body)))})`, item })),
    };
  },
  ANY: quantifier,
  ALL: quantifier,
  HAS: (cx, args) => {
    const t = args[0]?.kind === 'name' ? cx.op.symbols.get(args[0].name) : undefined;
    if (t?.kind !== 'table') throw new Ineligible();
    const key = scalar(gen(cx, args[1]!));
    if (key.t !== 'str') throw new Ineligible();
    return { t: 'bool', code: `${tableInfo(cx, t.value).id}.has(${key.code})` };
  },
  KEYS: (cx, args) => {
    const t = args[0]?.kind === 'name' ? cx.op.symbols.get(args[0].name) : undefined;
    if (t?.kind !== 'table' || t.value.keys.some((k) => typeof k !== 'string')) throw new Ineligible();
    return { t: 'list', items: t.value.keys.map((k) => ({ cond: 'true', item: constant(k) })) };
  },
  CONCAT: INTERPRETER_ONLY,
  TEXT: INTERPRETER_ONLY,
  LEN: INTERPRETER_ONLY,
};

function genDecision(cx: Ctx, d: CheckedDecision): Map<string, Scalar> {
  if (d.decl.hit === 'collect') throw new Ineligible();
  const columns = d.inputs.map((i) => bind(cx, gen(cx, i.expr)));
  const rows = d.rows.map((r) => ({
    test: r.conditions.map((c, i) => genTest(cx, c.test, columns[i]!)).join(' && ') || 'true',
    outputs: r.outputs.map((o) => scalar(gen(cx, o.expr))),
  }));
  const defaults = d.default?.map((o) => scalar(gen(cx, o.expr)));
  const fields = new Map<string, Scalar>();
  d.decl.outputs.forEach((o, i) => {
    const all = [...rows.map((r) => r.outputs[i]!), ...(defaults ? [defaults[i]!] : [])];
    const kind = all[0]!.t;
    if (all.some((g) => g.t !== kind)) throw new Ineligible();
    const scale = kind === 'num' ? Math.max(...all.map((g) => (g as Num).scale)) : 0;
    const id = cx.fresh();
    const max = kind === 'num' ? Math.max(...all.map((g) => bound(g as Num, scale))) : 0;
    fields.set(o.name, kind === 'num' ? { t: 'num', code: id, scale, max } : { t: kind as 'bool' | 'str', code: id });
  });
  const ids = [...fields.values()];
  const assign = (outs: Scalar[]) => outs.map((g, i) => `${ids[i]!.code} = ${ids[i]!.t === 'num' ? align(g as Num, (ids[i] as Num).scale) : g.code};`).join(' ');
  cx.lines.push(`let ${ids.map((g) => g.code).join(', ')};`);
  if (d.decl.hit === 'unique') {
    const hits = rows.map((r) => `(${r.test} ? 1 : 0)`).join(' + ');
    cx.lines.push(`if (${hits} > 1) throw rt.BAIL;`);
  }
  const chain = rows.map((r, i) => `${i ? 'else ' : ''}if (${r.test}) { ${assign(r.outputs)} }`);
  chain.push(defaults ? `else { ${assign(defaults)} }` : 'else throw rt.BAIL;');
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
