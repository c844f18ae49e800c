// Tables become lookup values once, at check time: keys unique, rows rectangular,
// each column of one type.
import type { RuleError } from '../../grammar/diagnostic.ts';
import { Decimal } from '../decimal.ts';
import type { TableDecl } from '../rules/model.ts';
import { errorAt } from '../rules/yaml-source.ts';
import { T, type Type } from '../types.ts';
import { keyOf, makeRecord, showValue, TableValue, type RecordValue, type Value } from '../value.ts';

function typeOfValue(v: Value): Type {
  if (v instanceof Decimal) return T.number;
  if (typeof v === 'boolean') return T.boolean;
  return T.string;
}

export function buildTable(decl: TableDecl, out: RuleError[]): { value: TableValue; type: Type } {
  const rows = new Map<string, RecordValue>();
  const keys: Value[] = [];
  const row: Record<string, Type> = {};
  for (const c of decl.columns) {
    const first = decl.rows.find((r) => c in r.cells);
    row[c] = first ? typeOfValue(first.cells[c]!) : T.any;
  }
  // A table without `key` was reported by the schema; don't add a second, stranger error.
  if (decl.key !== '' && decl.rows.length > 0 && !decl.columns.includes(decl.key)) {
    out.push(errorAt(decl.loc, 'table-key-missing', `table '${decl.name}' has no column '${decl.key}' to use as its key`, `columns: ${decl.columns.join(', ')}`));
  }
  for (const [i, r] of decl.rows.entries()) {
    const missing = decl.columns.filter((c) => !(c in r.cells));
    if (missing.length) {
      out.push(errorAt(r.loc, 'table-row-shape', `row ${i + 1} of table '${decl.name}' has no ${missing.map((m) => `'${m}'`).join(', ')}`, 'every row needs every column; tables are rectangular'));
      continue;
    }
    for (const c of decl.columns) {
      const t = typeOfValue(r.cells[c]!);
      if (row[c]!.k !== t.k) out.push(errorAt(r.loc, 'table-column-type', `column '${c}' of table '${decl.name}' mixes ${row[c]!.k} and ${t.k} (row ${i + 1}: ${showValue(r.cells[c]!)})`, 'quote numbers meant as text, or fix the value'));
    }
    const key = r.cells[decl.key];
    if (key === undefined) continue;
    const k = keyOf(key)!;
    if (rows.has(k)) {
      out.push(errorAt(r.loc, 'duplicate-key', `table '${decl.name}' has two rows with key ${showValue(key)}`, 'keys must be unique; merge or rename the rows'));
      continue;
    }
    rows.set(k, makeRecord(Object.entries(r.cells)));
    keys.push(key);
  }
  return {
    value: new TableValue(decl.name, decl.key, rows, keys),
    type: decl.unreadable ? T.any : { k: 'table', name: decl.name, key: row[decl.key] ?? T.any, row, keys: new Set(rows.keys()) },
  };
}
