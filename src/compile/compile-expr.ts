// Formulas become closures over exact rationals. Every evaluation error carries the
// span of the node that failed, so "division by zero" points at its `/`.
import type { Expr, Span, UnaryTest } from '../../grammar/ast.ts';
import { RuleError, type Source } from '../../grammar/diagnostic.ts';
import { Decimal, decimalText, MAX_DIGITS } from '../decimal.ts';
import { builtin, type LambdaFn, type Thunk } from '../functions/builtins.ts';
import { spreadsheetEquivalent } from '../functions/operators.ts';
import { nearest } from '../suggest.ts';
import { isRecord, keyOf, showValue, TableValue, valuesEqual, type Value } from '../value.ts';
import type { Frame } from './frame.ts';

export type Code = (f: Frame) => Value;

/** How the compiler resolves names and operation calls; provided by compile-operation. */
export interface Resolver {
  name(name: string, span: Span): Code;
  call(operation: string, span: Span): ((f: Frame, input: Value) => Value) | undefined;
}

interface Scope {
  source: Source;
  resolver: Resolver;
  locals: Map<string, number>;
  nextSlot: { n: number };
}

export function compileExpr(e: Expr, source: Source, resolver: Resolver, slots: { n: number }): Code {
  return compile(e, { source, resolver, locals: new Map(), nextSlot: slots });
}

function fail(s: Scope, span: Span, code: string, message: string, hint?: string): never {
  throw new RuleError(code, message, s.source, span, hint);
}

function asNumber(s: Scope, v: Value, span: Span, what: string): Decimal {
  if (v instanceof Decimal) return v;
  return fail(s, span, 'type-error', `${what} must be a number, got ${showValue(v)}`);
}

function asBool(s: Scope, v: Value, span: Span, what: string): boolean {
  if (typeof v === 'boolean') return v;
  return fail(s, span, 'type-error', `${what} must be true or false, got ${showValue(v)}`);
}

function compile(e: Expr, s: Scope): Code {
  switch (e.kind) {
    case 'number': {
      const v = new Decimal(e.value);
      return () => v;
    }
    case 'string': case 'boolean': {
      const v = e.value;
      return () => v;
    }
    case 'list': {
      const items = e.items.map((i) => compile(i, s));
      return (f) => items.map((c) => c(f));
    }
    case 'record': {
      const fields = e.fields.map((fl) => [fl.name, compile(fl.value, s)] as const);
      return (f) => {
        const r: Record<string, Value> = Object.create(null);
        for (const [k, c] of fields) r[k] = c(f);
        return r;
      };
    }
    case 'name': {
      const slot = s.locals.get(e.name);
      if (slot !== undefined) return (f) => f.locals[slot]!;
      return s.resolver.name(e.name, e.span);
    }
    case 'member': {
      const obj = compile(e.object, s);
      const prop = e.property;
      return (f) => {
        const v = obj(f);
        if (isRecord(v) && prop in v) return v[prop]!;
        return fail(s, e.propertySpan, 'unknown-field', `no field '${prop}' in ${showValue(v)}`);
      };
    }
    case 'index': return compileIndex(e, s);
    case 'unary': {
      if (e.op === '%') return compile(spreadsheetEquivalent(e)!, s);
      const operand = compile(e.operand, s);
      if (e.op === '-') return (f) => asNumber(s, operand(f), e.operand.span, "'-'").neg();
      return (f) => !asBool(s, operand(f), e.operand.span, "'not'");
    }
    case 'binary': return compileBinary(e, s);
    case 'call': return compileCall(e, s);
    case 'lambda':
      return fail(s, e.span, 'misplaced-lambda', 'a lambda can only be an argument of MAP, FILTER, ANY or ALL');
  }
}

function compileIndex(e: Extract<Expr, { kind: 'index' }>, s: Scope): Code {
  const obj = compile(e.object, s);
  const idx = compile(e.index, s);
  return (f) => {
    const o = obj(f);
    const i = idx(f);
    if (o instanceof TableValue) {
      const k = keyOf(i);
      const row = k === undefined ? undefined : o.rows.get(k);
      if (row) return row;
      const keys = o.keys.map((x) => (typeof x === 'string' ? x : showValue(x)));
      const near = nearest(typeof i === 'string' ? i : showValue(i), keys);
      const from = e.index.kind === 'name' ? ` (the value of '${e.index.name}')` : '';
      return fail(s, e.index.span, 'unknown-key', `table '${o.name}' has no row with key ${showValue(i)}${from}`,
        near.length ? `nearest keys: ${near.map((x) => `'${x}'`).join(', ')}` : `keys: ${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ', …' : ''}`);
    }
    if (Array.isArray(o)) {
      const n = asNumber(s, i, e.index.span, 'a list position');
      if (!n.isInteger() || n.lt(1) || n.gt(o.length)) {
        return fail(s, e.index.span, 'index-out-of-range', `position ${decimalText(n)} is outside the list (1 to ${o.length})`, 'lists count from 1');
      }
      return o[n.toNumber() - 1]!;
    }
    return fail(s, e.object.span, 'not-indexable', `${showValue(o)} can't be looked up with [ ]`);
  };
}

/**
 * Every result is exact; a formula whose numbers grow past MAX_DIGITS digits (numerator or
 * denominator) is a runaway, stopped at its operator.
 */
function inRange(s: Scope, span: Span, r: Decimal): Decimal {
  if (!r.fitsDigits(MAX_DIGITS)) {
    return fail(s, span, 'number-out-of-range', `this result is too large or too precise to stay exact (more than ${MAX_DIGITS} digits in its numerator or denominator)`,
      'a price never needs this many digits; look for a runaway multiplication, division or POWER');
  }
  return r;
}

function compare(op: string, a: Decimal, b: Decimal): boolean {
  const c = a.cmp(b);
  switch (op) {
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    default: return c >= 0;
  }
}

function compileBinary(e: Extract<Expr, { kind: 'binary' }>, s: Scope): Code {
  if (e.op === '^' || e.op === '&') return compile(spreadsheetEquivalent(e)!, s);
  const l = compile(e.left, s);
  const r = compile(e.right, s);
  const num = (c: Code, f: Frame, side: Expr): Decimal => asNumber(s, c(f), side.span, `the ${side === e.left ? 'left' : 'right'} side of '${e.op}'`);
  switch (e.op) {
    case '+': return (f) => inRange(s, e.opSpan, num(l, f, e.left).plus(num(r, f, e.right)));
    case '-': return (f) => inRange(s, e.opSpan, num(l, f, e.left).minus(num(r, f, e.right)));
    case '*': return (f) => {
      const a = num(l, f, e.left);
      const b = num(r, f, e.right);
      return inRange(s, e.opSpan, a.times(b));
    };
    case '/': return (f) => {
      const a = num(l, f, e.left);
      const b = num(r, f, e.right);
      if (b.isZero()) return fail(s, e.opSpan, 'division-by-zero', 'division by zero', 'make sure the divisor can never be 0, e.g. IF(b == 0, 0, a / b)');
      return inRange(s, e.opSpan, a.div(b));
    };
    case '==': return (f) => valuesEqual(l(f), r(f));
    case '!=': return (f) => !valuesEqual(l(f), r(f));
    case '<': case '<=': case '>': case '>=': {
      const op = e.op;
      return (f) => compare(op, num(l, f, e.left), num(r, f, e.right));
    }
    case 'and': return (f) => asBool(s, l(f), e.left.span, "'and'") && asBool(s, r(f), e.right.span, "'and'");
    case 'or': return (f) => asBool(s, l(f), e.left.span, "'or'") || asBool(s, r(f), e.right.span, "'or'");
    case 'in': return (f) => {
      const v = l(f);
      const list = r(f);
      if (!Array.isArray(list)) return fail(s, e.right.span, 'type-error', `'in' needs a list, got ${showValue(list)}`);
      return list.some((x) => valuesEqual(v, x));
    };
  }
}

function compileCall(e: Extract<Expr, { kind: 'call' }>, s: Scope): Code {
  const fn = builtin(e.callee);
  if (!fn) {
    const op = s.resolver.call(e.callee, e.calleeSpan);
    if (!op) return fail(s, e.calleeSpan, 'unknown-function', `unknown function '${e.callee}'`);
    const arg = compile(e.args[0]!, s);
    return (f) => op(f, arg(f));
  }
  const thunks: ((f: Frame) => Thunk)[] = [];
  const lambdas: ((f: Frame) => LambdaFn)[] = [];
  for (const [i, a] of e.args.entries()) {
    if (fn.lambdas?.[i] !== undefined && a.kind === 'lambda') {
      const locals = new Map(s.locals);
      const slots = a.params.map((p) => {
        const slot = s.nextSlot.n++;
        locals.set(p.name, slot);
        return slot;
      });
      const body = compile(a.body, { ...s, locals });
      lambdas.push((f) => (...params: Value[]) => {
        slots.forEach((slot, j) => { f.locals[slot] = params[j]!; });
        return body(f);
      });
      thunks.push(() => () => fail(s, a.span, 'misplaced-lambda', 'a lambda is not a value'));
    } else {
      const c = compile(a, s);
      thunks.push((f) => () => c(f));
    }
  }
  const failAt = (i: number, message: string, hint?: string): never =>
    fail(s, i >= 0 && e.args[i] ? e.args[i]!.span : e.span, message.startsWith('division by zero') ? 'division-by-zero' : 'function-error', `${fn.name}: ${message}`, hint);
  return (f) => fn.call(thunks.map((t) => t(f)), failAt, lambdas.map((l) => l(f)));
}

/** A decision-table condition as a predicate on the column's value. */
export function compileUnaryTest(t: UnaryTest, source: Source, resolver: Resolver, slots: { n: number }): (f: Frame, v: Value) => boolean {
  const s: Scope = { source, resolver, locals: new Map(), nextSlot: slots };
  switch (t.kind) {
    case 'any': return () => true;
    case 'compare': {
      const c = compile(t.value, s);
      if (t.op === '==') return (f, v) => valuesEqual(v, c(f));
      if (t.op === '!=') return (f, v) => !valuesEqual(v, c(f));
      const op = t.op;
      return (f, v) => compare(op, asNumber(s, v, t.span, 'the column value'), asNumber(s, c(f), t.value.span, 'the condition'));
    }
    case 'in': {
      const c = compile(t.list, s);
      return (f, v) => {
        const list = c(f);
        if (!Array.isArray(list)) return fail(s, t.list.span, 'type-error', `'in' needs a list, got ${showValue(list)}`);
        return list.some((x) => valuesEqual(v, x)) !== t.negated;
      };
    }
    case 'range': {
      const lo = compile(t.low, s);
      const hi = compile(t.high, s);
      return (f, v) => {
        const x = asNumber(s, v, t.span, 'the column value');
        const a = asNumber(s, lo(f), t.low.span, 'the range start');
        const b = asNumber(s, hi(f), t.high.span, 'the range end');
        return (t.lowInclusive ? x.gte(a) : x.gt(a)) && (t.highInclusive ? x.lte(b) : x.lt(b));
      };
    }
  }
}
