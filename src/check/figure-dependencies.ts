// Which marked figures (`source:` on cells, tables, table rows and decision tables) an
// operation's result depends on: statically, over the formula dependency graph (outputs and
// constraints → cells → cells, decisions, tables' rows and columns, called operations), and
// for one evaluation, from its explain trace (which table rows were looked up, which decision
// rows matched).
import { children, type Expr } from '../../grammar/ast.ts';
import { Decimal } from '../decimal.ts';
import type { CellDecl, DecisionDecl, FigureSource, TableDecl } from '../rules/model.ts';
import { calledNames, freeNames, unaryTestNames } from './infer.ts';
import type { CheckedOperation, CheckedVersion, ParsedFormula, Symbol } from './model.ts';

/** A marked figure: how it is named (`models[haruka-v2].base_credits`, `cell steps_factor`) and its mark. */
export interface FigureUse {
  figure: string;
  source: FigureSource;
  /** For a table's values: which rows (by key) and columns, so uses can be merged. */
  table?: TableFigures;
}

export interface TableFigures {
  name: string;
  keys: string[];
  columns: string[];
  /** How many rows the table has: a use of every row is named `table[*]`. */
  rowCount: number;
}

/** `models[moonbeam, haruka-v2].base_credits`, `models[*].{a, b}` */
function tableFigureName(t: TableFigures): string {
  const keys = t.keys.length === t.rowCount && t.rowCount > 3 ? '*' : t.keys.join(', ');
  return `${t.name}[${keys}]${t.columns.length === 1 ? `.${t.columns[0]}` : `.{${t.columns.join(', ')}}`}`;
}

/** Uses of the same mark merged: one table's rows and columns together. */
export function mergeFigures(uses: FigureUse[]): string[] {
  const tables = new Map<string, TableFigures>();
  const names: string[] = [];
  for (const u of uses) {
    if (!u.table) {
      if (!names.includes(u.figure)) names.push(u.figure);
      continue;
    }
    const t = tables.get(u.table.name) ?? { ...u.table, keys: [], columns: [] };
    for (const k of u.table.keys) if (!t.keys.includes(k)) t.keys.push(k);
    for (const c of u.table.columns) if (!t.columns.includes(c)) t.columns.push(c);
    tables.set(u.table.name, t);
  }
  return [...names, ...[...tables.values()].map(tableFigureName)];
}

/** A figure an operation's result depends on, and the names leading to it from an output or constraint. */
export interface ReachedFigure extends FigureUse {
  via: string[];
}

/** `table[key].column` (column undefined: the whole row) in a formula. */
interface TableAccess {
  table: TableDecl;
  column?: string;
  key: Expr;
  /** The key uses a lambda's parameter (`t => prices[t].credits`): its value isn't in the trace. */
  keyBound: boolean;
}

function accessesIn(e: Expr, symbols: Map<string, Symbol>, bound: Set<string> = new Set(), out: TableAccess[] = []): TableAccess[] {
  const tableOf = (x: Expr): TableDecl | undefined => {
    if (x.kind !== 'name' || bound.has(x.name)) return undefined;
    const s = symbols.get(x.name);
    return s?.kind === 'table' ? s.decl : undefined;
  };
  const keyBound = (key: Expr) => freeNames(key).some((n) => bound.has(n.name));
  if (e.kind === 'member' && e.object.kind === 'index' && tableOf(e.object.object)) {
    const key = e.object.index;
    out.push({ table: tableOf(e.object.object)!, column: e.property, key, keyBound: keyBound(key) });
    accessesIn(key, symbols, bound, out);
    return out;
  }
  if (e.kind === 'index' && tableOf(e.object)) {
    out.push({ table: tableOf(e.object)!, key: e.index, keyBound: keyBound(e.index) });
    accessesIn(e.index, symbols, bound, out);
    return out;
  }
  if (e.kind === 'lambda') {
    accessesIn(e.body, symbols, new Set([...bound, ...e.params.map((p) => p.name)]), out);
    return out;
  }
  for (const c of children(e)) accessesIn(c, symbols, bound, out);
  return out;
}

/** A table key or a traced value as text, so `'haruka-v2'`, 2 and 2.0 compare as written. */
function keyText(v: unknown): string {
  if (v instanceof Decimal) return v.toFixed();
  if (typeof v === 'number') return new Decimal(v).toFixed();
  return String(v);
}

function covers(m: FigureSource, column: string): boolean {
  return !m.columns || m.columns.some((c) => c.name === column);
}

/** The marks of one value of a table: the row's own marks for that column, else the table's. */
export function tableFigureMarks(t: TableDecl, row: number, column: string): FigureSource[] {
  const own = t.rows[row]?.sources?.filter((m) => covers(m, column)) ?? [];
  return own.length ? own : (t.sources?.filter((m) => covers(m, column)) ?? []);
}

function tableUses(a: TableAccess, rows: number[]): FigureUse[] {
  const t = a.table;
  const columns = a.column !== undefined ? [a.column] : t.columns.filter((c) => c !== t.key);
  const bySource = new Map<FigureSource, { rows: number[]; columns: Set<string> }>();
  for (const r of rows) {
    for (const c of columns) {
      for (const m of tableFigureMarks(t, r, c)) {
        const seen = bySource.get(m) ?? { rows: [], columns: new Set<string>() };
        if (!seen.rows.includes(r)) seen.rows.push(r);
        seen.columns.add(c);
        bySource.set(m, seen);
      }
    }
  }
  return [...bySource].map(([source, { rows: rs, columns: cs }]) => {
    const table = { name: t.name, keys: rs.map((r) => keyText(t.rows[r]!.cells[t.key])), columns: [...cs], rowCount: t.rows.length };
    return { figure: tableFigureName(table), source, table };
  });
}

function cellUses(c: CellDecl, shared: boolean): FigureUse[] {
  return (c.sources ?? []).map((source) => ({ figure: `${shared ? 'shared cell' : 'cell'} ${c.name}`, source }));
}

function decisionUses(d: DecisionDecl, rows: number[] | 'default'): FigureUse[] {
  return (d.sources ?? []).flatMap((source) => {
    if (!source.rows) return [{ figure: `decision table ${d.name}`, source }];
    if (rows === 'default') return [];
    const hit = source.rows.map((r) => r.row).filter((r) => rows.includes(r - 1));
    return hit.length ? [{ figure: `decision table ${d.name}, row${hit.length > 1 ? 's' : ''} ${hit.join(', ')}`, source }] : [];
  });
}

function decisionFormulas(s: Extract<Symbol, { kind: 'decision' }>): { exprs: Expr[]; names: string[] } {
  const d = s.decision;
  const parsed: ParsedFormula[] = [...d.inputs, ...d.rows.flatMap((r) => r.outputs), ...(d.default ?? [])];
  const names = d.rows.flatMap((r) => r.conditions.flatMap((c) => unaryTestNames(c.test).map((n) => n.name)));
  return { exprs: parsed.filter((p) => !p.broken).map((p) => p.expr), names };
}

/** Every marked figure an operation's outputs and constraints depend on, over every row a lookup might hit. */
export function figuresReached(version: CheckedVersion, opName: string): ReachedFigure[] {
  const out: ReachedFigure[] = [];
  const seen = new Set<string>();
  const visit = (op: CheckedOperation, name: string, via: string[], prefix: string): void => {
    const key = `${op.decl.name}\u0000${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const sym = op.symbols.get(name);
    if (!sym) return;
    const here = [...via, prefix + name];
    const add = (uses: FigureUse[]) => { for (const u of uses) out.push({ ...u, via: here }); };
    let exprs: Expr[] = [];
    let names: string[] = [];
    if (sym.kind === 'cell') {
      add(cellUses(sym.decl, sym.shared));
      if (!sym.formula.broken) exprs = [sym.formula.expr];
    } else if (sym.kind === 'decision') {
      add(decisionUses(sym.decl, sym.decl.rows.map((_, i) => i)));
      ({ exprs, names } = decisionFormulas(sym));
    }
    for (const e of exprs) {
      for (const a of accessesIn(e, op.symbols)) {
        const literal = a.key.kind === 'string' || a.key.kind === 'number' ? keyText(a.key.value) : undefined;
        const rows = a.table.rows.map((_, i) => i).filter((i) => literal === undefined || keyText(a.table.rows[i]!.cells[a.table.key]) === literal);
        add(tableUses(a, rows));
      }
      for (const n of freeNames(e)) visit(op, n.name, here, prefix);
      for (const c of calledNames(e)) {
        const callee = version.operations.get(c.name);
        if (callee) for (const o of callee.outputs) visit(callee, o, here, `${c.name}.`);
      }
    }
    for (const n of names) visit(op, n, here, prefix);
  };
  const op = version.operations.get(opName);
  if (!op) return [];
  for (const o of op.outputs) visit(op, o, [], '');
  op.constraints.forEach((c, i) => {
    if (c.formula.broken) return;
    for (const n of freeNames(c.formula.expr)) visit(op, n.name, [`constraint ${i + 1}`], '');
    for (const a of accessesIn(c.formula.expr, op.symbols)) for (const u of tableUses(a, a.table.rows.map((_, r) => r))) out.push({ ...u, via: [`constraint ${i + 1}`] });
  });
  return out;
}

/** A line of an explain trace, as the engine gives it or as JSON. */
export interface TracedValue {
  name: string;
  kind: string;
  value: unknown;
  note?: string;
}

/**
 * The marked figures each line of one evaluation's trace used: a cell's own mark, the marks
 * of the table rows it looked up (found from the traced values of the key), the marks of
 * the decision rows that matched. Indexed like the trace.
 */
export function figuresOfTrace(version: CheckedVersion, opName: string, trace: TracedValue[]): FigureUse[][] {
  // A called operation's lines are named `run_model#2.cost`: each call has its own values.
  const scopeOf = (name: string) => {
    const dot = name.lastIndexOf('.');
    const prefix = dot > 0 && name.slice(0, dot).includes('#') ? name.slice(0, dot) : '';
    const local = prefix ? name.slice(dot + 1) : name;
    const callee = prefix ? prefix.slice(prefix.lastIndexOf('.') + 1).replace(/#\d+$/, '') : opName;
    return { prefix, local, op: version.operations.get(callee) };
  };
  const values = new Map<string, Map<string, unknown>>();
  for (const t of trace) {
    const { prefix, local } = scopeOf(t.name);
    if (!values.has(prefix)) values.set(prefix, new Map());
    values.get(prefix)!.set(local, t.value);
  }
  return trace.map((t) => {
    const { prefix, local, op } = scopeOf(t.name);
    const sym = op?.symbols.get(local);
    if (!op || !sym) return [];
    const known = values.get(prefix)!;
    if (t.kind === 'cell' && sym.kind === 'cell') {
      const uses = [...cellUses(sym.decl, false), ...formulaUses(sym.formula, op, known)];
      // Shared cells are constants: not traced, so their figures show on the cells that read them.
      if (!sym.formula.broken) {
        for (const n of new Set(freeNames(sym.formula.expr).map((x) => x.name))) {
          const s = op.symbols.get(n);
          if (s?.kind === 'cell' && s.shared) uses.push(...cellUses(s.decl, true), ...formulaUses(s.formula, op, known));
        }
      }
      return dedupe(uses);
    }
    if (t.kind === 'decision' && sym.kind === 'decision') {
      const lines = [...(t.note ?? '').matchAll(/:(\d+)(?=,|$)/g)].map((m) => Number(m[1]));
      const rows = /default used/.test(t.note ?? '') ? 'default' as const : sym.decision.rows.flatMap((r, i) => (lines.includes(r.line) ? [i] : []));
      return decisionUses(sym.decl, rows);
    }
    return [];
  });
}

function formulaUses(f: ParsedFormula, op: CheckedOperation, known: Map<string, unknown>): FigureUse[] {
  if (f.broken) return [];
  const everyName = freeNames(f.expr).map((n) => n.name).filter((n) => known.has(n));
  return accessesIn(f.expr, op.symbols).flatMap((a) => {
    const t = a.table;
    const all = t.rows.map((_, i) => i);
    let wanted: Set<string> | undefined;
    if (a.key.kind === 'string' || a.key.kind === 'number') wanted = new Set([keyText(a.key.value)]);
    else if (a.key.kind === 'name' && !a.keyBound && known.has(a.key.name)) wanted = new Set([keyText(known.get(a.key.name))]);
    else if (everyName.length) {
      // A key computed inside MAP/FILTER: the rows whose key is among the values the formula read.
      wanted = new Set(everyName.flatMap((n) => flatten(known.get(n))).map(keyText));
    }
    const rows = wanted ? all.filter((i) => wanted!.has(keyText(t.rows[i]!.cells[t.key]))) : all;
    return tableUses(a, rows);
  });
}

function flatten(v: unknown): unknown[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}

function dedupe(uses: FigureUse[]): FigureUse[] {
  const seen = new Set<string>();
  return uses.filter((u) => {
    const k = `${u.figure}\u0000${u.source.kind}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
