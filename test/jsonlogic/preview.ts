// The client side of an export, as README.md ("JSON Logic export") tells a client to run it, and the engine's
// answer in the same shape, so the tests can compare the two.
import { Ajv } from 'ajv';
import jsonLogic, { type RulesLogic } from 'json-logic-js';
import { RuleError } from '../../grammar/diagnostic.ts';
import type { JsonLogicExport } from '../../src/compile/jsonlogic.ts';
import { CREDIT_OPERATIONS, formatMessage, PreviewError, registerCreditOperations } from '../../src/compile/jsonlogic-ops.ts';
import { Decimal } from '../../src/decimal.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { isRecord, type Value } from '../../src/value.ts';

export type Answer =
  | { kind: 'invalid' }
  | { kind: 'error'; message: string }
  | { kind: 'outside-exact-range'; message: string }
  | { kind: 'rejected'; messages: string[] }
  | { kind: 'accepted'; outputs: Record<string, unknown> };

const ajv = new Ajv({ useDefaults: false, strict: false });
const INPUT_ERRORS = new Set(['invalid-input', 'input-out-of-range', 'missing-input', 'unknown-input']);

/** Registers exactly the operations an export declares (and no others) for the duration of `run`. */
export function withOperations<T>(exp: JsonLogicExport, run: () => T): T {
  registerCreditOperations(jsonLogic, Object.keys(exp.operations_required));
  try {
    return run();
  } finally {
    for (const name of Object.keys(CREDIT_OPERATIONS)) jsonLogic.rm_operation(name);
  }
}

function apply(rule: unknown, input: Record<string, unknown>): unknown {
  return jsonLogic.apply(rule as RulesLogic, input);
}

export function preview(exp: JsonLogicExport, input: Record<string, unknown>): Answer {
  if (!ajv.validate(exp.inputs, input)) return { kind: 'invalid' };
  try {
    const messages = exp.constraints
      .filter((c) => apply(c.rule, input) === false)
      .map((c) => formatMessage(c.message, Object.fromEntries(Object.entries(c.values).map(([n, r]) => [n, apply(r, input)]))));
    if (messages.length) return { kind: 'rejected', messages };
    return { kind: 'accepted', outputs: Object.fromEntries(Object.entries(exp.outputs).map(([n, r]) => [n, apply(r, input)])) };
  } catch (e) {
    if (!(e instanceof PreviewError)) throw e;
    return e.code === 'engine-error' ? { kind: 'error', message: e.message } : { kind: 'outside-exact-range', message: e.message };
  }
}

/** An engine value as a JSON client receives it: numbers as the double nearest the exact decimal. */
export function asJson(v: Value): unknown {
  if (v instanceof Decimal) return Number(v.toFixed());
  if (Array.isArray(v)) return v.map(asJson);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asJson(x)]));
  return v;
}

export function engineAnswer(engine: Engine, pack: string, operation: string, input: Record<string, unknown>, at?: Date): Answer {
  try {
    const q = engine.quote({ pack, operation, input, at });
    if (q.rejections.length) return { kind: 'rejected', messages: q.rejections.map((r) => r.message) };
    return { kind: 'accepted', outputs: asJson(q.outputs) as Record<string, unknown> };
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    return INPUT_ERRORS.has(e.code) ? { kind: 'invalid' } : { kind: 'error', message: e.message };
  }
}
