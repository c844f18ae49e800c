// Type inference for one formula: every name resolves, every function exists and gets
// arguments of the right types, every table lookup names a real column.
import { children, type Expr, type Span, type UnaryTest } from '../../grammar/ast.ts';
import { RuleError, type Source } from '../../grammar/diagnostic.ts';
import { formatExpr } from '../../grammar/format.ts';
import { builtin, BUILTIN_NAMES } from '../functions/builtins.ts';
import { insteadOfSpreadsheet } from '../functions/spreadsheet-names.ts';
import type { InputDecl } from '../rules/model.ts';
import { Decimal } from '../decimal.ts';
import { didYouMean, nearest } from '../suggest.ts';
import { assignable, showType, T, unify, type Type } from '../types.ts';
import { keyOf, showValue } from '../value.ts';
import type { Symbol } from './model.ts';
import { typeOfInput } from './types-of-inputs.ts';

export interface OperationSignature {
  inputs: InputDecl[];
  outputTypes(): Record<string, Type>;
}

export interface InferContext {
  source: Source;
  resolve(name: string): Symbol | undefined;
  typeOf(name: string, symbol: Symbol, span: Span): Type;
  operation(name: string): OperationSignature | undefined;
  knownNames(): Iterable<string>;
  report(e: RuleError): void;
}

type Locals = ReadonlyMap<string, Type>;

export function infer(e: Expr, cx: InferContext, locals: Locals = new Map()): Type {
  const err = (span: Span, code: string, message: string, hint?: string): Type => {
    cx.report(new RuleError(code, message, cx.source, span, hint));
    return T.any;
  };
  const sub = (x: Expr): Type => infer(x, cx, locals);

  switch (e.kind) {
    case 'number': return T.number;
    case 'string': return T.string;
    case 'boolean': return T.boolean;
    case 'list': {
      let t: Type = T.any;
      for (const item of e.items) {
        const it = sub(item);
        const u = unify(t, it);
        if (!u) err(item.span, 'type-mismatch', `list items must have one type; this one is ${showType(it)}, earlier ones ${showType(t)}`);
        else t = u;
      }
      return T.list(t);
    }
    case 'record': {
      const fields: Record<string, Type> = {};
      for (const f of e.fields) {
        if (f.name in fields) err(f.span, 'duplicate-field', `field '${f.name}' is given twice`);
        fields[f.name] = sub(f.value);
      }
      return T.record(fields);
    }
    case 'name': {
      const local = locals.get(e.name);
      if (local) return local;
      const sym = cx.resolve(e.name);
      if (!sym) {
        const isFn = builtin(e.name);
        const value = enumInputWith(e.name, cx);
        return err(e.span, 'unknown-name', `unknown name '${e.name}'`,
          isFn ? `${isFn.name} is a function: call it as ${isFn.signature}`
          : value ? `quote it: '${value.value}' (a value of input '${value.input}')`
          : didYouMean(e.name, [...locals.keys(), ...cx.knownNames()]) ?? 'define it as an input, a cell or a table');
      }
      return cx.typeOf(e.name, sym, e.span);
    }
    case 'member': {
      const obj = sub(e.object);
      if (obj.k === 'any') return T.any;
      if (obj.k === 'record') {
        const t = obj.fields[e.property];
        if (t) return t;
        return err(e.propertySpan, 'unknown-field', `no field '${e.property}' here`, didYouMean(e.property, Object.keys(obj.fields)) ?? `fields: ${Object.keys(obj.fields).join(', ')}`);
      }
      if (obj.k === 'table') {
        return err(e.propertySpan, 'table-needs-key', `'${obj.name}' is a table: look a row up by key first`, `e.g. ${obj.name}[key].${e.property}`);
      }
      return err(e.propertySpan, 'not-a-record', `a ${showType(obj)} has no field '${e.property}'`);
    }
    case 'index': {
      const obj = sub(e.object);
      const idx = sub(e.index);
      if (obj.k === 'table') {
        if (!assignable(idx, obj.key)) err(e.index.span, 'type-mismatch', `the keys of table '${obj.name}' are ${showType(obj.key)}s, but this key is ${showType(idx)}`);
        else if (e.index.kind === 'string' || e.index.kind === 'number') {
          // A key written in the formula must be one of the table's rows.
          const key = e.index.kind === 'string' ? e.index.value : new Decimal(e.index.value);
          if (!obj.keys.has(keyOf(key)!)) {
            const known = [...obj.keys].map((k) => k.slice(2));
            err(e.index.span, 'unknown-key', `table '${obj.name}' has no row with key ${showValue(key)}`, didYouMean(String(e.index.value), known) ?? `keys: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}`);
          }
        }
        return T.record(obj.row);
      }
      if (obj.k === 'list') {
        if (!assignable(idx, T.number)) err(e.index.span, 'type-mismatch', `a list position must be a number, but this is ${showType(idx)}`);
        return obj.of;
      }
      if (obj.k === 'any') return T.any;
      return err(e.object.span, 'not-indexable', `a ${showType(obj)} can't be looked up with [ ]`, 'use [ ] on a table (by key) or a list (by position, from 1)');
    }
    case 'unary': {
      const t = sub(e.operand);
      if (e.op === '%') {
        if (!assignable(t, T.number)) err(e.operand.span, 'type-mismatch', `'%' needs a number, but this is ${showType(t)}`);
        return T.number;
      }
      if (e.op === '-') {
        if (!assignable(t, T.number)) err(e.operand.span, 'type-mismatch', `'-' needs a number, but this is ${showType(t)}`);
        return T.number;
      }
      if (!assignable(t, T.boolean)) err(e.operand.span, 'type-mismatch', `'not' needs true or false, but this is ${showType(t)}`);
      return T.boolean;
    }
    case 'binary': {
      const unquoted = unquotedText(e, cx, locals);
      if (unquoted) return err(unquoted.span, 'unknown-name', `unknown name '${unquoted.name}'`, unquoted.hint);
      const l = sub(e.left);
      const r = sub(e.right);
      switch (e.op) {
        case '^':
          if (!assignable(l, T.number)) err(e.left.span, 'type-mismatch', `'^' needs numbers, but the base is ${showType(l)}`);
          if (!assignable(r, T.number)) err(e.right.span, 'type-mismatch', `'^' needs numbers, but the exponent is ${showType(r)}`);
          return T.number;
        case '&':
          return T.string;
        case '+': case '-': case '*': case '/':
          if (!assignable(l, T.number)) err(e.left.span, 'type-mismatch', `'${e.op}' needs numbers, but the left side is ${showType(l)}`, l.k === 'string' && e.op === '+' ? 'join text with CONCAT(a, b)' : undefined);
          if (!assignable(r, T.number)) err(e.right.span, 'type-mismatch', `'${e.op}' needs numbers, but the right side is ${showType(r)}`);
          return T.number;
        case '<': case '<=': case '>': case '>=':
          if (!assignable(l, T.number)) err(e.left.span, 'type-mismatch', `'${e.op}' compares numbers, but the left side is ${showType(l)}`);
          if (!assignable(r, T.number)) err(e.right.span, 'type-mismatch', `'${e.op}' compares numbers, but the right side is ${showType(r)}`);
          return T.boolean;
        case '==': case '!=':
          checkEnumValue(e, cx, err);
          if (!unify(l, r)) err(e.opSpan, 'type-mismatch', `comparing ${showType(l)} with ${showType(r)} is never equal`, l.k === 'string' || r.k === 'string' ? "quote text values: tier == 'pro'" : undefined);
          return T.boolean;
        case 'and': case 'or':
          if (!assignable(l, T.boolean)) err(e.left.span, 'type-mismatch', `'${e.op}' needs true or false, but the left side is ${showType(l)}`);
          if (!assignable(r, T.boolean)) err(e.right.span, 'type-mismatch', `'${e.op}' needs true or false, but the right side is ${showType(r)}`);
          return T.boolean;
        case 'in':
          checkEnumValue(e, cx, err);
          if (r.k === 'list') {
            if (!unify(l, r.of)) err(e.left.span, 'type-mismatch', `a ${showType(l)} is never in a ${showType(r)}`);
          } else if (r.k !== 'any') err(e.right.span, 'type-mismatch', `'in' needs a list on the right, but this is ${showType(r)}`, r.k === 'table' ? `to test a table's keys use HAS(${(r as { name: string }).name}, key)` : undefined);
          return T.boolean;
      }
    }
    // falls through only if the switch above missed an operator, which the type forbids
    case 'lambda':
      return err(e.span, 'misplaced-lambda', 'a lambda (x => …) can only be an argument of MAP, FILTER, ANY or ALL');
    case 'call':
      return inferCall(e, cx, locals, err);
  }
}

/** The input (of this operation) whose enum lists `value`, exactly or but for case. */
function enumInputWith(value: string, cx: InferContext): { input: string; value: string } | undefined {
  for (const name of cx.knownNames()) {
    const sym = cx.resolve(name);
    if (sym?.kind !== 'input' || sym.decl.type.kind !== 'string') continue;
    const match = sym.decl.type.enum?.find((v) => v.toLowerCase() === value.toLowerCase());
    if (match !== undefined) return { input: name, value: match };
  }
  return undefined;
}

/** `plan == free`: a bare word compared with text is text that lost its quotes. */
function unquotedText(e: Extract<Expr, { kind: 'binary' }>, cx: InferContext, locals: Locals): { name: string; span: Span; hint: string } | undefined {
  if (e.op !== '==' && e.op !== '!=') return undefined;
  const bare = (x: Expr): x is Extract<Expr, { kind: 'name' }> =>
    x.kind === 'name' && !locals.has(x.name) && !cx.resolve(x.name) && !builtin(x.name);
  const side = bare(e.right) ? 'right' : bare(e.left) ? 'left' : undefined;
  if (!side) return undefined;
  const word = e[side] as Extract<Expr, { kind: 'name' }>;
  const other = side === 'right' ? e.left : e.right;
  const silent: InferContext = { ...cx, report: () => {} };
  if (infer(other, silent, locals).k !== 'string') return undefined;
  const quoted: Expr = { kind: 'string', value: enumInputWith(word.name, cx)?.value ?? word.name, span: word.span };
  return { name: word.name, span: word.span, hint: `quote it: ${formatExpr({ ...e, [side]: quoted })}` };
}

/** `tier == 'Pro'` or `tier in ['Pro']` when tier's values are free and pro: never true, so surely a slip. */
function checkEnumValue(e: Extract<Expr, { kind: 'binary' }>, cx: InferContext, err: (span: Span, code: string, message: string, hint?: string) => Type): void {
  const pairs: [Expr, Expr][] = e.op === 'in'
    ? (e.right.kind === 'list' ? e.right.items.map((item): [Expr, Expr] => [e.left, item]) : [])
    : [[e.left, e.right], [e.right, e.left]];
  for (const [named, literal] of pairs) {
    if (named.kind !== 'name' || literal.kind !== 'string') continue;
    const sym = cx.resolve(named.name);
    if (sym?.kind !== 'input' || sym.decl.type.kind !== 'string' || !sym.decl.type.enum) continue;
    const values = sym.decl.type.enum;
    if (values.includes(literal.value)) continue;
    const near = values.find((v) => v.toLowerCase() === literal.value.toLowerCase());
    err(literal.span, 'unknown-enum-value', `'${literal.value}' is not a value of input '${named.name}', so it never matches`,
      near !== undefined ? `text is compared exactly: write '${near}'` : didYouMean(literal.value, values) ?? `its values: ${values.map((v) => `'${v}'`).join(', ')}`);
  }
}

function inferCall(e: Extract<Expr, { kind: 'call' }>, cx: InferContext, locals: Locals, err: (span: Span, code: string, message: string, hint?: string) => Type): Type {
  const fn = builtin(e.callee);
  if (!fn) {
    const op = cx.operation(e.callee);
    if (op) return inferOperationCall(e, op, cx, locals, err);
    // The arguments are checked all the same: a misspelt name inside is a mistake of its own.
    for (const a of e.args) if (a.kind !== 'lambda') infer(a, cx, locals);
    return err(e.calleeSpan, 'unknown-function', `unknown function '${e.callee}'`,
      insteadOfSpreadsheet(e.callee) ?? didYouMean(e.callee, BUILTIN_NAMES) ?? `functions: ${BUILTIN_NAMES.join(', ')}`);
  }
  const arityOk = e.args.length >= fn.minArgs && e.args.length <= fn.maxArgs;
  if (!arityOk) {
    const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
    err(e.span, 'wrong-arity', `${fn.name} takes ${want} argument${/(^| )1$/.test(want) ? '' : 's'}, got ${e.args.length}`, `usage: ${fn.signature}`);
  }
  const types: Type[] = [];
  for (const [i, a] of e.args.entries()) {
    const params = fn.lambdas?.[i];
    if (params !== undefined) {
      if (a.kind !== 'lambda') {
        types.push(err(a.span, 'lambda-expected', `argument ${i + 1} of ${fn.name} must be a lambda`, `usage: ${fn.signature}`));
        continue;
      }
      if (a.params.length !== params) err(a.span, 'wrong-arity', `the lambda of ${fn.name} takes ${params} parameter${params === 1 ? '' : 's'}`);
      const listType = types[0] ?? T.any;
      const element = listType.k === 'list' ? listType.of : T.any;
      const inner = new Map(locals);
      for (const p of a.params) {
        if (cx.resolve(p.name)) err(p.span, 'shadowed-name', `'${p.name}' is already a name in this operation`, 'pick another parameter name');
        inner.set(p.name, element);
      }
      types.push(infer(a.body, cx, inner));
    } else {
      types.push(infer(a, cx, locals));
    }
  }
  // The function's own typing indexes its arguments by position; with the wrong count it
  // would read past the end, and the arity error already says what is wrong.
  if (!arityOk) return T.any;
  return fn.type(types, (i, message, hint) => {
    cx.report(new RuleError('type-mismatch', `${fn.name}: ${message}`, cx.source, i >= 0 && e.args[i] ? e.args[i]!.span : e.span, hint));
  });
}

function inferOperationCall(e: Extract<Expr, { kind: 'call' }>, op: OperationSignature, cx: InferContext, locals: Locals, err: (span: Span, code: string, message: string, hint?: string) => Type): Type {
  const outputs = T.record(op.outputTypes());
  if (e.args.length !== 1) {
    err(e.span, 'wrong-arity', `operation ${e.callee} takes one record of inputs`, `e.g. ${e.callee}({${op.inputs.slice(0, 2).map((i) => `${i.name}: …`).join(', ')}})`);
    return outputs;
  }
  const arg = e.args[0]!;
  const argType = infer(arg, cx, locals);
  if (argType.k === 'any') return outputs;
  if (argType.k !== 'record') {
    err(arg.span, 'type-mismatch', `operation ${e.callee} takes a record of inputs, but this is ${showType(argType)}`);
    return outputs;
  }
  const declared = new Map(op.inputs.map((i) => [i.name, i]));
  const given = arg.kind === 'record' ? new Map(arg.fields.map((f) => [f.name, f.span])) : new Map<string, Span>();
  // A misspelt input is one mistake, not two: its intended input is not also "missing".
  const meant = new Set<string>();
  for (const [name, t] of Object.entries(argType.fields)) {
    const d = declared.get(name);
    const span = given.get(name) ?? arg.span;
    if (!d) {
      const near = nearest(name, [...declared.keys()].filter((k) => !(k in argType.fields)), 1)[0];
      if (near !== undefined) meant.add(near);
      err(span, 'unknown-input', `operation ${e.callee} has no input '${name}'`, (near !== undefined && didYouMean(name, [near])) || `inputs: ${[...declared.keys()].join(', ')}`);
    } else if (!assignable(t, typeOfInput(d.type))) err(span, 'type-mismatch', `input '${name}' of ${e.callee} is ${showType(typeOfInput(d.type))}, but this is ${showType(t)}`);
  }
  for (const d of op.inputs) {
    if (d.default === undefined && !(d.name in argType.fields) && !meant.has(d.name)) {
      err(arg.span, 'missing-input', `operation ${e.callee} needs input '${d.name}', which has no default`, `pass it in the record, e.g. ${e.callee}({${d.name}: …})`);
    }
  }
  return outputs;
}

/** Types a decision-table condition against its column's type. */
export function inferUnaryTest(t: UnaryTest, column: Type, cx: InferContext, columnExpr?: Expr): void {
  if (columnExpr && (t.kind === 'compare' || t.kind === 'in')) {
    // A cell is the column compared with its value, so 'Pro' for an enum of pro is the same slip as in a formula.
    const right = t.kind === 'compare' ? t.value : t.list;
    const compared: Expr = { kind: 'binary', op: t.kind === 'in' ? 'in' : '==', left: columnExpr, right, opSpan: t.span, span: t.span };
    if (t.kind === 'in' || t.op === '==' || t.op === '!=') checkEnumValue(compared, cx, (span, code, message, hint) => { cx.report(new RuleError(code, message, cx.source, span, hint)); return T.any; });
  }
  const check = (x: Expr, want: Type, what: string): void => {
    const got = infer(x, cx);
    if (!unify(got, want)) cx.report(new RuleError('type-mismatch', `${what}: the column is ${showType(want)}, but this is ${showType(got)}`, cx.source, x.span, got.k === 'string' || want.k === 'string' ? "quote text in conditions: 'pro'" : undefined));
  };
  switch (t.kind) {
    case 'any': return;
    case 'compare':
      if (t.op !== '==' && t.op !== '!=' && !assignable(column, T.number)) {
        cx.report(new RuleError('type-mismatch', `'${t.op}' compares numbers, but the column is ${showType(column)}`, cx.source, t.span));
        return;
      }
      return check(t.value, column, 'this condition');
    case 'in': {
      const l = infer(t.list, cx);
      if (l.k !== 'list' && l.k !== 'any') cx.report(new RuleError('type-mismatch', `'in' needs a list, but this is ${showType(l)}`, cx.source, t.list.span));
      else if (l.k === 'list' && !unify(l.of, column)) cx.report(new RuleError('type-mismatch', `the column is ${showType(column)}, but this list holds ${showType(l.of)}`, cx.source, t.list.span));
      return;
    }
    case 'range':
      if (!assignable(column, T.number)) cx.report(new RuleError('type-mismatch', `a range needs a number column, but the column is ${showType(column)}`, cx.source, t.span));
      check(t.low, T.number, 'the range start');
      check(t.high, T.number, 'the range end');
  }
}

/** Names a formula refers to (not lambda parameters, not function names). */
export function freeNames(e: Expr, bound: ReadonlySet<string> = new Set(), out: { name: string; span: Span }[] = []): { name: string; span: Span }[] {
  if (e.kind === 'name') {
    if (!bound.has(e.name)) out.push({ name: e.name, span: e.span });
  } else if (e.kind === 'lambda') {
    freeNames(e.body, new Set([...bound, ...e.params.map((p) => p.name)]), out);
  } else {
    for (const c of children(e)) freeNames(c, bound, out);
  }
  return out;
}

export function unaryTestNames(t: UnaryTest, out: { name: string; span: Span }[] = []): { name: string; span: Span }[] {
  switch (t.kind) {
    case 'any': break;
    case 'compare': freeNames(t.value, new Set(), out); break;
    case 'in': freeNames(t.list, new Set(), out); break;
    case 'range': freeNames(t.low, new Set(), out); freeNames(t.high, new Set(), out); break;
  }
  return out;
}

/** Operation names called by a formula. */
export function calledNames(e: Expr, out: { name: string; span: Span }[] = []): { name: string; span: Span }[] {
  if (e.kind === 'call' && !builtin(e.callee)) out.push({ name: e.callee, span: e.calleeSpan });
  for (const c of children(e)) calledNames(c, out);
  return out;
}
