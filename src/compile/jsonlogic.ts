// An operation as JSON Logic, for clients that preview prices offline with json-logic-js.
//
// The export (documented in README.md, "JSON Logic export"):
//   { pack, operation, version, unit,
//     inputs:      JSON Schema of the inputs, with defaults (the rules apply them too: {"var": ["batch", 1]}),
//     limits:      {input path: {maximum, decimals}} — the range in which inputs without one of their own are
//                  computed exactly; beyond it the rules throw rather than answer,
//     constraints: [{rule, message, code?, values: {name: rule}}] — a request is rejected with each message
//                  whose rule is false; `values` fill the message's {name}s,
//     outputs:     {name: rule},
//     operations_required: {name: description} — custom operations to register (jsonlogic-ops.ts),
//     not_exported: [{output | constraint, reason}] }
//
// Exactness is the contract: every rule gives the engine's value, converted to the nearest
// double, or throws where the engine answers with an error (via `fail`) or an input is
// beyond `limits` (via `scaled`). What can't be proven exact is left out and named, never
// approximated.
import type { CheckedOperation } from '../check/model.ts';
import { inputSchema } from '../rules/input-schema.ts';
import { CREDIT_OPERATIONS, type CreditOperation } from './jsonlogic-ops.ts';
import { asBool, isElement } from './jsonlogic-logic.ts';
import { Translator, type PreviewLimit } from './jsonlogic-expr.ts';
import { NotExact, NUMBER_INPUT } from './numeric-shape.ts';
import { NotExportable, printable, unscaled, type Rule, type Val } from './jsonlogic-values.ts';

export interface ExportedConstraint {
  rule: Rule;
  message: string;
  code?: string;
  /** Rules for the `{name}`s of the message; evaluate them only when the constraint fails. */
  values: Record<string, Rule>;
}

export type NotExported = { output: string; reason: string } | { constraint: string; code?: string; reason: string };

export interface JsonLogicExport {
  pack: string;
  operation: string;
  version: string;
  unit: 'credits' | 'usd';
  inputs: Record<string, unknown>;
  limits: Record<string, PreviewLimit>;
  constraints: ExportedConstraint[];
  outputs: Record<string, Rule>;
  operations_required: Record<string, string>;
  not_exported: NotExported[];
}

export interface PackVersion {
  pack: string;
  version: string;
  unit: 'credits' | 'usd';
}

/**
 * Tried from the most generous down; the export uses the first that exports the most rules.
 * Each keeps maximum·10^decimals below 2^53.
 */
export const PREVIEW_LIMITS: readonly PreviewLimit[] = [
  NUMBER_INPUT,
  { maximum: 1e6, decimals: 6 },
  { maximum: 1e6, decimals: 4 },
  { maximum: 1e4, decimals: 4 },
  { maximum: 1e3, decimals: 2 },
];

interface Translated {
  constraints: { index: number; value?: ExportedConstraint; reason?: string }[];
  outputs: { name: string; rule?: Rule; reason?: string }[];
  uses: Set<CreditOperation>;
  limits: Map<string, PreviewLimit>;
}

export function exportJsonLogic(op: CheckedOperation, at: PackVersion): JsonLogicExport {
  const attempts = PREVIEW_LIMITS.map((limit) => translate(op, limit));
  const exported = (t: Translated): number => t.constraints.filter((c) => c.value).length + t.outputs.filter((o) => o.rule !== undefined).length;
  const best = attempts.reduce((a, b) => (exported(b) > exported(a) ? b : a));
  const not_exported: NotExported[] = [];
  for (const c of best.constraints) {
    const decl = op.constraints[c.index]!.decl;
    if (c.reason) not_exported.push({ constraint: decl.message, ...(decl.code ? { code: decl.code } : {}), reason: c.reason });
  }
  for (const o of best.outputs) if (o.reason) not_exported.push({ output: o.name, reason: o.reason });
  return {
    pack: at.pack,
    operation: op.decl.name,
    version: at.version,
    unit: at.unit,
    inputs: inputSchema(op.decl.inputs),
    limits: Object.fromEntries([...best.limits].sort(([a], [b]) => a.localeCompare(b))),
    constraints: best.constraints.flatMap((c) => (c.value ? [c.value] : [])),
    outputs: Object.fromEntries(best.outputs.flatMap((o) => (o.rule !== undefined ? [[o.name, o.rule]] : []))),
    operations_required: Object.fromEntries([...best.uses].sort().map((n) => [n, CREDIT_OPERATIONS[n].description])),
    not_exported,
  };
}

/** Each rule on its own translator, so `uses` and `limits` count only rules that are exported. */
function translate(op: CheckedOperation, limit: PreviewLimit): Translated {
  const uses = new Set<CreditOperation>();
  const limits = new Map<string, PreviewLimit>();
  const attempt = <T>(build: (t: Translator) => T): { value?: T; reason?: string } => {
    const t = new Translator(op, limit);
    try {
      const value = build(t);
      t.uses.forEach((u) => uses.add(u));
      t.limited.forEach((l, path) => limits.set(path, l));
      return { value };
    } catch (e) {
      if (e instanceof NotExportable || e instanceof NotExact) return { reason: e.message };
      throw e;
    }
  };
  const constraints = op.constraints.map((c, index) => ({
    index,
    ...attempt((t): ExportedConstraint => {
      const values = Object.fromEntries(c.messageNames.map((n) => [n, messageValue(t.name(n), n)]));
      return {
        rule: asBool(t.expr(c.formula.expr, { locals: new Map(), scope: 0 }), 'the constraint').rule,
        message: c.decl.message,
        ...(c.decl.code ? { code: c.decl.code } : {}),
        values,
      };
    }),
  }));
  const outputs = op.outputs.map((name) => {
    const r = attempt((t) => outputRule(t.name(name)));
    return { name, rule: r.value, reason: r.reason };
  });
  return { constraints, outputs, uses, limits };
}

/** An output's rule: numbers unscaled (X / 10^scale is the double nearest the exact value). */
function outputRule(v: Val): Rule {
  switch (v.kind) {
    case 'number': return unscaled(v);
    case 'string': case 'boolean': case 'never': return v.rule;
    case 'guarded-list': {
      const items = v.items.map((i) => ({ when: i.when, rule: outputRule(i.item) }));
      if (items.every((i) => i.when === undefined)) return items.map((i) => i.rule);
      return { merge: items.map((i) => (i.when === undefined ? [i.rule] : { if: [i.when, [i.rule], []] })) };
    }
    case 'dynamic-list': {
      if (v.item.kind === 'item-record') throw new NotExportable('a list of records isn\'t exported');
      const element = outputRule(v.item);
      return isElement(element) ? v.rule : { map: [v.rule, element] };
    }
    case 'ratio': throw new NotExportable(`${v.text} is a quotient that may not terminate; the engine keeps it exact and floats can't`);
    default: throw new NotExportable(`a ${v.kind} isn't a value JSON Logic can return`);
  }
}

/** A value for a message: its decimal text must survive the trip through a double. */
function messageValue(v: Val, name: string): Rule {
  if (v.kind === 'number' && !printable(v)) throw new NotExportable(`the message shows '${name}', whose digits a double may not keep`);
  if (v.kind !== 'number' && v.kind !== 'string' && v.kind !== 'boolean') throw new NotExportable(`the message shows '${name}', a ${v.kind}`);
  return outputRule(v);
}
