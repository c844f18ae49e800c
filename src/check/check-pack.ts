// The checker: parses every formula of a pack and verifies names, types, tables,
// decision-table shapes, cycles and unused cells. It reports every problem it finds,
// each at its exact place, and hands a fully resolved model to the compiler.
import type { Span } from '../../grammar/ast.ts';
import { positionOf, RuleError } from '../../grammar/diagnostic.ts';
import { parseFormula, parseUnaryTest } from '../../grammar/index.ts';
import type { CellDecl, FormulaText, OperationDecl, PackDecl, VersionDecl } from '../rules/model.ts';
import { errorAt, type Loc } from '../rules/yaml-source.ts';
import { didYouMean, nearest } from '../suggest.ts';
import { T, unify, type Type } from '../types.ts';
import { withSpreadsheetEquivalent } from './spreadsheet-function.ts';
import { calledNames, freeNames, infer, inferUnaryTest, unaryTestNames, type InferContext, type OperationSignature } from './infer.ts';
import type { CheckedConstraint, CheckedDecision, CheckedOperation, CheckedPack, CheckedVersion, ParsedFormula, Symbol } from './model.ts';
import { analyseDecision } from './decision-analysis.ts';
import { namesInText } from './names-in-text.ts';
import { buildTable } from './tables.ts';
import { typeOfInput } from './types-of-inputs.ts';

export interface CheckResult {
  pack: CheckedPack;
  diagnostics: RuleError[];
}

export function checkPack(decl: PackDecl): CheckResult {
  const diagnostics: RuleError[] = [];
  const versions = decl.versions.map((v) => checkVersion(v, diagnostics));
  return { pack: { decl, versions }, diagnostics: dedupe(diagnostics) };
}

function dedupe(list: RuleError[]): RuleError[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${e.position?.file}:${e.position?.line}:${e.position?.col}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function parse(f: FormulaText, out: RuleError[]): ParsedFormula | undefined {
  if (f.text.trim() === '') {
    out.push(errorAt(f.loc, 'empty-formula', 'this formula is empty', 'write a formula, a number, or true/false'));
    return undefined;
  }
  try {
    return { expr: parseFormula(f.text, f.source), source: f.source, text: f.text };
  } catch (e) {
    if (e instanceof RuleError) out.push(withSpreadsheetEquivalent(e));
    else throw e;
    return undefined;
  }
}

const dependencyKinds = new Set(['cell', 'decision']);

function checkVersion(v: VersionDecl, out: RuleError[]): CheckedVersion {
  const shared = new Map<string, Symbol>();
  const define = (table: Map<string, Symbol>, name: string, loc: Loc, sym: Symbol): void => {
    const prior = table.get(name);
    if (prior) {
      const p = priorLoc(prior);
      out.push(errorAt(loc, 'duplicate-name', `'${name}' is defined twice`, `the other definition is at ${posText(p)}; inputs, cells, decisions and tables share one namespace`));
      return;
    }
    table.set(name, sym);
  };
  for (const t of v.definitions.tables) {
    const { value, type } = buildTable(t, out);
    define(shared, t.name, t.loc, { kind: 'table', decl: t, value, type });
  }
  for (const c of v.definitions.cells) {
    const formula = (!c.malformed && parse(c.formula, out)) || placeholder(c.formula);
    define(shared, c.name, c.loc, { kind: 'cell', decl: c, formula, shared: true });
  }

  const opDecls = new Map<string, OperationDecl>();
  for (const op of v.operations) {
    if (opDecls.has(op.name)) out.push(errorAt(op.loc, 'duplicate-operation', `operation '${op.name}' is defined twice in version ${v.version}`, `the other is at ${posText(opDecls.get(op.name)!.loc)}`));
    else opDecls.set(op.name, op);
  }

  const checkers = new Map<string, OperationChecker>();
  const signature = (name: string): OperationSignature | undefined => {
    const op = opDecls.get(name);
    if (!op) return undefined;
    return { inputs: op.inputs, outputTypes: () => checkers.get(name)?.outputTypes() ?? {} };
  };
  for (const op of opDecls.values()) checkers.set(op.name, new OperationChecker(op, shared, define, signature, out));
  const operations = new Map<string, CheckedOperation>();
  for (const [name, c] of checkers) operations.set(name, c.check());

  checkSharedUse(v, shared, operations, out);
  checkCallCycles(operations, out);
  return { decl: v, operations, shared };
}

function priorLoc(s: Symbol): Loc {
  return s.decl.loc;
}

function posText(loc: Loc): string {
  const p = positionOf(loc.source, loc.span.start);
  return `${p.file}:${p.line}:${p.col}`;
}

function checkSharedUse(v: VersionDecl, shared: Map<string, Symbol>, ops: Map<string, CheckedOperation>, out: RuleError[]): void {
  const used = new Set<string>();
  for (const op of ops.values()) {
    for (const [name, sym] of op.symbols) if (shared.get(name) === sym && op.used.has(name)) used.add(name);
  }
  for (const [name, sym] of shared) {
    if (sym.kind === 'cell' && !used.has(name)) {
      out.push(errorAt(sym.decl.loc, 'unused-cell', `shared cell '${name}' is not used by any operation of version ${v.version}`, 'use it, or remove it', 'warning'));
      // Unused, but still checked: a mistake in it would surface the day it is used.
      if (!sym.formula.broken) infer(sym.formula.expr, sharedContext(sym.formula.source, shared, out));
    }
  }
}

/** Names as a shared cell sees them: only the version's definitions. */
function sharedContext(source: RuleError['source'], shared: Map<string, Symbol>, out: RuleError[], visiting = new Set<string>()): InferContext {
  const cx: InferContext = {
    source: source!,
    resolve: (name) => shared.get(name),
    typeOf: (name, sym) => {
      if (sym.kind === 'table') return sym.type;
      if (sym.kind !== 'cell' || sym.formula.broken || visiting.has(name)) return T.any;
      visiting.add(name);
      const t = infer(sym.formula.expr, { ...cx, source: sym.formula.source, report: () => undefined });
      visiting.delete(name);
      return t;
    },
    operation: () => undefined,
    knownNames: () => shared.keys(),
    report: (e) => out.push(e),
  };
  return cx;
}

function checkCallCycles(ops: Map<string, CheckedOperation>, out: RuleError[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      const op = ops.get(name)!;
      out.push(errorAt(op.decl.loc, 'call-cycle', `operations call each other in a cycle: ${cycle.join(' → ')}`, 'an operation may not (even indirectly) call itself'));
      return;
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const callee of ops.get(name)?.calls ?? []) if (ops.has(callee)) visit(callee);
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of ops.keys()) visit(name);
}

class OperationChecker {
  private readonly symbols = new Map<string, Symbol>();
  private readonly types = new Map<string, Type>();
  private readonly used = new Set<string>();
  private readonly inProgress = new Set<string>();
  private readonly decisions = new Map<string, CheckedDecision>();
  private readonly calls = new Set<string>();
  private outputs?: Record<string, Type>;
  private checked?: CheckedOperation;
  /** Names used by constraints that couldn't be parsed. */
  private readonly brokenRoots: string[] = [];

  constructor(
    private readonly op: OperationDecl,
    shared: Map<string, Symbol>,
    define: (table: Map<string, Symbol>, name: string, loc: Loc, sym: Symbol) => void,
    private readonly signature: (name: string) => OperationSignature | undefined,
    private readonly out: RuleError[],
  ) {
    for (const [name, sym] of shared) this.symbols.set(name, sym);
    for (const i of op.inputs) define(this.symbols, i.name, i.loc, { kind: 'input', decl: i, type: typeOfInput(i.type) });
    for (const t of op.tables) {
      const { value, type } = buildTable(t, out);
      define(this.symbols, t.name, t.loc, { kind: 'table', decl: t, value, type });
    }
    for (const c of op.cells) {
      const formula = (!c.malformed && parse(c.formula, out)) || placeholder(c.formula);
      define(this.symbols, c.name, c.loc, { kind: 'cell', decl: c, formula, shared: false });
    }
    for (const d of op.decisions) {
      const decision = this.parseDecision(d);
      define(this.symbols, d.name, d.loc, { kind: 'decision', decl: d, decision });
      this.decisions.set(d.name, decision);
    }
  }

  private parseDecision(d: OperationDecl['decisions'][number]): CheckedDecision {
    const inputs = d.inputs.map((f) => parse(f, this.out));
    const rows = d.rows.map((r) => ({
      conditions: r.conditions.map((c) => {
        try {
          return { test: parseUnaryTest(c.text, c.source), source: c.source, text: c.text };
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          this.out.push(withSpreadsheetEquivalent(e));
          return { test: { kind: 'any' as const, span: { start: 0, end: 0 } }, source: c.source, text: c.text, broken: true };
        }
      }),
      outputs: r.outputs.map((f) => parse(f, this.out) ?? placeholder(f)),
      line: positionOf(r.loc.source, r.loc.span.start).line,
    }));
    const def = d.default?.map((f) => parse(f, this.out) ?? placeholder(f));
    return { decl: d, inputs: inputs.map((p, i) => p ?? placeholder(d.inputs[i]!)), rows, default: def };
  }

  outputTypes(): Record<string, Type> {
    if (!this.outputs) {
      // Until typed, each output is `any`: an operation that calls back into this one (a call
      // cycle, reported on its own) sees its outputs, not an empty record.
      this.outputs = Object.fromEntries(this.op.outputs.map((o) => [o.name, T.any]));
      for (const o of this.op.outputs) {
        const sym = this.symbols.get(o.name);
        this.outputs[o.name] = sym ? this.typeOf(o.name, sym, o.loc.span) : T.any;
      }
    }
    return this.outputs;
  }

  private context(source: RuleError['source'], sharedOnly: boolean): InferContext {
    return {
      source: source!,
      resolve: (name) => {
        const s = this.symbols.get(name);
        if (sharedOnly && s && !(s.kind === 'table' ? !this.op.tables.includes(s.decl) : s.kind === 'cell' && s.shared)) return undefined;
        return s;
      },
      typeOf: (name, sym) => this.typeOf(name, sym),
      operation: (name) => {
        const sig = this.signature(name);
        if (sig) this.calls.add(name);
        return sig;
      },
      knownNames: () => this.symbols.keys(),
      report: (e) => this.out.push(e),
    };
  }

  /** Types a name on first use; a cycle gives `any` here and is reported by findCycles. */
  private typeOf(name: string, sym: Symbol, _span?: Span): Type {
    this.used.add(name);
    switch (sym.kind) {
      case 'input': return sym.type;
      case 'table': return sym.type;
      case 'cell':
      case 'decision': {
        const known = this.types.get(name);
        if (known) return known;
        if (this.inProgress.has(name)) return T.any;
        this.inProgress.add(name);
        // What couldn't be parsed was reported already; it is `any` so it raises nothing more.
        const t = sym.kind === 'cell'
          ? sym.formula.broken ? T.any : infer(sym.formula.expr, this.context(sym.formula.source, sym.shared))
          : sym.decl.malformed ? T.any : this.typeDecision(sym.decision);
        this.inProgress.delete(name);
        this.types.set(name, t);
        return t;
      }
    }
  }

  private typeDecision(d: CheckedDecision): Type {
    const columns = d.inputs.map((f) => (f.broken ? T.any : infer(f.expr, this.context(f.source, false))));
    for (const row of d.rows) {
      row.conditions.forEach((c, i) => inferUnaryTest(c.test, columns[i] ?? T.any, this.context(c.source, false), d.inputs[i]?.broken ? undefined : d.inputs[i]?.expr));
    }
    const outTypes: Record<string, Type> = {};
    d.decl.outputs.forEach((o, i) => {
      let t: Type = T.any;
      const cells = [...d.rows.map((r) => r.outputs[i]), d.default?.[i]].filter((x): x is ParsedFormula => !!x && !x.broken);
      for (const f of cells) {
        const ft = infer(f.expr, this.context(f.source, false));
        const u = unify(t, ft);
        if (!u) this.out.push(new RuleError('type-mismatch', `output '${o.name}' of decision table '${d.decl.name}' is ${ft.k} here but ${t.k} in an earlier row`, f.source, f.expr.span));
        else t = u;
      }
      if (d.decl.hit === 'collect') {
        if (d.decl.aggregate === 'list') t = T.list(t);
        else {
          if (d.decl.aggregate !== 'count' && t.k !== 'number' && t.k !== 'any') this.out.push(errorAt(o.loc, 'type-mismatch', `collect with ${d.decl.aggregate} needs numeric outputs, but '${o.name}' is ${t.k}`));
          t = T.number;
        }
      }
      outTypes[o.name] = t;
    });
    return T.record(outTypes);
  }

  check(): CheckedOperation {
    if (this.checked) return this.checked;
    const constraints: CheckedConstraint[] = [];
    for (const c of this.op.constraints) {
      const formula = parse(c.require, this.out);
      if (!formula) {
        this.brokenRoots.push(...namesInText(c.require.text), ...namesInText(c.message));
        continue;
      }
      const t = infer(formula.expr, this.context(formula.source, false));
      if (t.k !== 'boolean' && t.k !== 'any') {
        this.out.push(new RuleError('type-mismatch', `a constraint must be true or false, but this is ${t.k}`, formula.source, formula.expr.span,
          `write the condition the request must meet, e.g. ${formula.text.trim()} <= 100 (combine several with and / or)`));
      }
      const messageNames = [...c.message.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
      for (const n of messageNames) {
        const sym = this.symbols.get(n);
        if (!sym) this.out.push(errorAt(placeholderLoc(c.messageLoc, n), 'unknown-name', `the message uses {${n}}, which is not a name of this operation`, didYouMean(n, this.symbols.keys())));
        else this.typeOf(n, sym);
      }
      constraints.push({ decl: c, formula, messageNames });
    }
    const outputTypes = this.outputTypes();
    for (const o of this.op.outputs) {
      const sym = this.symbols.get(o.name);
      if (!sym) this.out.push(errorAt(o.loc, 'unknown-output', `output '${o.name}' is not an input, cell or decision of this operation`, didYouMean(o.name, this.symbols.keys())));
      else if (sym.kind === 'table') this.out.push(errorAt(o.loc, 'unknown-output', `output '${o.name}' is a table; outputs are values`, `add a cell that looks up what you need, e.g. ${o.name}_value: ${o.name}[key].column`));
    }
    // Cells nothing reads are still checked: a mistake in them would surface the day they are used.
    for (const [name, sym] of this.symbols) {
      if ((sym.kind === 'cell' && !sym.shared) || sym.kind === 'decision') this.typeOf(name, sym);
    }
    this.findCycles();
    const inputNamed = (name: string) => {
      const sym = this.symbols.get(name);
      return sym?.kind === 'input' ? sym.decl : undefined;
    };
    for (const d of this.decisions.values()) this.out.push(...analyseDecision(d, inputNamed));
    this.warnUnused(constraints);
    this.checked = { decl: this.op, symbols: this.symbols, types: this.types, constraints, outputs: this.op.outputs.map((o) => o.name), outputTypes, calls: this.calls, used: this.used };
    return this.checked;
  }

  /** Direct dependencies of a cell or decision on other cells and decisions. */
  private dependencies(name: string): string[] {
    const sym = this.symbols.get(name);
    const names: { name: string; span: Span }[] = [];
    if (sym?.kind === 'cell') freeNames(sym.formula.expr, new Set(), names);
    if (sym?.kind === 'decision') {
      const d = sym.decision;
      d.inputs.forEach((f) => freeNames(f.expr, new Set(), names));
      d.rows.forEach((r) => {
        r.conditions.forEach((c) => unaryTestNames(c.test, names));
        r.outputs.forEach((f) => freeNames(f.expr, new Set(), names));
      });
      d.default?.forEach((f) => freeNames(f.expr, new Set(), names));
    }
    return [...new Set(names.map((n) => n.name))].filter((n) => dependencyKinds.has(this.symbols.get(n)?.kind ?? ''));
  }

  private brokenDependencyTexts(name: string): string[] {
    const sym = this.symbols.get(name);
    const texts: string[] = [];
    if (sym?.kind === 'cell' && sym.formula.broken) texts.push(sym.formula.text);
    if (sym?.kind === 'decision') {
      const d = sym.decision;
      for (const f of [...d.inputs, ...d.rows.flatMap((r) => r.outputs), ...(d.default ?? [])]) if (f.broken) texts.push(f.text);
      for (const c of d.rows.flatMap((r) => r.conditions)) if (c.broken) texts.push(c.text);
    }
    return texts;
  }

  /** What the formulas of a cell or decision that couldn't be parsed seem to use. */
  private brokenDependencies(name: string): string[] {
    return this.brokenDependencyTexts(name).flatMap(namesInText).filter((n) => dependencyKinds.has(this.symbols.get(n)?.kind ?? ''));
  }

  private findCycles(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const reported = new Set<string>();
    const visit = (name: string): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        const cycle = stack.slice(stack.indexOf(name));
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const sym = this.symbols.get(name)!;
          this.out.push(errorAt(sym.decl.loc, 'cycle', `cells depend on each other in a cycle: ${[...cycle, name].join(' → ')}`, 'a cell may not (even indirectly) use itself; break the cycle'));
        }
        return;
      }
      state.set(name, 'visiting');
      stack.push(name);
      for (const d of this.dependencies(name)) visit(d);
      stack.pop();
      state.set(name, 'done');
    };
    for (const [name, sym] of this.symbols) if (dependencyKinds.has(sym.kind)) visit(name);
  }

  private warnUnused(constraints: CheckedConstraint[]): void {
    const reached = new Set<string>();
    // An output that names nothing most likely meant its nearest name: that one isn't unused.
    const meant = this.op.outputs.filter((o) => !this.symbols.has(o.name)).flatMap((o) => nearest(o.name, this.symbols.keys(), 1));
    const roots: string[] = [...this.op.outputs.map((o) => o.name), ...meant, ...this.brokenRoots];
    for (const c of constraints) {
      roots.push(...freeNames(c.formula.expr).map((n) => n.name), ...c.messageNames);
    }
    const visit = (name: string): void => {
      if (reached.has(name)) return;
      reached.add(name);
      this.dependencies(name).forEach(visit);
      // A formula with a syntax error still uses what it names: no "never used" on top of the error.
      this.brokenDependencies(name).forEach(visit);
    };
    roots.forEach(visit);
    for (const c of this.op.cells) {
      // A cell whose name was taken by an earlier definition is already an error; no warning on top.
      if (!reached.has(c.name) && this.symbols.get(c.name)?.decl === c) this.out.push(errorAt(c.loc, 'unused-cell', `cell '${c.name}' is never used`, 'use it in an output or a constraint, list it in outputs, or remove it', 'warning'));
    }
    for (const d of this.op.decisions) {
      if (!reached.has(d.name)) this.out.push(errorAt(d.loc, 'unused-cell', `decision table '${d.name}' is never used`, 'use it in a formula, or remove it', 'warning'));
    }
    for (const c of constraints) calledNames(c.formula.expr).forEach((n) => this.signature(n.name) && this.calls.add(n.name));
  }
}

/** The `{name}` inside a constraint's message, or the whole message if it can't be found. */
function placeholderLoc(message: Loc, name: string): Loc {
  const text = message.source.fileText ?? message.source.text;
  const at = text.slice(message.span.start, message.span.end).indexOf(`{${name}}`);
  if (at < 0 || message.source.toFileOffset) return message;
  const start = message.span.start + at;
  return { source: message.source, span: { start, end: start + name.length + 2 } };
}

/** Stands for a formula that couldn't be parsed (already reported). */
function placeholder(f: FormulaText): ParsedFormula {
  return { expr: { kind: 'boolean', value: false, span: { start: 0, end: 0 } }, source: f.source, text: f.text, broken: true };
}

export type { CellDecl };
