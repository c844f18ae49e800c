// Turning JSON request inputs into exact formula values, per an operation's input
// declarations. Every refusal names the input (with a path into lists and records).
import { RuleError } from '../../grammar/diagnostic.ts';
import { Decimal, decimalFromJsonNumber, JSON_NUMBER_DIGITS, decimalText, parseDecimalText } from '../decimal.ts';
import { didYouMean } from '../suggest.ts';
import { makeRecord, type Value } from '../value.ts';
import type { InputDecl, InputType } from './model.ts';

function invalid(path: string, message: string, hint?: string, code = 'invalid-input'): RuleError {
  return new RuleError(code, `input '${path}' ${message}`, undefined, undefined, hint);
}

export function describeType(t: InputType): string {
  switch (t.kind) {
    case 'list': return `a list of ${pluralType(t.items)}`;
    case 'record': return 'a record';
    case 'integer': return 'an integer';
    default: return `a ${t.kind}`;
  }
}

/** `strings`, `integers`, `lists of numbers`: what a list holds. */
function pluralType(t: InputType): string {
  return t.kind === 'list' ? `lists of ${pluralType(t.items)}` : `${t.kind}s`;
}

export function coerceValue(t: InputType, raw: unknown, path: string): Value {
  switch (t.kind) {
    case 'number':
    case 'integer': {
      if (typeof raw === 'number' && Number.isFinite(raw) && !decimalFromJsonNumber(raw)) {
        throw invalid(path, `has more digits than a JSON number carries exactly (${JSON_NUMBER_DIGITS} significant digits)`, `send it as a decimal string, e.g. "${String(raw)}" written out in full`);
      }
      // A Decimal comes from an operation call: the caller's exact value, which may not terminate.
      const d = raw instanceof Decimal ? raw : typeof raw === 'number' ? decimalFromJsonNumber(raw) : typeof raw === 'string' ? parseDecimalText(raw.trim()) : undefined;
      if (!d) throw invalid(path, `must be ${describeType(t)}, got ${showJson(raw)}`, typeof raw === 'string' ? 'write numbers as JSON numbers or plain decimal text like "0.1"' : undefined);
      if (t.kind === 'integer' && !d.isInteger()) throw invalid(path, `must be an integer, got ${decimalText(d)}`);
      if (t.enum && !t.enum.some((e) => e.eq(d))) throw invalid(path, `must be one of ${t.enum.map(decimalText).join(', ')}, got ${decimalText(d)}`);
      if (t.min && d.lt(t.min)) throw invalid(path, `must be at least ${decimalText(t.min)}, got ${decimalText(d)}`, undefined, 'input-out-of-range');
      if (t.max && d.gt(t.max)) throw invalid(path, `must be at most ${decimalText(t.max)}, got ${decimalText(d)}`, undefined, 'input-out-of-range');
      return d;
    }
    case 'string':
      if (typeof raw !== 'string') throw invalid(path, `must be a string, got ${showJson(raw)}`);
      if (t.enum && !t.enum.includes(raw)) throw invalid(path, `must be one of ${t.enum.map((e) => `'${e}'`).join(', ')}, got '${raw}'`, didYouMean(raw, t.enum));
      return raw;
    case 'boolean':
      if (typeof raw !== 'boolean') throw invalid(path, `must be true or false, got ${showJson(raw)}`);
      return raw;
    case 'list': {
      if (!Array.isArray(raw)) throw invalid(path, `must be ${describeType(t)}, got ${showJson(raw)}`);
      if (t.minItems !== undefined && raw.length < t.minItems) throw invalid(path, `must have at least ${t.minItems} items, got ${raw.length}`, undefined, 'input-out-of-range');
      if (t.maxItems !== undefined && raw.length > t.maxItems) throw invalid(path, `must have at most ${t.maxItems} items, got ${raw.length}`, undefined, 'input-out-of-range');
      return raw.map((x, i) => coerceValue(t.items, x, `${path}[${i + 1}]`));
    }
    case 'record': {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(path, `must be a record (a JSON object), got ${showJson(raw)}`);
      return coerceInputs(t.fields, raw as Record<string, unknown>, `${path}.`);
    }
    case 'malformed':
      throw invalid(path, 'has a malformed declaration in the rules', 'run credits check');
  }
}

/** Validates a whole input object: unknown names, missing required inputs, types, ranges. */
export function coerceInputs(decls: readonly InputDecl[], raw: Record<string, unknown>, prefix = ''): Record<string, Value> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(prefix || 'input', 'must be a JSON object of named inputs');
  const out: [string, Value][] = [];
  const known = new Set(decls.map((d) => d.name));
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) {
      throw new RuleError('unknown-input', `unknown input '${prefix}${name}'`, undefined, undefined,
        didYouMean(name, known) ?? `known inputs: ${[...known].join(', ') || '(none)'}`);
    }
  }
  for (const d of decls) {
    const given = Object.prototype.hasOwnProperty.call(raw, d.name) ? raw[d.name] : undefined;
    if (given === undefined || given === null) {
      if (d.default === undefined) throw new RuleError('missing-input', `missing required input '${prefix}${d.name}'`, undefined, undefined, `give it as ${describeType(d.type)}`);
      out.push([d.name, d.default]);
    } else {
      out.push([d.name, coerceValue(d.type, given, prefix + d.name)]);
    }
  }
  return makeRecord(out);
}

function showJson(raw: unknown): string {
  if (raw === undefined) return 'nothing';
  const s = JSON.stringify(raw);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

