// Static analysis of decision tables, column by column: each condition becomes the set of
// values it matches, when it is made of literals. Then a `unique` table's rows that can match
// the same input are an error, a `first` table's row another row always takes first is a
// warning, and a `unique` table over enum inputs that leaves a combination without a row is a
// warning. A condition that isn't made of literals (a name, a calculation) is never guessed at.
import type { Expr, UnaryTest } from '../../grammar/ast.ts';
import type { RuleError } from '../../grammar/diagnostic.ts';
import { Decimal } from '../decimal.ts';
import type { InputDecl } from '../rules/model.ts';
import { errorAt } from '../rules/yaml-source.ts';
import type { CheckedDecision } from './model.ts';
import { allKeys, allNumbers, complement, contains, intersect, isEmpty, isSubset, point, sample, type Interval, type ValueSet } from './value-sets.ts';

interface Column {
  label: string;
  kind: ValueSet['kind'];
  /** The values the column can take: an input's range or enum, booleans' two values. */
  domain: ValueSet;
  integersOnly: boolean;
  /** Every value it can take, when there are few: an enum or a boolean. */
  values?: (Decimal | string)[];
}

/** A condition as a set; `any` for `-`; undefined when it can't be analysed. */
type Cell = ValueSet | 'any' | undefined;

const MAX_COMBINATIONS = 4096;

function literal(e: Expr): Decimal | string | undefined {
  switch (e.kind) {
    case 'number': return new Decimal(e.value);
    case 'string': return `'${e.value}'`;
    case 'boolean': return String(e.value);
    case 'unary': {
      const v = literal(e.operand);
      if (!(v instanceof Decimal)) return undefined;
      return e.op === '-' ? v.neg() : e.op === '%' ? v.div(100) : undefined;
    }
    default: return undefined;
  }
}

function kindOf(v: Decimal | string): ValueSet['kind'] {
  return v instanceof Decimal ? 'numbers' : 'keys';
}

function setOf(values: (Decimal | string)[], kind: ValueSet['kind']): ValueSet {
  return kind === 'numbers'
    ? { kind, intervals: values.map((v) => point(v as Decimal)) }
    : { kind, except: false, keys: new Set(values as string[]) };
}

const bound = (at: Decimal, closed: boolean) => ({ at, closed });

function cellOf(t: UnaryTest, kind: ValueSet['kind']): Cell {
  switch (t.kind) {
    case 'any': return 'any';
    case 'compare': {
      const v = literal(t.value);
      if (v === undefined || kindOf(v) !== kind) return undefined;
      const eq = setOf([v], kind);
      if (t.op === '==') return eq;
      if (t.op === '!=') return complement(eq);
      if (!(v instanceof Decimal)) return undefined;
      const intervals: Record<typeof t.op, Interval> = {
        '<': { hi: bound(v, false) }, '<=': { hi: bound(v, true) }, '>': { lo: bound(v, false) }, '>=': { lo: bound(v, true) },
      };
      return { kind: 'numbers', intervals: [intervals[t.op]] };
    }
    case 'in': {
      if (t.list.kind !== 'list') return undefined;
      const values = t.list.items.map(literal);
      if (values.some((v) => v === undefined || kindOf(v) !== kind)) return undefined;
      const set = setOf(values as (Decimal | string)[], kind);
      return t.negated ? complement(set) : set;
    }
    case 'range': {
      const lo = literal(t.low);
      const hi = literal(t.high);
      if (!(lo instanceof Decimal) || !(hi instanceof Decimal) || kind !== 'numbers') return undefined;
      return { kind, intervals: [{ lo: bound(lo, t.lowInclusive), hi: bound(hi, t.highInclusive) }] };
    }
  }
}

/** The column's values, from the input it names, else from its conditions' literals. */
function columnOf(d: CheckedDecision, i: number, inputNamed: (name: string) => InputDecl | undefined): Column | undefined {
  const f = d.inputs[i]!;
  if (f.broken) return undefined;
  const label = f.text;
  const input = f.expr.kind === 'name' ? inputNamed(f.expr.name) : undefined;
  const t = input?.type;
  if (t?.kind === 'number' || t?.kind === 'integer') {
    const integersOnly = t.kind === 'integer';
    if (t.enum) return { label, kind: 'numbers', domain: setOf(t.enum, 'numbers'), integersOnly, values: t.enum };
    return { label, kind: 'numbers', domain: { kind: 'numbers', intervals: [{ lo: t.min && bound(t.min, true), hi: t.max && bound(t.max, true) }] }, integersOnly };
  }
  if (t?.kind === 'string') {
    const values = t.enum?.map((v) => `'${v}'`);
    return { label, kind: 'keys', domain: values ? setOf(values, 'keys') : allKeys, integersOnly: false, values };
  }
  if (t?.kind === 'boolean') return { label, kind: 'keys', domain: setOf(['true', 'false'], 'keys'), integersOnly: false, values: ['true', 'false'] };
  if (t) return undefined;
  for (const row of d.rows) {
    const c = row.conditions[i]?.test;
    const v = c?.kind === 'compare' ? literal(c.value) : c?.kind === 'range' ? literal(c.low) : undefined;
    if (v === undefined) continue;
    if (v === 'true' || v === 'false') return { label, kind: 'keys', domain: setOf(['true', 'false'], 'keys'), integersOnly: false, values: ['true', 'false'] };
    return { label, kind: kindOf(v), domain: kindOf(v) === 'numbers' ? allNumbers : allKeys, integersOnly: false };
  }
  return undefined;
}

function rowCells(d: CheckedDecision, columns: (Column | undefined)[]): Cell[][] {
  return d.rows.map((row) => row.conditions.map((c, i) => {
    const col = columns[i];
    // A condition that couldn't be parsed stands in as `-`; it must not look like a catch-all.
    if (!col || c.broken) return undefined;
    const cell = cellOf(c.test, col.kind);
    return cell === 'any' ? 'any' : cell && intersect(cell, col.domain);
  }));
}

const setIn = (cell: Cell, col: Column): ValueSet | undefined => (cell === 'any' ? col.domain : cell);

export function analyseDecision(d: CheckedDecision, inputNamed: (name: string) => InputDecl | undefined): RuleError[] {
  if (d.decl.malformed || d.decl.hit === 'collect') return [];
  const columns = d.inputs.map((_, i) => columnOf(d, i, inputNamed));
  const cells = rowCells(d, columns);
  const out: RuleError[] = [];
  const name = d.decl.name;
  const rowLoc = (i: number) => d.decl.rows[i]!.loc;
  const never = new Set<number>();
  cells.forEach((row, j) => {
    // A text cell outside the column's values is already an error of its own (unknown-enum-value or type-mismatch).
    const k = row.findIndex((c, i) => c !== undefined && c !== 'any' && columns[i]!.kind !== 'keys' && isEmpty(c, columns[i]!.integersOnly));
    if (k < 0) return;
    never.add(j);
    out.push(errorAt(rowLoc(j), 'decision-row-never-matches', `row ${j + 1} of decision table '${name}' can never match: no value of ${columns[k]!.label} the operation accepts passes ${d.rows[j]!.conditions[k]!.text}`,
      `fix the condition, or remove the row`, 'warning'));
  });
  if (d.decl.hit === 'unique') {
    for (let j = 0; j < cells.length; j++) {
      if (never.has(j)) continue;
      for (let i = 0; i < j; i++) {
        if (never.has(i)) continue;
        const example = overlap(cells[i]!, cells[j]!, columns);
        if (!example) continue;
        out.push(errorAt(rowLoc(j), 'decision-rows-overlap', `rows ${i + 1} and ${j + 1} of decision table '${name}' both match ${example}, but hit: unique allows one match`,
          `make their conditions exclusive, or use hit: first to take the first row that matches`));
        break;
      }
    }
    if (!d.decl.default) {
      const missing = uncovered(cells, columns);
      if (missing) out.push(errorAt(d.decl.loc, 'decision-not-covered', `decision table '${name}' has no row for ${missing}`,
        `add a row for it, or a default: [...] for inputs no row matches`, 'warning'));
    }
  } else {
    const catchAll = cells.findIndex((row) => row.every((c) => c === 'any'));
    if (catchAll >= 0 && d.decl.default) {
      out.push(errorAt(d.decl.default[0]?.loc ?? d.decl.loc, 'decision-default-unreachable', `the default of decision table '${name}' is never used: row ${catchAll + 1} matches everything (- in every column)`,
        `remove the default, or the catch-all row ${catchAll + 1}`, 'warning'));
    }
    for (let j = 0; j < cells.length; j++) {
      if (never.has(j)) continue;
      const i = cells.slice(0, j).findIndex((earlier, n) => !never.has(n) && covers(earlier, cells[j]!, columns));
      if (i < 0) continue;
      const catchAll = cells[i]!.every((c) => c === 'any');
      out.push(errorAt(rowLoc(j), 'decision-row-unreachable', `row ${j + 1} of decision table '${name}' is never used: row ${i + 1} ${catchAll ? 'matches everything (- in every column)' : 'matches everything it matches'} and comes first`,
        `move row ${j + 1} above row ${i + 1}, or remove it`, 'warning'));
    }
  }
  return out;
}

/** An input both rows match, as `tier = 'pro', steps = 30`; undefined when none or unknown. */
function overlap(a: Cell[], b: Cell[], columns: (Column | undefined)[]): string | undefined {
  const parts: string[] = [];
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i];
    if (a[i] === 'any' && b[i] === 'any') continue;
    if (!col) return undefined;
    const x = setIn(a[i], col);
    const y = setIn(b[i], col);
    if (!x || !y) return undefined;
    const value = sample(intersect(x, y), col.integersOnly);
    if (value === undefined) return undefined;
    parts.push(`${col.label} = ${value}`);
  }
  return parts.length ? parts.join(', ') : 'every input';
}

/** Whether row `a` matches every input row `b` matches. */
function covers(a: Cell[], b: Cell[], columns: (Column | undefined)[]): boolean {
  return a.every((cell, i) => {
    if (cell === 'any') return true;
    const col = columns[i];
    const inner = col && setIn(b[i], col);
    return !!col && !!cell && !!inner && isSubset(inner, cell, col.integersOnly);
  });
}

/** A value of a one-column table's range no row matches: a gap between ranges. */
function uncoveredRange(cells: Cell[][], col: Column): string | undefined {
  let left = col.domain;
  for (const row of cells) {
    const cell = row[0];
    if (cell === undefined || cell === 'any') return undefined;
    left = intersect(left, complement(cell));
  }
  const value = sample(left, col.integersOnly);
  return value && `${col.label} = ${value}`;
}

/** A combination of enum values no row matches (a condition it can't read counts as matching). */
function uncovered(cells: Cell[][], columns: (Column | undefined)[]): string | undefined {
  if (columns.length === 1 && columns[0] && !columns[0].values && columns[0].kind === 'numbers') return uncoveredRange(cells, columns[0]);
  if (!columns.length || columns.some((c) => !c?.values)) return undefined;
  const cols = columns as Column[];
  if (cols.reduce((n, c) => n * c.values!.length, 1) > MAX_COMBINATIONS) return undefined;
  const matches = (row: Cell[], combo: (Decimal | string)[]) => row.every((c, i) => c === undefined || c === 'any' || contains(c, combo[i]!));
  const walk = (prefix: (Decimal | string)[]): (Decimal | string)[] | undefined => {
    if (prefix.length === cols.length) return cells.some((row) => matches(row, prefix)) ? undefined : prefix;
    for (const v of cols[prefix.length]!.values!) {
      const found = walk([...prefix, v]);
      if (found) return found;
    }
    return undefined;
  };
  const combo = walk([]);
  return combo && combo.map((v, i) => `${cols[i]!.label} = ${v instanceof Decimal ? v.toFixed() : v}`).join(', ');
}
