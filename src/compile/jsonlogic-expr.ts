// Formulas of one checked operation translated to JSON Logic, one output or constraint at a
// time. Each step either emits a rule proven to give the engine's exact value, or throws
// NotExportable with the reason.
import type { Expr } from '../../grammar/ast.ts';
import { formatExpr } from '../../grammar/index.ts';
import type { CheckedOperation } from '../check/model.ts';
import { Decimal } from '../decimal.ts';
import { builtin, type Builtin, type BuiltinName, type RoundingSpec } from '../functions/builtins.ts';
import { spreadsheetEquivalent } from '../functions/operators.ts';
import type { InputDecl, InputType } from '../rules/model.ts';
import { all, any, asBool, asNum, chain, compare, equals, evaluatedEagerly, inList, isElement, join, not, type CompareOp } from './jsonlogic-logic.ts';
import { roundingDigits } from './numeric-shape.ts';
import { constant, decisionColumn, hasKey, lookup } from './jsonlogic-tables.ts';
import {
  add, align, checked, divideByConstant, literal, multiply, negate, never, NotExportable, roundTo, ruleOf, rulesOf,
  type DynamicList, type GuardedList, type Num, type Rounding, type Rule, type Uses, type Val,
} from './jsonlogic-values.ts';

/** How far inputs without a declared range may go while the rules stay exact. */
export interface PreviewLimit {
  /** Largest magnitude of a number or integer input that has no min/max of its own. */
  maximum: number;
  /** Decimals kept of `number` inputs. */
  decimals: number;
}

/** Where a formula is translated: lambda parameters, and which list element json-logic-js scopes data to (0: the request). */
export interface Env {
  locals: Map<string, { val: Val; scope: number }>;
  scope: number;
}

const TOP: Env = { locals: new Map(), scope: 0 };
/** The current list element, inside map/filter/some/none. */
const ELEMENT: Rule = { var: '' };
const MAX_ARRAY = new Decimal(2).pow(32);

export class Translator {
  readonly uses: Uses = new Set();
  /** Inputs read through `scaled`, by path: the export's `limits`. */
  readonly limited = new Map<string, PreviewLimit>();
  private readonly cells = new Map<string, Val>();
  private scopes = 0;

  constructor(private readonly op: CheckedOperation, private readonly limit: PreviewLimit) {}

  name(name: string, env: Env = TOP): Val {
    const local = env.locals.get(name);
    if (local) {
      if (local.scope !== env.scope) throw new NotExportable(`a lambda reads '${name}' of an enclosing lambda over a list input; json-logic-js shows only the current element`);
      return local.val;
    }
    const sym = this.op.symbols.get(name);
    if (!sym) throw new NotExportable(`unknown name '${name}'`);
    const inner: Env = { locals: new Map(), scope: env.scope };
    switch (sym.kind) {
      case 'input':
        if (env.scope !== 0) throw new NotExportable(`a lambda over a list input reads the input '${name}'; json-logic-js shows only the current element`);
        return this.input(sym.decl.type, varRule(name, sym.decl), name);
      case 'table':
        return { kind: 'table', value: sym.value };
      case 'decision':
        return { kind: 'decision', decision: sym.decision };
      case 'cell': {
        if (env.scope !== 0) return this.expr(sym.formula.expr, inner);
        let v = this.cells.get(name);
        if (!v) this.cells.set(name, (v = this.expr(sym.formula.expr, inner)));
        return v;
      }
    }
  }

  private input(t: InputType, rule: Rule, path: string): Val {
    switch (t.kind) {
      case 'string': return { kind: 'string', rule, values: t.enum };
      case 'boolean': return { kind: 'boolean', rule };
      case 'integer': case 'number': return this.number(t, rule, path);
      case 'list': return { kind: 'dynamic-list', rule, item: this.input(t.items, ELEMENT, `${path}[]`), maxItems: t.maxItems };
      case 'record': return { kind: 'item-record', fields: new Map(t.fields.map((f) => [f.name, this.input(f.type, varRule(f.name, f), `${path}.${f.name}`)])) };
      case 'malformed': throw new Error(`input '${path}' is malformed; packs with errors are not exported`);
    }
  }

  /** Integers within a declared range are read as they are; other numbers through `scaled`, which enforces the limit. */
  private number(t: Extract<InputType, { kind: 'integer' | 'number' }>, rule: Rule, path: string): Num {
    const enumDecimals = t.enum ? Math.max(0, ...t.enum.map((d) => d.decimalPlaces())) : undefined;
    if (t.enum && enumDecimals === 0) return checked({ kind: 'number', rule, scale: 0, binary: 0, lo: Decimal.min(...t.enum), hi: Decimal.max(...t.enum) }, `input '${path}'`);
    if (t.kind === 'integer' && t.min && t.max) return checked({ kind: 'number', rule, scale: 0, binary: 0, lo: t.min, hi: t.max }, `input '${path}'`);
    const limit = t.enum
      ? { maximum: Decimal.max(...t.enum.map((d) => d.abs())).toNumber(), decimals: enumDecimals! }
      : { maximum: this.limit.maximum, decimals: t.kind === 'integer' ? 0 : this.limit.decimals };
    const max = new Decimal(limit.maximum);
    this.uses.add('scaled');
    this.limited.set(path, limit);
    return checked({
      kind: 'number', rule: { scaled: [rule, limit.decimals, limit.maximum] }, scale: limit.decimals, binary: 0,
      lo: t.min ? Decimal.max(t.min, max.neg()) : max.neg(), hi: t.max ? Decimal.min(t.max, max) : max,
    }, `input '${path}'`);
  }

  expr(e: Expr, env: Env): Val {
    switch (e.kind) {
      case 'number': return literal(new Decimal(e.value));
      case 'string': return { kind: 'string', rule: e.value, values: [e.value] };
      case 'boolean': return { kind: 'boolean', rule: e.value };
      case 'list': return { kind: 'guarded-list', items: e.items.map((i) => ({ item: this.expr(i, env) })) };
      case 'record': throw new NotExportable('record values aren\'t exported');
      case 'lambda': throw new NotExportable('a lambda outside MAP, FILTER, ANY or ALL');
      case 'name': return this.name(e.name, env);
      case 'member': return this.member(e, env);
      case 'index': {
        const table = this.expr(e.object, env);
        if (table.kind !== 'table') throw new NotExportable(`list positions (${formatExpr(e)}) aren't exported`);
        return { kind: 'row', table: table.value, key: this.expr(e.index, env) };
      }
      case 'unary': {
        if (e.op === '%') return this.expr(spreadsheetEquivalent(e)!, env);
        const v = this.expr(e.operand, env);
        return e.op === '-' ? negate(asNum(v, formatExpr(e))) : { kind: 'boolean', rule: not(asBool(v, formatExpr(e)).rule) };
      }
      case 'binary': return this.binary(e, env);
      case 'call': return this.call(e, env);
    }
  }

  private member(e: Extract<Expr, { kind: 'member' }>, env: Env): Val {
    const obj = this.expr(e.object, env);
    switch (obj.kind) {
      case 'row': return lookup(obj, e.property, this.uses);
      case 'decision': {
        // The table's formulas don't see the locals (LET, lambda parameters) where it is read.
        const scope: Env = { locals: new Map(), scope: env.scope };
        return decisionColumn(obj.decision, e.property, (x) => this.expr(x, scope), this.uses);
      }
      case 'item-record': {
        const field = obj.fields.get(e.property);
        if (!field) throw new NotExportable(`no field '${e.property}'`);
        return field;
      }
      default: throw new NotExportable(`${formatExpr(e)} reads a field of a ${obj.kind}, which isn't exported`);
    }
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>, env: Env): Val {
    if (e.op === '^' || e.op === '&') return this.expr(spreadsheetEquivalent(e)!, env);
    const text = formatExpr(e);
    const l = this.expr(e.left, env);
    const r = this.expr(e.right, env);
    const bool = (rule: Rule): Val => ({ kind: 'boolean', rule });
    switch (e.op) {
      case '+': case '-': return add(asNum(l, text), asNum(r, text), e.op, text);
      case '*': return multiply(asNum(l, text), asNum(r, text), text);
      case '/': return this.divide(asNum(l, text), asNum(r, text), text);
      case '==': return bool(equals(l, r));
      case '!=': return bool(not(equals(l, r)));
      case '<': case '<=': case '>': case '>=': return bool(compare(e.op as CompareOp, l, r));
      case 'and': return bool(all([asBool(l, text).rule, asBool(r, text).rule]));
      case 'or': return bool(any([asBool(l, text).rule, asBool(r, text).rule]));
      case 'in': return bool(inList(l, r));
    }
  }

  private divide(a: Num, b: Num, text: string): Val {
    if (b.constant) return b.constant.isZero() ? never('division by zero', this.uses) : divideByConstant(a, b.constant, text);
    if (b.lo.gt(0) || b.hi.lt(0)) return { kind: 'ratio', num: a, den: b, text };
    throw new NotExportable(`${text} divides by a value that can be 0`);
  }

  private call(e: Extract<Expr, { kind: 'call' }>, env: Env): Val {
    const fn = builtin(e.callee);
    if (!fn) throw new NotExportable(`calls the operation '${e.callee}'; JSON Logic has no operation calls (export '${e.callee}' too and combine the results on the client)`);
    const emit = JSONLOGIC_CALLS[fn.name];
    if (typeof emit !== 'function') throw new NotExportable(`${fn.name} isn't exported (${emit.notExported})`);
    const text = formatExpr(e);
    return emit({ t: this, e, env, text, fn, arg: (i) => this.expr(e.args[i]!, env), nums: () => e.args.map((a) => asNum(this.expr(a, env), text)) });
  }

  /** CEIL/FLOOR to a whole number or a power-of-ten significance, ROUND/TRUNC/ROUNDDOWN/INT to constant digits. */
  round(spec: RoundingSpec, e: Extract<Expr, { kind: 'call' }>, env: Env, text: string): Val {
    if (spec.mode === 'up') throw new NotExportable(`${text}: JSON Logic has no rounding away from zero`);
    const second = e.args[1] ? asNum(this.expr(e.args[1], env), text).constant ?? null : undefined;
    const digits = roundingDigits(spec, second, { min: -20, max: 20 });
    if (typeof digits === 'string') throw new NotExportable(`${text}: ${digits}`);
    return roundTo(asNum(this.expr(e.args[0]!, env), text), digits, spec.mode, this.uses, text);
  }

  numbersOf(e: Extract<Expr, { kind: 'call' }>, env: Env, text: string): Num[] {
    if (e.args.length === 1) {
      const v = this.expr(e.args[0]!, env);
      if (v.kind === 'guarded-list' && v.items.length > 0 && v.items.every((i) => i.when === undefined)) return v.items.map((i) => asNum(i.item, text));
      if (v.kind !== 'number') throw new NotExportable(`${text} over a list that isn't known in advance isn't exported`);
      return [v];
    }
    return e.args.map((a) => asNum(this.expr(a, env), text));
  }

  extreme(name: 'MIN' | 'MAX', ns: Num[], text: string): Num {
    if (ns.length === 1) return ns[0]!;
    const pick = (...ds: Decimal[]): Decimal => (name === 'MIN' ? Decimal.min(...ds) : Decimal.max(...ds));
    if (ns.every((n) => n.constant)) return literal(pick(...ns.map((n) => n.constant!)));
    const aligned = align(ns);
    return checked({
      kind: 'number', rule: { [name.toLowerCase()]: aligned.map((n) => n.rule) }, scale: aligned[0]!.scale,
      binary: Math.max(...aligned.map((n) => n.binary)), lo: pick(...ns.map((n) => n.lo)), hi: pick(...ns.map((n) => n.hi)),
    }, text);
  }

  list(v: Val, text: string): GuardedList | DynamicList {
    if (v.kind === 'guarded-list' || v.kind === 'dynamic-list') return v;
    throw new NotExportable(`${text} needs a list`);
  }

  sum(list: GuardedList | DynamicList, text: string): Num {
    const zero = literal(new Decimal(0));
    if (list.kind === 'guarded-list') {
      return list.items.reduce<Num>((s, i) => add(s, i.when === undefined ? asNum(i.item, text) : asNum(join([i.item, zero], ([x, z]) => ({ if: [i.when!, x!, z!] })), text), '+', text), zero);
    }
    const item = asNum(elements(list).item, text);
    const n = new Decimal(list.maxItems ?? MAX_ARRAY);
    return checked({
      ...item, rule: { reduce: [elements(list).source, { '+': [{ var: 'accumulator' }, { var: 'current' }] }, 0] },
      lo: Decimal.min(0, item.lo.times(n)), hi: Decimal.max(0, item.hi.times(n)), constant: undefined,
    }, text);
  }

  count(list: GuardedList | DynamicList, text: string): Num {
    if (list.kind === 'guarded-list') {
      evaluatedEagerly(list.items.flatMap((i) => rulesOf(i.item)), "the list's items");
      return this.sum({ kind: 'guarded-list', items: list.items.map((i) => ({ when: i.when, item: literal(new Decimal(1)) })) }, text);
    }
    return checked({
      kind: 'number', rule: { reduce: [list.rule, { '+': [{ var: 'accumulator' }, 1] }, 0] }, scale: 0, binary: 0,
      lo: new Decimal(0), hi: new Decimal(list.maxItems ?? MAX_ARRAY),
    }, text);
  }

  /**
   * MAP/FILTER/ANY/ALL over a list known in advance (KEYS, a literal) unroll, so the lambda
   * may read anything; over a list input they become map/filter/some/none, whose lambda
   * json-logic-js evaluates with the element as its only data.
   */
  lambdaCall(name: string, e: Extract<Expr, { kind: 'call' }>, env: Env, text: string): Val {
    const list = this.list(this.expr(e.args[0]!, env), text);
    const lambda = e.args[1]!;
    if (lambda.kind !== 'lambda') throw new NotExportable(`${text} needs a lambda`);
    const param = lambda.params[0]!.name;
    if (list.kind === 'guarded-list') {
      const body = (item: Val): Val => this.expr(lambda.body, { scope: env.scope, locals: new Map([...env.locals, [param, { val: item, scope: env.scope }]]) });
      const items = list.items.map((i) => ({ when: i.when, body: body(i.item), item: i.item }));
      if (name === 'MAP' || name === 'FILTER') evaluatedEagerly(items.flatMap((i) => rulesOf(i.body)), `the lambda of ${name}`);
      switch (name) {
        case 'MAP': return { kind: 'guarded-list', items: items.map((i) => ({ when: i.when, item: i.body })) };
        case 'FILTER': return { kind: 'guarded-list', items: items.map((i) => ({ when: all([i.when ?? true, asBool(i.body, text).rule]), item: i.item })) };
        case 'ANY': return { kind: 'boolean', rule: any(items.map((i) => all([i.when ?? true, asBool(i.body, text).rule]))) };
        default: return { kind: 'boolean', rule: all(items.map((i) => any([not(i.when ?? true), asBool(i.body, text).rule]))) };
      }
    }
    const scope = ++this.scopes;
    const { source, item } = elements(list);
    const body = this.expr(lambda.body, { scope, locals: new Map([[param, { val: item, scope }]]) });
    switch (name) {
      case 'MAP': {
        if (body.kind !== 'number' && body.kind !== 'string' && body.kind !== 'boolean') throw new NotExportable(`${text} makes a list of ${body.kind}s`);
        return { kind: 'dynamic-list', rule: { map: [source, body.rule] }, item: { ...body, rule: ELEMENT }, maxItems: list.maxItems };
      }
      case 'FILTER': return { kind: 'dynamic-list', rule: { filter: [source, asBool(body, text).rule] }, item, maxItems: list.maxItems };
      case 'ANY': return { kind: 'boolean', rule: { some: [source, asBool(body, text).rule] } };
      default: return { kind: 'boolean', rule: { none: [source, not(asBool(body, text).rule)] } };
    }
  }
}

/** The list with each element as its value (numbers read and scaled), and how to read one element. */
function elements(list: DynamicList): { source: Rule; item: Val } {
  const item = list.item;
  if (item.kind === 'item-record' || isElement(ruleOf(item))) return { source: list.rule, item };
  return { source: { map: [list.rule, ruleOf(item)] }, item: { ...item, rule: ELEMENT } as Val };
}

function varRule(name: string, decl: InputDecl): Rule {
  const d = decl.defaultJson;
  if (d === undefined) return { var: name };
  const plain = (x: unknown): boolean => x === null || typeof x !== 'object' || (Array.isArray(x) && x.every(plain));
  if (!plain(d)) throw new NotExportable(`the default of '${name}' holds records, which json-logic-js would read as rules`);
  return { var: [name, d as Rule] };
}

/** What a builtin's emission sees: the translator, the call, and its arguments translated on demand. */
interface CallSite {
  t: Translator;
  e: Extract<Expr, { kind: 'call' }>;
  env: Env;
  text: string;
  fn: Builtin<BuiltinName>;
  arg(i: number): Val;
  nums(): Num[];
}

type JsonLogicCall = (c: CallSite) => Val;

const round: JsonLogicCall = ({ t, e, env, text, fn }) => t.round(fn.rounding!, e, env, text);
const extreme: JsonLogicCall = ({ t, e, env, text, fn }) => t.extreme(fn.name as 'MIN' | 'MAX', t.numbersOf(e, env, text), text);
const logic: JsonLogicCall = ({ e, text, fn, arg }) => {
  const parts = e.args.map((_, i) => asBool(arg(i), text).rule);
  return { kind: 'boolean', rule: fn.name === 'AND' ? all(parts) : any(parts) };
};
const lambda: JsonLogicCall = ({ t, e, env, text, fn }) => t.lambdaCall(fn.name, e, env, text);

/** Every builtin's JSON Logic emission, or why it isn't exported: keyed by BuiltinName, so a new builtin must be decided here. */
const JSONLOGIC_CALLS: Record<BuiltinName, JsonLogicCall | { notExported: string }> = {
  IF: ({ text, arg }) => {
    const c = asBool(arg(0), text).rule;
    if (typeof c === 'boolean') return arg(c ? 1 : 2);
    return join([arg(1), arg(2)], ([a, b]) => ({ if: [c, a!, b!] }));
  },
  IFS: ({ t, e, text, arg }) => {
    const pairs: [Rule, Val][] = [];
    for (let i = 0; i + 1 < e.args.length; i += 2) pairs.push([asBool(arg(i), text).rule, arg(i + 1)]);
    return chain(pairs, e.args.length % 2 ? arg(e.args.length - 1) : never('no condition of IFS was true', t.uses));
  },
  SWITCH: ({ t, e, arg }) => {
    const v = arg(0);
    const pairs: [Rule, Val][] = [];
    for (let i = 1; i + 1 < e.args.length; i += 2) pairs.push([equals(v, arg(i)), arg(i + 1)]);
    return chain(pairs, e.args.length % 2 === 0 ? arg(e.args.length - 1) : never('no case of SWITCH matches', t.uses));
  },
  MIN: extreme,
  MAX: extreme,
  ABS: ({ text, arg }) => {
    const x = asNum(arg(0), text);
    if (x.constant) return literal(x.constant.abs());
    const hi = Decimal.max(x.lo.abs(), x.hi.abs());
    const lo = x.lo.gte(0) ? x.lo : x.hi.lte(0) ? x.hi.abs() : new Decimal(0);
    return { ...x, rule: { if: [{ '<': [x.rule, 0] }, { '-': [x.rule] }, x.rule] }, lo, hi };
  },
  CEIL: round,
  CEILING: round,
  FLOOR: round,
  ROUND: round,
  ROUNDUP: { notExported: 'JSON Logic has no rounding away from zero; use CEIL for amounts that are never negative' },
  ROUNDDOWN: round,
  TRUNC: round,
  INT: round,
  MROUND: { notExported: 'JSON Logic has no rounding to the nearest multiple' },
  AND: logic,
  OR: logic,
  NOT: ({ text, arg }) => ({ kind: 'boolean', rule: not(asBool(arg(0), text).rule) }),
  CLAMP: ({ t, text, nums }) => {
    const [x, lo, hi] = nums() as [Num, Num, Num];
    const clamped = t.extreme('MIN', [t.extreme('MAX', [x, lo], text), hi], text);
    if (lo.hi.lte(hi.lo)) return clamped;
    const [l, h] = align([lo, hi]) as [Num, Num];
    return chain([[{ '>': [l.rule, h.rule] }, never('CLAMP: lo is greater than hi', t.uses)]], clamped);
  },
  MOD: ({ text, nums }) => {
    const [a, b] = nums() as [Num, Num];
    if (!b.constant?.gt(0) || a.lo.lt(0)) throw new NotExportable(`${text}: MOD is exported only of a number ≥ 0 by a positive constant (JavaScript's % truncates where MOD floors)`);
    const [x, y] = align([a, b]) as [Num, Num];
    return checked({ ...x, rule: { '%': [x.rule, y.rule] }, binary: Math.max(x.binary, y.binary), lo: new Decimal(0), hi: b.constant, constant: undefined }, text);
  },
  POWER: { notExported: 'its results can outgrow the range in which floats are exact' },
  SUM: ({ t, text, arg }) => t.sum(t.list(arg(0), text), text),
  COUNT: ({ t, text, arg }) => t.count(t.list(arg(0), text), text),
  AVERAGE: { notExported: 'it divides by the count, and the quotient may not terminate: the engine keeps it exact, floats can\'t' },
  MAP: lambda,
  FILTER: lambda,
  ANY: lambda,
  ALL: lambda,
  HAS: ({ text, arg }) => {
    const table = arg(0);
    if (table.kind !== 'table') throw new NotExportable(`${text}: HAS needs a table`);
    return { kind: 'boolean', rule: hasKey(table.value, arg(1)) };
  },
  KEYS: ({ text, arg }) => {
    const table = arg(0);
    if (table.kind !== 'table') throw new NotExportable(`${text}: KEYS needs a table`);
    return { kind: 'guarded-list', items: table.value.keys.map((k) => ({ item: constant(k) })) };
  },
  CONCAT: ({ e, text, arg }) => {
    const parts = e.args.map((_, i) => arg(i));
    if (!parts.every((p) => p.kind === 'string')) throw new NotExportable(`${text} joins numbers or booleans, which JavaScript writes differently from the engine`);
    return { kind: 'string', rule: { cat: parts.map((p) => p.rule) } };
  },
  TEXT: { notExported: 'JavaScript writes numbers differently from the engine' },
  LEN: { notExported: 'JSON Logic has no length operation' },
};
