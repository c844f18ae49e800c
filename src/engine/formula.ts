// One formula evaluated on its own, with names bound from a JSON object: the engine
// behind `credits eval`, and the runner of the conformance table.
import type { Expr } from '../../grammar/ast.ts';
import { inlineSource, RuleError, type Source } from '../../grammar/diagnostic.ts';
import { parseFormula } from '../../grammar/index.ts';
import { infer } from '../check/infer.ts';
import { withSpreadsheetEquivalent } from '../check/spreadsheet-function.ts';
import { compileExpr } from '../compile/compile-expr.ts';
import { decimalFromJsonNumber, Decimal } from '../decimal.ts';
import { T, unify, type Type } from '../types.ts';
import { makeRecord, type Value } from '../value.ts';

/** Binds JSON data as formula values: numbers become the exact decimals they denote. */
export function valueFromJson(raw: unknown, path: string): Value {
  if (typeof raw === 'number') {
    const d = decimalFromJsonNumber(raw);
    if (!d) {
      throw new RuleError('invalid-input', Number.isFinite(raw) ? `input '${path}' has more digits than a JSON number carries exactly` : `input '${path}' is not a finite number`,
        undefined, undefined, Number.isFinite(raw) ? 'write it into the formula, or as a decimal string' : undefined);
    }
    return d;
  }
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) return raw.map((x, i) => valueFromJson(x, `${path}[${i + 1}]`));
  if (raw && typeof raw === 'object') return makeRecord(Object.entries(raw).map(([k, v]) => [k, valueFromJson(v, `${path}.${k}`)]));
  throw new RuleError('invalid-input', `input '${path}' is null; give a number, text, true/false, a list or an object`);
}

function typeOfValue(v: Value): Type {
  if (v instanceof Decimal) return T.number;
  if (typeof v === 'string') return T.string;
  if (typeof v === 'boolean') return T.boolean;
  if (Array.isArray(v)) return T.list(v.map(typeOfValue).reduce<Type>((a, b) => unify(a, b) ?? T.any, T.any));
  return T.record(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeOfValue(x as Value)])));
}

function parseWithEquivalents(text: string, source: Source): Expr {
  try {
    return parseFormula(text, source);
  } catch (e) {
    throw e instanceof RuleError ? withSpreadsheetEquivalent(e) : e;
  }
}

/**
 * Parses, type-checks and evaluates a formula. Throws the first RuleError (with its
 * position in the formula) when the formula is wrong or fails.
 */
export function evaluateFormula(text: string, input: Record<string, unknown> = {}, file = '<formula>'): Value {
  const source = inlineSource(text, file);
  const expr = parseWithEquivalents(text, source);
  const bound = new Map(Object.entries(input).map(([k, v]) => [k, valueFromJson(v, k)]));
  const problems: RuleError[] = [];
  infer(expr, {
    source,
    resolve: (name) => (bound.has(name) ? { kind: 'input', decl: { name, loc: { source, span: { start: 0, end: 0 } }, type: { kind: 'boolean' } }, type: typeOfValue(bound.get(name)!) } : undefined),
    typeOf: (_n, sym) => (sym.kind === 'input' ? sym.type : T.any),
    operation: () => undefined,
    knownNames: () => bound.keys(),
    report: (e) => problems.push(e),
  });
  if (problems.length) throw problems[0];
  const code = compileExpr(expr, source, {
    name: (name) => {
      const v = bound.get(name)!;
      return () => v;
    },
    call: () => undefined,
  }, { n: 0 });
  return code({ inputs: makeRecord([]), values: [], locals: [], depth: 0 });
}
