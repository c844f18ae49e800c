// Two explain traces of one request side by side, row by row, each row saying whether the
// two sides differ there (a formula or a value).
import type { IllustrativeFigure } from '../check/provenance.ts';
import type { TraceEntry } from '../compile/frame.ts';
import { showValue } from '../value.ts';

export interface TraceCell {
  /** How it was computed: the formula, `(input)`, `decision table: row 2`, … */
  how: string;
  value: string;
  /** The figures marked illustrative this line used. */
  illustrative?: IllustrativeFigure[];
}

/** A side's trace, with its illustrative marks line by line (pack-side.ts). */
export interface TraceSide {
  trace?: readonly TraceEntry[];
  illustrative?: readonly IllustrativeFigure[][];
}

export interface TraceRow {
  name: string;
  before?: TraceCell;
  after?: TraceCell;
  differs: boolean;
}

// A decision's note names the row's file:line; the two sides' files live in different folders
// (a git revision's copy, an upload), so only the file's own name is kept.
const rowPlace = /(?:[^\s:]*\/)?([^/\s:]+\.(?:ya?ml|csv):\d+)/g;

function cell(t: TraceEntry, illustrative?: IllustrativeFigure[]): TraceCell {
  const how = t.kind === 'input' ? (t.note === 'default' ? '(input, default)' : '(input)')
    : t.kind === 'decision' ? `decision table: ${(t.note ?? '').replace(rowPlace, '$1')}`.trim()
    : t.kind === 'constraint' ? `${t.formula ?? ''}${t.note ? ` -- rejected: ${t.note}` : ''}`
    : t.formula ?? t.kind;
  return illustrative?.length ? { how, value: showValue(t.value), illustrative } : { how, value: showValue(t.value) };
}

/** The after side's rows in its order; names only the before side has come last. */
export function traceRows(beforeSide: TraceSide, afterSide: TraceSide): TraceRow[] {
  const [before, after] = [beforeSide.trace ?? [], afterSide.trace ?? []];
  const b = new Map(before.map((t, i) => [t.name, cell(t, beforeSide.illustrative?.[i])]));
  const rows: TraceRow[] = [];
  const seen = new Set<string>();
  for (const [i, t] of after.entries()) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    const x = b.get(t.name);
    const y = cell(t, afterSide.illustrative?.[i]);
    rows.push({ name: t.name, before: x, after: y, differs: !x || x.how !== y.how || x.value !== y.value });
  }
  for (const t of before) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    rows.push({ name: t.name, before: b.get(t.name), differs: true });
  }
  return rows;
}
