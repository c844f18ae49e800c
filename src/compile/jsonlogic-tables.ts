// Table lookups and decision tables as JSON Logic `if` chains. A chain ends in the engine's
// error (`fail`) unless the key or the rows are known to cover every case.
import type { Expr, UnaryTest } from '../../grammar/ast.ts';
import type { CheckedDecision } from '../check/model.ts';
import { Decimal } from '../decimal.ts';
import { keyOf, showValue, type TableValue, type Value } from '../value.ts';
import { add, literal, never, NotExportable, rulesOf, type Num, type Row, type Rule, type Uses, type Val } from './jsonlogic-values.ts';
import { all, any, asBool, asNum, chain, compare, equals, evaluatedEagerly, inList, join, not } from './jsonlogic-logic.ts';

export function constant(v: Value): Val {
  if (v instanceof Decimal) return literal(v);
  if (typeof v === 'string') return { kind: 'string', rule: v, values: [v] };
  if (typeof v === 'boolean') return { kind: 'boolean', rule: v };
  throw new NotExportable(`the table value ${showValue(v)} isn't a number, text or boolean`);
}

/** The table keys (as keyOf) a value can take, when known. */
function possibleKeys(v: Val): string[] | undefined {
  if (v.kind === 'string') return v.values?.map((s) => `s:${s}`);
  if (v.kind === 'boolean') return typeof v.rule === 'boolean' ? [`b:${v.rule}`] : ['b:true', 'b:false'];
  if (v.kind === 'number' && v.constant) return [keyOf(v.constant)!];
  return undefined;
}

export function lookup(row: Row, column: string, uses: Uses): Val {
  const t = row.table;
  const possible = possibleKeys(row.key);
  const keys = t.keys.filter((k) => !possible || possible.includes(keyOf(k)!));
  const pairs: [Rule, Val][] = keys.map((k) => {
    const cells = t.rows.get(keyOf(k)!)!;
    if (!(column in cells)) throw new NotExportable(`table '${t.name}' has no column '${column}'`);
    return [equals(row.key, constant(k)), constant(cells[column]!)];
  });
  const covered = possible !== undefined && possible.every((k) => t.rows.has(k));
  const otherwise = covered && pairs.length ? pairs.pop()![1] : never(unknownKey(t, row.key), uses);
  return chain(pairs, otherwise);
}

function unknownKey(t: TableValue, key: Val): Rule {
  const prefix = `table '${t.name}' has no row with key `;
  return key.kind === 'string' ? { cat: [`${prefix}'`, key.rule, "'"] } : `${prefix}given`;
}

export function hasKey(t: TableValue, key: Val): Rule {
  const possible = possibleKeys(key);
  if (possible?.every((k) => t.rows.has(k))) return true;
  if (possible?.every((k) => !t.rows.has(k))) return false;
  return inList(key, { kind: 'guarded-list', items: t.keys.map((k) => ({ item: constant(k) })) });
}

/** The literal values a condition can equal, for proving two `unique` rows exclusive. */
function literalSet(test: UnaryTest): string[] | undefined {
  const lit = (e: { kind: string; value?: unknown }): string | undefined =>
    e.kind === 'number' ? `n:${new Decimal(e.value as string).toFixed()}` : e.kind === 'string' ? `s:${e.value}` : e.kind === 'boolean' ? `b:${e.value}` : undefined;
  if (test.kind === 'compare' && test.op === '==') {
    const k = lit(test.value);
    return k === undefined ? undefined : [k];
  }
  if (test.kind === 'in' && !test.negated && test.list.kind === 'list') {
    const ks = test.list.items.map(lit);
    return ks.every((k) => k !== undefined) ? (ks as string[]) : undefined;
  }
  return undefined;
}

function exclusive(a: (string[] | undefined)[], b: (string[] | undefined)[]): boolean {
  return a.some((s, i) => s && b[i] && !s.some((k) => b[i]!.includes(k)));
}

/** Translates one of a decision table's formulas: an input, a condition's operand, an output. */
export type Translate = (e: Expr) => Val;

function unaryTest(translate: Translate, test: UnaryTest, v: Val): Rule {
  switch (test.kind) {
    case 'any': return true;
    case 'compare': {
      const rhs = translate(test.value);
      if (test.op === '==') return equals(v, rhs);
      if (test.op === '!=') return not(equals(v, rhs));
      return compare(test.op, v, rhs);
    }
    case 'in': {
      const r = inList(v, translate(test.list));
      return test.negated ? not(r) : r;
    }
    case 'range':
      return all([
        compare(test.lowInclusive ? '>=' : '>', v, translate(test.low)),
        compare(test.highInclusive ? '<=' : '<', v, translate(test.high)),
      ]);
  }
}

/** One output column of a decision table, following its hit policy. */
export function decisionColumn(d: CheckedDecision, column: string, translate: Translate, uses: Uses): Val {
  const col = d.decl.outputs.findIndex((o) => o.name === column);
  if (col < 0) throw new NotExportable(`decision table '${d.decl.name}' has no output '${column}'`);
  const name = d.decl.name;
  const inputs = d.inputs.map((i) => translate(i.expr));
  const rows = d.rows.map((r) => ({
    match: all(r.conditions.map((c, i) => asBool({ kind: 'boolean', rule: unaryTest(translate, c.test, inputs[i]!) }, 'a condition').rule)),
    out: () => translate(r.outputs[col]!.expr),
    literals: r.conditions.map((c) => literalSet(c.test)),
    line: r.line,
  }));
  evaluatedEagerly(inputs.flatMap(rulesOf), `the inputs of decision table '${d.decl.name}'`);
  evaluatedEagerly(rows.map((r) => r.match), `the conditions of decision table '${d.decl.name}'`);
  const others = [...d.rows.map((r) => r.outputs), ...(d.default ? [d.default] : [])].flatMap((outs) => outs.filter((_, i) => i !== col));
  evaluatedEagerly(others.flatMap((o) => rulesOf(translate(o.expr))), `the other outputs of decision table '${d.decl.name}'`);
  const noMatch = (): Val => d.default ? translate(d.default[col]!.expr) : never(`no row of decision table '${name}' matches`, uses);

  switch (d.decl.hit) {
    case 'first':
      return chain(rows.map((r) => [r.match, r.out()]), noMatch());
    case 'unique':
      // A matched row is the first match; it must be the only one among the rows after it.
      return chain(rows.map((r, i) => {
        const rivals = rows.slice(i + 1).filter((o) => !exclusive(r.literals, o.literals));
        const clash = any(rivals.map((o) => o.match));
        const out = clash === false ? r.out() : chain([[clash, never(`decision table '${name}' is 'unique' but the row at line ${r.line} and a later row both match`, uses)]], r.out());
        return [r.match, out];
      }), noMatch());
    case 'collect':
      return collect(d, rows.map((r) => ({ match: r.match, out: r.out })));
  }
}

function collect(d: CheckedDecision, rows: { match: Rule; out: () => Val }[]): Val {
  const what = `decision table '${d.decl.name}'`;
  const zero = literal(new Decimal(0));
  const whenMatched = (match: Rule, value: Val): Num =>
    asNum(join([value, zero], ([v, z]) => (match === true ? v! : { if: [match, v!, z!] })), what);
  const total = (items: Num[]): Num => items.reduce((s, n) => add(s, n, '+', `the ${d.decl.aggregate} of ${what}`), zero);
  const live = rows.filter((r) => r.match !== false);
  switch (d.decl.aggregate) {
    case 'sum': return total(live.map((r) => whenMatched(r.match, r.out())));
    case 'count': return total(live.map((r) => whenMatched(r.match, literal(new Decimal(1)))));
    default: throw new NotExportable(`${what} collects with '${d.decl.aggregate}', which isn't exported (JSON Logic can't take the minimum or list of only the matched rows)`);
  }
}
