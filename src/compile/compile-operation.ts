// A checked operation becomes an evaluator: inputs validated, constraints tested first,
// then the outputs pulled through their cells, each cell computed once, in dependency
// order — which is also the order of the explain trace.
import type { Span } from '../../grammar/ast.ts';
import { RuleError, type Source } from '../../grammar/diagnostic.ts';
import { formatExpr } from '../../grammar/index.ts';
import type { CheckedDecision, CheckedOperation, Symbol } from '../check/model.ts';
import { Decimal, ZERO } from '../decimal.ts';
import { coerceInputs } from '../rules/inputs.ts';
import type { InputDecl } from '../rules/model.ts';
import { isRecord, makeRecord, showValue, type RecordValue, type Value } from '../value.ts';
import { compileExpr, compileUnaryTest, type Code, type Resolver } from './compile-expr.ts';
import { compileFast } from './fast.ts';
import { Rejected, type Frame, type Rejection, type TraceEntry } from './frame.ts';

export const MAX_CALL_DEPTH = 16;
/** The rejections of every quote the fast path answers: none, one shared frozen list. */
export const NO_REJECTIONS: Rejection[] = Object.freeze([]) as unknown as Rejection[];

export interface Evaluation {
  outputs: RecordValue;
  rejections: Rejection[];
  trace?: TraceEntry[];
}

export interface CompiledOperation {
  readonly name: string;
  readonly inputs: readonly InputDecl[];
  readonly outputs: readonly string[];
  /** Validates raw JSON-like input and evaluates. Throws RuleError on bad input or evaluation errors. */
  evaluate(input: Record<string, unknown>, options?: { trace?: boolean }): Evaluation;
  /**
   * The fast path alone, counted in `fastPath`: the outputs, or undefined when the operation
   * isn't covered or the generated code gave up (then `interpret` answers). evaluate() is
   * fast() then interpret(); a caller building its own result (the engine's prepared quote)
   * calls the two itself, so a quote allocates one result object.
   */
  fast(input: Record<string, unknown>): RecordValue | undefined;
  /** The exact interpreter alone: validates raw input and evaluates, with an explain trace if asked. */
  interpret(input: Record<string, unknown>, trace: boolean): Evaluation;
  /** Evaluates already validated inputs (for operation calls). */
  run(inputs: RecordValue, trace: TraceEntry[] | undefined, depth: number, defaulted?: (name: string) => boolean): Evaluation;
  readonly fastPath: FastPathStats;
}

/** Whether the operation compiled to the fast path, and how often a quote fell back from it to the interpreter. */
export interface FastPathStats {
  readonly covered: boolean;
  /** Quotes that tried the fast path (explain quotes never do). */
  readonly runs: number;
  /** Of those, the ones it gave up on (an uneven quotient, an overflow, a rejection…), answered by the interpreter. */
  readonly fallbacks: number;
}

/** Looks up the other compiled operations of the same version, for calls. */
export type OperationLookup = (name: string) => CompiledOperation | undefined;

/** Shared cells of a version are constants, computed once per version. */
export type SharedValue = (name: string, span: Span) => Value;

export function compileOperation(op: CheckedOperation, lookup: OperationLookup, shared: SharedValue): CompiledOperation {
  const slotOf = new Map<string, number>();
  const computeBySlot: ((f: Frame) => Value)[] = [];
  const lambdaSlots = { n: 0 };

  const resolver: Resolver = {
    name(name, span) {
      const sym = op.symbols.get(name);
      if (!sym) throw new RuleError('unknown-name', `unknown name '${name}'`);
      switch (sym.kind) {
        case 'input': return (f) => f.inputs[name]!;
        case 'table': {
          const v = sym.value;
          return () => v;
        }
        case 'cell':
          if (sym.shared) {
            const v = shared(name, span);
            return () => v;
          }
          return slotRef(name);
        case 'decision':
          return slotRef(name);
      }
    },
    call(name) {
      if (!op.calls.has(name)) return undefined;
      return (f, input) => {
        const callee = lookup(name)!;
        if (f.depth >= MAX_CALL_DEPTH) throw new RuleError('call-depth', `operation calls nest deeper than ${MAX_CALL_DEPTH}`);
        if (!isRecord(input)) throw new RuleError('type-error', `operation ${name} takes a record of inputs`);
        const inputs = coerceInputs(callee.inputs, recordToRaw(input));
        const sub: TraceEntry[] | undefined = f.trace ? [] : undefined;
        const r = callee.run(inputs, sub, f.depth + 1);
        if (f.trace && sub) {
          // Each call's cells are named after it, so a workflow's steps read apart: run_model#2.cost
          const label = `${name}#${(f.calls = (f.calls ?? 0) + 1)}`;
          for (const t of sub) f.trace.push({ ...t, name: `${label}.${t.name}` });
          f.trace.push({ name: label, kind: 'call', value: r.outputs });
        }
        if (r.rejections.length) throw new Rejected(r.rejections);
        return r.outputs;
      };
    },
  };

  const slotRef = (name: string): Code => {
    const slot = slotFor(name);
    return (f) => {
      const v = f.values[slot];
      return v !== undefined ? v : computeBySlot[slot]!(f);
    };
  };

  function slotFor(name: string): number {
    let slot = slotOf.get(name);
    if (slot === undefined) {
      slot = computeBySlot.length;
      slotOf.set(name, slot);
      computeBySlot.push(() => { throw new Error(`slot ${name} not compiled`); });
    }
    return slot;
  }

  for (const [name, sym] of op.symbols) {
    if (sym.kind === 'cell' && !sym.shared) {
      const slot = slotFor(name);
      const code = compileExpr(sym.formula.expr, sym.formula.source, resolver, lambdaSlots);
      const formula = formatExpr(sym.formula.expr);
      computeBySlot[slot] = (f) => {
        const v = code(f);
        f.values[slot] = v;
        f.trace?.push({ name, kind: 'cell', formula, value: v });
        return v;
      };
    } else if (sym.kind === 'decision') {
      const slot = slotFor(name);
      const evalDecision = compileDecision(sym.decision, resolver, lambdaSlots);
      computeBySlot[slot] = (f) => {
        const { value, note } = evalDecision(f);
        f.values[slot] = value;
        f.trace?.push({ name, kind: 'decision', value, note });
        return value;
      };
    }
  }

  const constraints = op.constraints.map((c) => ({
    test: compileExpr(c.formula.expr, c.formula.source, resolver, lambdaSlots),
    formula: formatExpr(c.formula.expr),
    message: c.decl.message,
    code: c.decl.code,
    names: c.messageNames.map((n) => [n, resolver.name(n, c.decl.messageLoc.span)] as const),
    source: c.formula.source,
    span: c.formula.expr.span,
  }));
  const outputs = op.outputs.map((name) => [name, resolver.name(name, op.decl.loc.span)] as const);
  const inputs = op.decl.inputs;
  const counts = { runs: 0, fallbacks: 0 };
  const fast = compileFast(op, (name) => shared(name, op.decl.loc.span), counts);

  const run = (values: RecordValue, trace: TraceEntry[] | undefined, depth: number, defaulted?: (name: string) => boolean): Evaluation => {
    const f: Frame = { inputs: values, values: new Array(computeBySlot.length), locals: new Array(lambdaSlots.n), trace, depth };
    if (trace) {
      for (const i of inputs) trace.push({ name: i.name, kind: 'input', value: values[i.name]!, ...(defaulted?.(i.name) ? { note: 'default' } : {}) });
    }
    try {
      const rejections: Rejection[] = [];
      for (const c of constraints) {
        const ok = c.test(f);
        if (typeof ok !== 'boolean') throw new RuleError('type-error', `a constraint must be true or false, got ${showValue(ok)}`, c.source, c.span);
        if (!ok) {
          const message = c.message.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, n: string) => {
            const code = c.names.find(([k]) => k === n)?.[1];
            const v = code?.(f);
            return v === undefined ? m : typeof v === 'string' ? v : showValue(v);
          });
          rejections.push(c.code ? { code: c.code, message } : { message });
          trace?.push({ name: 'constraint', kind: 'constraint', formula: c.formula, value: false, note: message });
        }
      }
      if (rejections.length) return { outputs: makeRecord([]), rejections, trace };
      const out = makeRecord(outputs.map(([name, code]) => [name, code(f)]));
      return { outputs: out, rejections, trace };
    } catch (e) {
      if (e instanceof Rejected) return { outputs: makeRecord([]), rejections: e.rejections, trace };
      throw e;
    }
  };

  const fastPath: FastPathStats = {
    covered: fast !== undefined,
    get runs() { return counts.runs; },
    get fallbacks() { return counts.fallbacks; },
  };
  // The generated function counts its runs and fallbacks itself, so a quote calls it directly.
  const tryFast: (input: Record<string, unknown>) => RecordValue | undefined = fast ?? (() => undefined);
  const interpret = (input: Record<string, unknown>, trace: boolean): Evaluation =>
    run(coerceInputs(inputs, input), trace ? [] : undefined, 0, (name) => input[name] === undefined || input[name] === null);
  return {
    name: op.decl.name,
    inputs,
    outputs: op.outputs,
    run,
    fastPath,
    fast: tryFast,
    interpret,
    evaluate(input, options) {
      const trace = !!options?.trace;
      if (!trace) {
        const outputs = tryFast(input);
        if (outputs !== undefined) return { outputs, rejections: NO_REJECTIONS };
      }
      return interpret(input, trace);
    },
  };
}

function recordToRaw(r: RecordValue): Record<string, unknown> {
  // Already exact values; coerceInputs takes numbers as they are, so a quotient that doesn't terminate stays exact.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k] = rawOf(v);
  return out;
}

function rawOf(v: Value): unknown {
  if (Array.isArray(v)) return v.map(rawOf);
  if (isRecord(v)) return recordToRaw(v);
  return v;
}

function compileDecision(d: CheckedDecision, resolver: Resolver, slots: { n: number }): (f: Frame) => { value: Value; note: string } {
  const inputs = d.inputs.map((i) => compileExpr(i.expr, i.source, resolver, slots));
  const rows = d.rows.map((r) => ({
    tests: r.conditions.map((c) => compileUnaryTest(c.test, c.source, resolver, slots)),
    outputs: r.outputs.map((o) => compileExpr(o.expr, o.source, resolver, slots)),
    line: r.line,
  }));
  const defaults = d.default?.map((o) => compileExpr(o.expr, o.source, resolver, slots));
  const names = d.decl.outputs.map((o) => o.name);
  const where: { source: Source; span: Span } = { source: d.decl.loc.source, span: d.decl.loc.span };
  const record = (codes: Code[], f: Frame): RecordValue => makeRecord(names.map((n, i) => [n, codes[i]!(f)]));
  const file = d.decl.loc.source.file;
  const describeInputs = (values: Value[]): string => d.inputs.map((i, k) => `${i.text} = ${showValue(values[k]!)}`).join(', ');

  return (f) => {
    const values = inputs.map((c) => c(f));
    const hits = (r: (typeof rows)[number]) => r.tests.every((t, i) => t(f, values[i]!));
    // `first` stops at the first matching row: later rows are not evaluated (as in a spreadsheet's IFS).
    const first = d.decl.hit === 'first' ? rows.find(hits) : undefined;
    const matched = d.decl.hit === 'first' ? (first ? [first] : []) : rows.filter(hits);
    const rowNote = (m: typeof rows) => m.length ? `matched row${m.length > 1 ? 's' : ''} ${m.map((r) => `${file}:${r.line}`).join(', ')}` : 'no row matched';
    if (d.decl.hit !== 'collect') {
      if (d.decl.hit === 'unique' && matched.length > 1) {
        throw new RuleError('decision-not-unique', `decision table '${d.decl.name}' is 'unique' but ${matched.length} rows match (lines ${matched.map((r) => r.line).join(' and ')}) for ${describeInputs(values)}`, where.source, where.span, "make the rows' conditions exclusive, or use hit: first");
      }
      const row = matched[0];
      if (row) return { value: record(row.outputs, f), note: rowNote([row]) };
      if (defaults) return { value: record(defaults, f), note: 'no row matched; default used' };
      throw new RuleError('decision-no-match', `no row of decision table '${d.decl.name}' matches ${describeInputs(values)}`, where.source, where.span, 'add a row for this case, a catch-all row of "-", or a default');
    }
    const out: [string, Value][] = names.map((n, i) => {
      const items = matched.map((r) => r.outputs[i]!(f));
      switch (d.decl.aggregate) {
        case 'list': return [n, items];
        case 'count': return [n, new Decimal(items.length)];
        case 'sum': return [n, items.reduce<Decimal>((s, x) => s.plus(x as Decimal), ZERO)];
        default: {
          if (items.length === 0) {
            if (defaults) return [n, defaults[i]!(f)];
            throw new RuleError('decision-no-match', `no row of decision table '${d.decl.name}' matches ${describeInputs(values)}, so it has no ${d.decl.aggregate}`, where.source, where.span, 'add a default');
          }
          const nums = items as Decimal[];
          return [n, d.decl.aggregate === 'min' ? Decimal.min(...nums) : Decimal.max(...nums)];
        }
      }
    });
    return { value: makeRecord(out), note: rowNote(matched) };
  };
}

export type { Symbol };
