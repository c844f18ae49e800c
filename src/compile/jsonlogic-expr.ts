// Formulas of one checked operation translated to JSON Logic, one output or constraint at a
// time. Each step either emits a rule proven to give the engine's exact value, or throws
// NotExportable with the reason.
import type { Expr } from '../../grammar/ast.ts';
import { formatExpr } from '../../grammar/index.ts';
import type { CheckedOperation } from '../check/model.ts';
import { Decimal } from '../decimal.ts';
import { builtin } from '../functions/builtins.ts';
import type { Comparison, Lowering, RoundingMode } from '../functions/lowering.ts';
import { spreadsheetEquivalent } from '../functions/operators.ts';
import type { InputDecl, InputType } from '../rules/model.ts';
import { all, any, asBool, asNum, chain, compare, equals, evaluatedEagerly, inList, isElement, join, not, type CompareOp } from './jsonlogic-logic.ts';
import { absShape, countShape, extremeShape, inputShape, repeatedSumShape } from './numeric-shape.ts';
import { constant, decisionColumn, hasKey, lookup } from './jsonlogic-tables.ts';
import {
  add, aligned, checked, divideByConstant, exact, literal, multiply, negate, never, NotExportable, number, roundTo, ruleOf, rulesOf,
  type DynamicList, type GuardedList, type Num, type Rule, type Uses, type Val,
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
    const what = `input '${path}'`;
    const enumDecimals = t.enum ? Math.max(0, ...t.enum.map((d) => d.decimalPlaces())) : undefined;
    if (t.enum && enumDecimals === 0) return checked(number({ scale: 0, den: 1, lo: Decimal.min(...t.enum), hi: Decimal.max(...t.enum) }, rule), what);
    if (t.kind === 'integer' && t.min && t.max) return checked(number({ scale: 0, den: 1, lo: t.min, hi: t.max }, rule), what);
    const limit = t.enum
      ? { maximum: Decimal.max(...t.enum.map((d) => d.abs())).toNumber(), decimals: enumDecimals! }
      : { maximum: this.limit.maximum, decimals: t.kind === 'integer' ? 0 : this.limit.decimals };
    this.uses.add('scaled');
    this.limited.set(path, limit);
    return checked(number(inputShape(t, limit.decimals, limit.maximum), { scaled: [rule, limit.decimals, limit.maximum] }), what);
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

  divide(a: Num, b: Num, text: string): Val {
    if (b.constant) return b.constant.isZero() ? never('division by zero', this.uses) : divideByConstant(a, b.constant, text);
    if (b.lo.gt(0) || b.hi.lt(0)) return { kind: 'ratio', num: a, den: b, text };
    throw new NotExportable(`${text} divides by a value that can be 0`);
  }

  private call(e: Extract<Expr, { kind: 'call' }>, env: Env): Val {
    const fn = builtin(e.callee);
    if (!fn) throw new NotExportable(`calls the operation '${e.callee}'; JSON Logic has no operation calls (export '${e.callee}' too and combine the results on the client)`);
    const reason = typeof fn.lower === 'function' ? fn.notLowered?.jsonLogic : fn.lower.none;
    if (reason !== undefined || typeof fn.lower !== 'function') throw new NotExportable(`${fn.name} isn't exported (${reason})`);
    return fn.lower(new JsonLogicLowering(this, e, env));
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
    const { shape, factors } = exact(text, () => extremeShape(name, ns));
    if (shape.constant) return number(shape, null);
    return checked(number(shape, { [name.toLowerCase()]: ns.map((n, i) => aligned(n, shape, factors[i]!, text).rule) }), text);
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
    return checked(number(repeatedSumShape(item, n), { reduce: [elements(list).source, { '+': [{ var: 'accumulator' }, { var: 'current' }] }, 0] }), text);
  }

  count(list: GuardedList | DynamicList, text: string): Num {
    if (list.kind === 'guarded-list') {
      evaluatedEagerly(list.items.flatMap((i) => rulesOf(i.item)), "the list's items");
      return this.sum({ kind: 'guarded-list', items: list.items.map((i) => ({ when: i.when, item: literal(new Decimal(1)) })) }, text);
    }
    return checked(number(countShape(list.maxItems ?? MAX_ARRAY), { reduce: [list.rule, { '+': [{ var: 'accumulator' }, 1] }, 0] }), text);
  }

  /**
   * MAP/FILTER/ANY/ALL over a list known in advance (KEYS, a literal) unroll, so the lambda
   * may read anything; over a list input they become map/filter/some/none, whose lambda
   * json-logic-js evaluates with the element as its only data.
   */
  lambdaCall(name: string, listVal: Val, lambda: Expr, env: Env, text: string): Val {
    const list = this.list(listVal, text);
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

/** The JSON Logic side of the builtins' lowerings (functions/lowering.ts): each operation as rules on scaled integers. */
class JsonLogicLowering implements Lowering<Val> {
  readonly text: string;
  readonly args: readonly Expr[];

  constructor(private readonly t: Translator, private readonly e: Extract<Expr, { kind: 'call' }>, private readonly env: Env) {
    this.text = formatExpr(e);
    this.args = e.args;
  }

  arg(i: number): Val {
    const a = this.args[i];
    if (!a) throw new NotExportable(`${this.text} is missing an argument`);
    return this.t.expr(a, this.env);
  }

  constant(i: number): Decimal | null {
    const v = this.arg(i);
    return v.kind === 'number' && v.constant ? v.constant : null;
  }

  number(value: Decimal): Val {
    return value.terminates() ? literal(value) : divideByConstant(literal(new Decimal(value.n)), new Decimal(value.d), this.text);
  }

  private num(v: Val): Num {
    return asNum(v, this.text);
  }

  add(a: Val, b: Val): Val { return add(this.num(a), this.num(b), '+', this.text); }
  subtract(a: Val, b: Val): Val { return add(this.num(a), this.num(b), '-', this.text); }
  multiply(a: Val, b: Val): Val { return multiply(this.num(a), this.num(b), this.text); }
  divide(a: Val, b: Val): Val { return this.t.divide(this.num(a), this.num(b), this.text); }
  negate(a: Val): Val { return negate(this.num(a)); }

  abs(a: Val): Val {
    const x = this.num(a);
    return number(absShape(x), { if: [{ '<': [x.rule, 0] }, { '-': [x.rule] }, x.rule] });
  }

  round(x: Val, digits: number, mode: RoundingMode): Val {
    return roundTo(this.num(x), digits, mode, this.t.uses, this.text);
  }

  compare(a: Val, op: Comparison, b: Val): Val { return { kind: 'boolean', rule: compare(op as CompareOp, a, b) }; }
  equals(a: Val, b: Val): Val { return { kind: 'boolean', rule: equals(a, b) }; }
  all(cs: Val[]): Val { return { kind: 'boolean', rule: all(cs.map((c) => asBool(c, this.text).rule)) }; }
  any(cs: Val[]): Val { return { kind: 'boolean', rule: any(cs.map((c) => asBool(c, this.text).rule)) }; }
  not(c: Val): Val { return { kind: 'boolean', rule: not(asBool(c, this.text).rule) }; }

  /** Only the values whose conditions may hold are translated; a condition known true ends the chain. */
  firstOf(cases: [Val, () => Val][], otherwise: () => Val): Val {
    const pairs: [Rule, Val][] = [];
    for (const [c, value] of cases) {
      const rule = asBool(c, this.text).rule;
      if (rule === false) continue;
      if (rule === true) return chain(pairs, value());
      pairs.push([rule, value()]);
    }
    return chain(pairs, otherwise());
  }

  extreme(kind: 'MIN' | 'MAX', xs: Val[]): Val { return this.t.extreme(kind, xs.map((x) => this.num(x)), this.text); }
  fail(message: string): Val { return never(message, this.t.uses); }
  numbers(): Val[] { return this.t.numbersOf(this.e, this.env, this.text); }
  sum(list: Val): Val { return this.t.sum(this.t.list(list, this.text), this.text); }
  count(list: Val): Val { return this.t.count(this.t.list(list, this.text), this.text); }
  lambda(kind: 'MAP' | 'FILTER' | 'ANY' | 'ALL', list: Val, lambda: Expr): Val { return this.t.lambdaCall(kind, list, lambda, this.env, this.text); }

  has(table: number, key: Val): Val {
    const t = this.arg(table);
    if (t.kind !== 'table') throw new NotExportable(`${this.text}: HAS needs a table`);
    return { kind: 'boolean', rule: hasKey(t.value, key) };
  }

  keys(table: number): Val {
    const t = this.arg(table);
    if (t.kind !== 'table') throw new NotExportable(`${this.text}: KEYS needs a table`);
    return { kind: 'guarded-list', items: t.value.keys.map((k) => ({ item: constant(k) })) };
  }

  concat(parts: Val[]): Val {
    if (!parts.every((p) => p.kind === 'string')) throw new NotExportable(`${this.text} joins numbers or booleans, which JavaScript writes differently from the engine`);
    return { kind: 'string', rule: { cat: parts.map((p) => p.rule) } };
  }

  refuse(reason: string): never {
    throw new NotExportable(reason);
  }
}
