// Branches, comparisons and membership for the JSON Logic exporter: the parts where two
// values meet and must be on one scale (or one kind) first.
import { Decimal } from '../decimal.ts';
import {
  align, aligned, boundsOf, checked, exact, joinNumbers, NotExportable, number, ruleOf, rulesOf,
  type Bool, type GuardedList, type Num, type Ratio, type Rule, type Str, type Val,
} from './jsonlogic-values.ts';
import { decidedComparison, ratioComparison } from './numeric-shape.ts';

export function asNum(v: Val, what: string): Num {
  if (v.kind === 'number') return v;
  if (v.kind === 'never') return { kind: 'number', rule: v.rule, scale: 0, den: 1, lo: new Decimal(0), hi: new Decimal(0) };
  if (v.kind === 'ratio') {
    throw new NotExportable(`${v.text} is a quotient that may not terminate; the engine keeps it exact and floats can't (it is exported only where it is compared)`);
  }
  throw new NotExportable(`${what} is not a number the export can compute`);
}

export function asBool(v: Val, what: string): Bool {
  if (v.kind === 'boolean') return v;
  if (v.kind === 'never') return { kind: 'boolean', rule: v.rule };
  throw new NotExportable(`${what} is not a condition the export can compute`);
}

/**
 * Values of alternative branches (IF, decision rows, table rows) as one value: numbers on
 * one scale, strings with their possible values merged. `build` gets the branches' rules.
 */
export function join(vals: Val[], build: (rules: Rule[]) => Rule): Val {
  const live = vals.filter((v) => v.kind !== 'never');
  if (live.length === 0) return { kind: 'never', rule: build(vals.map(ruleOf)) };
  const kind = live[0]!.kind;
  if (kind === 'number') {
    const nums = live.map((v) => asNum(v, 'a branch'));
    const { shape, rules } = joinNumbers(nums);
    const { lo, hi } = boundsOf(nums);
    let k = 0;
    const all = vals.map((v) => (v.kind === 'never' ? v.rule : rules[k++]!));
    return checked({ ...shape, lo, hi, kind: 'number', rule: build(all) }, 'a choice between numbers');
  }
  if (kind === 'string' && live.every((v) => v.kind === 'string')) {
    const values = live.every((v) => (v as Str).values) ? [...new Set(live.flatMap((v) => (v as Str).values!))] : undefined;
    return { kind: 'string', rule: build(vals.map(ruleOf)), values };
  }
  if (kind === 'boolean' && live.every((v) => v.kind === 'boolean')) return { kind: 'boolean', rule: build(vals.map(ruleOf)) };
  throw new NotExportable(`branches give ${[...new Set(live.map((v) => v.kind))].join(' and ')} values, which the export can't choose between`);
}

/** `{"if": [c1, v1, c2, v2, …, otherwise]}`, dropping conditions that are known to be false. */
export function chain(pairs: [Rule, Val][], otherwise: Val): Val {
  const live = pairs.filter(([c]) => c !== false);
  const firstTrue = live.findIndex(([c]) => c === true);
  const used = firstTrue >= 0 ? live.slice(0, firstTrue) : live;
  const last = firstTrue >= 0 ? live[firstTrue]![1] : otherwise;
  if (used.length === 0) return last;
  return join([...used.map(([, v]) => v), last], (rules) => ({ if: [...used.flatMap(([c], i) => [c, rules[i]!]), rules[rules.length - 1]!] }));
}

export function not(b: Rule): Rule {
  return typeof b === 'boolean' ? !b : { '!': [b] };
}

export function all(rules: Rule[]): Rule {
  if (rules.includes(false)) return false;
  const rest = rules.filter((r) => r !== true);
  return rest.length === 0 ? true : rest.length === 1 ? rest[0]! : { and: rest };
}

export function any(rules: Rule[]): Rule {
  if (rules.includes(true)) return true;
  const rest = rules.filter((r) => r !== false);
  return rest.length === 0 ? false : rest.length === 1 ? rest[0]! : { or: rest };
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

const FLIP: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const STRICT: Record<CompareOp, string> = { '==': '===', '!=': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * A comparison of numbers on one scale and denominator is exact in floats. A quotient n/d is
 * compared by cross-multiplying, as exact as the engine's rational quotient while n and b·d
 * stay in range. One the bounds already decide is that boolean.
 */
export function compare(op: CompareOp, a: Val, b: Val): Rule {
  if (a.kind === 'ratio' && b.kind === 'ratio') throw new NotExportable(`compares two quotients, ${a.text} and ${b.text}, which this export can't cross-multiply exactly`);
  if (a.kind === 'ratio') return compareRatio(op, a, asNum(b, 'the compared value'));
  if (b.kind === 'ratio') return compareRatio(FLIP[op], b, asNum(a, 'the compared value'));
  const [p, q] = [asNum(a, 'the compared value'), asNum(b, 'the compared value')];
  // Folded only where neither side can fail: the engine would raise that error first.
  const decided = decidedComparison(p, op, q);
  if (decided !== undefined && !mayFail(p.rule) && !mayFail(q.rule)) return decided;
  const [x, y] = align([p, q]) as [Num, Num];
  return { [STRICT[op]]: [x.rule, y.rule] };
}

function compareRatio(op: CompareOp, q: Ratio, b: Num): Rule {
  const positive = q.den.lo.gt(0);
  const what = `${q.text} compared`;
  const { product, factors, sides } = exact(what, () => ratioComparison(q.num, q.den, b));
  const bd = checked(number(product, { '*': [b.rule, q.den.rule] }), what);
  const n = aligned(q.num, sides[0], factors[0], what);
  const m = aligned(bd, sides[1], factors[1], what);
  return { [STRICT[positive ? op : FLIP[op]]]: [n.rule, m.rule] };
}

export function equals(a: Val, b: Val): Rule {
  if (a.kind === 'number' || a.kind === 'ratio' || b.kind === 'number' || b.kind === 'ratio') return compare('==', a, b);
  if (a.kind === 'string' && b.kind === 'string') {
    if (typeof a.rule === 'string' && typeof b.rule === 'string') return a.rule === b.rule;
    if (typeof b.rule === 'string' && a.values && !a.values.includes(b.rule)) return false;
    if (typeof a.rule === 'string' && b.values && !b.values.includes(a.rule)) return false;
    return { '===': [a.rule, b.rule] };
  }
  if (a.kind === 'boolean' && b.kind === 'boolean') {
    if (typeof a.rule === 'boolean' && typeof b.rule === 'boolean') return a.rule === b.rule;
    return { '===': [a.rule, b.rule] };
  }
  throw new NotExportable(`compares ${a.kind} with ${b.kind} values, which JSON Logic can't compare as the engine does`);
}

/** `x in list`: a known list becomes `in` over literals or a disjunction; a list input uses `in`. */
export function inList(x: Val, list: Val): Rule {
  if (list.kind === 'guarded-list') return inGuarded(x, list);
  if (list.kind === 'dynamic-list' && (x.kind === 'string' || x.kind === 'boolean') && list.item.kind === x.kind && isElement(list.item.rule)) {
    return { in: [x.rule, list.rule] };
  }
  throw new NotExportable(`'in' over ${list.kind === 'dynamic-list' ? 'a list of numbers or records' : `a ${list.kind}`} isn't exported`);
}

function inGuarded(x: Val, list: GuardedList): Rule {
  evaluatedEagerly(list.items.flatMap((i) => [i.when ?? true, ...rulesOf(i.item)]), "the list's items");
  const plain = list.items.every((i) => i.when === undefined && i.item.kind === 'string' && typeof i.item.rule === 'string');
  if (plain && x.kind === 'string' && typeof x.rule !== 'string') {
    const literals = list.items.map((i) => (i.item as Str).rule as string).filter((s) => !x.values || x.values.includes(s));
    if (literals.length === 0) return false;
    if (x.values && x.values.every((v) => literals.includes(v))) return true;
    return { in: [x.rule, literals] };
  }
  return any(list.items.map((i) => all([i.when ?? true, equals(x, i.item)])));
}

/** Whether a rule is the list element itself (`{"var": ""}`). */
export function isElement(rule: Rule): boolean {
  return typeof rule === 'object' && rule !== null && !Array.isArray(rule) && 'var' in rule && rule.var === '';
}

function mayFail(rule: Rule): boolean {
  if (Array.isArray(rule)) return rule.some(mayFail);
  if (typeof rule !== 'object' || rule === null) return false;
  return Object.entries(rule).some(([op, args]) => op === 'fail' || mayFail(args));
}

/**
 * The engine evaluates some things whole (every decision row's conditions, a list's items)
 * where the emitted JSON Logic stops early; that only differs when a skipped part can fail.
 */
export function evaluatedEagerly(rules: Rule[], what: string): void {
  if (rules.some(mayFail)) throw new NotExportable(`${what} can raise an error, and the engine evaluates all of them where JSON Logic would stop early`);
}
