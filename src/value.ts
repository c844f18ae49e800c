// Runtime values of formulas. Numbers are always exact rationals (src/rational.ts).
import { Decimal, decimalText } from './decimal.ts';

export type Value = Decimal | string | boolean | Value[] | RecordValue | TableValue;

/** A record: a table row, a decision-table result, an operation's outputs, a `{…}` literal. */
export type RecordValue = { readonly [field: string]: Value };

/** A table: rows looked up by key. Keys are tagged by type so `5` and `'5'` differ. */
export class TableValue {
  constructor(
    readonly name: string,
    readonly keyColumn: string,
    readonly rows: ReadonlyMap<string, RecordValue>,
    readonly keys: readonly Value[],
  ) {}
}

export function keyOf(v: Value): string | undefined {
  if (typeof v === 'string') return `s:${v}`;
  if (typeof v === 'boolean') return `b:${v}`;
  if (v instanceof Decimal) return `n:${v.terminates() ? v.toFixed() : v.toFractionText()}`;
  return undefined;
}

export function isRecord(v: Value): v is RecordValue {
  return typeof v === 'object' && !(v instanceof Decimal) && !Array.isArray(v) && !(v instanceof TableValue);
}

export function makeRecord(entries: Iterable<[string, Value]>): RecordValue {
  const r: Record<string, Value> = Object.create(null);
  for (const [k, v] of entries) r[k] = v;
  return r;
}

export function typeName(v: Value): string {
  if (v instanceof Decimal) return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return 'list';
  if (v instanceof TableValue) return 'table';
  return 'record';
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a instanceof Decimal) return b instanceof Decimal && a.eq(b);
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]!));
  if (a instanceof TableValue || b instanceof TableValue) return a === b;
  if (!isRecord(b) || Array.isArray(b) || b instanceof Decimal) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && valuesEqual(a[k]!, b[k]!));
}

/** A value for people: `1344`, `'pro'`, `[1, 2]`, `{cost: 3}`. */
export function showValue(v: Value): string {
  if (v instanceof Decimal) return decimalText(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  if (v instanceof TableValue) return `<table ${v.name}>`;
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${showValue(x)}`).join(', ')}}`;
}

/**
 * JSON with numbers written as their exact decimal text (`0.3`, never `0.30000000000000004`).
 * A number that doesn't terminate has no exact JSON number, so it is written as a string
 * of its shown digits with the `…` mark (`"0.33333333333333333333…"`): never a number that
 * pretends to be exact.
 */
export function toJsonText(v: Value | undefined | null, space = ''): string {
  return writeJson(v, space, '');
}

function writeJson(v: unknown, space: string, indent: string): string {
  if (v === undefined || v === null) return 'null';
  if (v instanceof Decimal) return v.terminates() ? decimalText(v) : JSON.stringify(decimalText(v));
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return JSON.stringify(v);
  if (v instanceof TableValue) return JSON.stringify(`<table ${v.name}>`);
  const inner = indent + space;
  const nl = space ? '\n' : '';
  const sep = space ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => inner + writeJson(x, space, inner)).join(`,${nl}`)}${nl}${indent}]`;
  }
  const entries = Object.entries(v as object).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{${nl}${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}${sep}${writeJson(x, space, inner)}`).join(`,${nl}`)}${nl}${indent}}`;
}

/** A value as plain JSON data, with numbers as decimal strings (for HTTP bodies); one that doesn't terminate ends in `…`. */
export function toJsonData(v: Value): unknown {
  if (v instanceof Decimal) return decimalText(v);
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJsonData);
  if (v instanceof TableValue) return `<table ${v.name}>`;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonData(x)]));
}
