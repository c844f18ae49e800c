// Strict request checks: JSON only, nested at most MAX_BODY_DEPTH deep, no prototype-polluting
// keys anywhere, the body exactly as the OpenAPI schema says (unknown fields and wrong types
// refused), and no control characters in ids and names of the path.
import type { NextFunction, Request, Response } from 'express';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument, PLAIN_TEXT } from './openapi.ts';
import { HttpProblem } from './problem.ts';
import { MAX_BODY_DEPTH } from './problem-types.ts';

// verbose: each error carries its schema (for `x-expected`) and the value refused.
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
addFormats.default(ajv, ['date-time']);
ajv.addSchema({ $id: 'openapi', components: openApiDocument.components });

const compiled = new Map<string, ValidateFunction>();
function validator(schema: string): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.getSchema(`openapi#/components/schemas/${schema}`)!;
    compiled.set(schema, v);
  }
  return v;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

interface Flaw {
  code: 'forbidden_key' | 'too_deep';
  /** JSON pointer, built only on the way out. */
  path: string;
}

/** A prototype-polluting key or nesting past MAX_BODY_DEPTH. Recursive, but never deeper than the limit. */
function flaw(v: unknown, depth: number): Flaw | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  if (depth > MAX_BODY_DEPTH) return { code: 'too_deep', path: '' };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = flaw(v[i], depth + 1);
      if (found) {
        found.path = `/${i}${found.path}`;
        return found;
      }
    }
  } else {
    for (const k in v) {
      if (FORBIDDEN.has(k)) return { code: 'forbidden_key', path: `/${k}` };
      const found = flaw((v as Record<string, unknown>)[k], depth + 1);
      if (found) {
        found.path = `/${k}${found.path}`;
        return found;
      }
    }
  }
  return undefined;
}

function refuse(f: Flaw): HttpProblem {
  if (f.code === 'forbidden_key') return new HttpProblem(400, 'forbidden_key', `the key at ${f.path} is not allowed`);
  const at = f.path.length > 80 ? `${f.path.slice(0, 80)}…` : f.path;
  return new HttpProblem(400, 'too_deep', `the body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep (at ${at})`, { max_depth: MAX_BODY_DEPTH });
}

/** The body checked against a schema of the OpenAPI document; `null` schema: no body allowed. */
export function body<T>(req: Request, schema: string | null): T {
  const raw: unknown = req.body;
  // express.json() parsed every JSON body; a body it left alone is of another type.
  const sent = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (sent && raw === undefined) {
    throw new HttpProblem(415, 'unsupported_media_type', 'send the body as application/json');
  }
  if (schema === null) {
    const empty = raw === undefined || (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.keys(raw).length === 0);
    if (!empty) throw new HttpProblem(422, 'invalid_request', 'this request takes no body');
    return {} as T;
  }
  const data = raw ?? {};
  // Before ajv, which recurses without a limit.
  const bad = flaw(data, 1);
  if (bad) throw refuse(bad);
  const validate = validator(schema);
  if (!validate(data)) {
    const errors = relevant(validate.errors ?? []);
    const messages = [...new Set(errors.map(human))];
    const detail = messages.length > 3 ? `${messages.slice(0, 3).join('; ')} (and ${messages.length - 3} more)` : messages.join('; ');
    throw new HttpProblem(422, 'invalid_request', detail || 'invalid body', { errors: errors.map((e) => issue(e, human(e))) });
  }
  return data as T;
}

/** One refusal for machines: the JSON pointer, the schema keyword, a sentence, and the field it names. */
function issue(e: ErrorObject, message: string) {
  const p = e.params as { additionalProperty?: string; missingProperty?: string };
  const field = e.keyword === 'additionalProperties' ? p.additionalProperty : e.keyword === 'required' ? p.missingProperty : undefined;
  return { path: e.instancePath || '/', keyword: e.keyword, message, ...(field !== undefined ? { field } : {}) };
}

/**
 * The errors worth reporting. A body that is one of several shapes (a charge by quote id or
 * by operation) fails every shape; the shape it came closest to (fewest errors) is the one
 * the client meant, and the others' complaints ("unknown field 'quote_id'") would mislead.
 */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const own = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  const branches = new Map<string, ErrorObject[]>();
  for (const e of own) {
    const branch = /^#\/(?:oneOf|anyOf)\/(\d+)\//.exec(e.schemaPath)?.[1];
    if (branch === undefined) continue;
    branches.set(branch, [...(branches.get(branch) ?? []), e]);
  }
  if (branches.size === 0) return own.length ? own : errors;
  // On a tie, a shape whose tag the body doesn't have (an enum or const refused, as
  // `action: "cancel"` against subscribe|upgrade) is not the one meant.
  const mismatch = (es: ErrorObject[]) => (es.some((e) => e.keyword === 'enum' || e.keyword === 'const') ? 1 : 0);
  const closest = [...branches.values()].sort((a, b) => a.length - b.length || mismatch(a) - mismatch(b))[0]!;
  return [...own.filter((e) => !/^#\/(?:oneOf|anyOf)\//.test(e.schemaPath)), ...closest];
}

/** A JSON pointer as a reader names the field: `/input/steps/0/model` → `input.steps[0].model`. */
function fieldName(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

function shown(v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

const A_TYPE: Record<string, string> = {
  string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', object: 'an object', array: 'an array', null: 'null',
};

/** The error as a sentence naming the field: never a regular expression. */
function human(e: ErrorObject): string {
  const field = fieldName(e.instancePath);
  const subject = field || 'the body';
  const p = e.params as Record<string, unknown>;
  const got = e.data === undefined ? '' : `, got ${shown(e.data)}`;
  const expected = (e.parentSchema as { 'x-expected'?: string } | undefined)?.['x-expected'];
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field '${field ? `${field}.` : ''}${String(p.additionalProperty)}'`;
    case 'required':
      return `${field ? `${field} is ` : ''}missing the field '${field ? `${field}.` : ''}${String(p.missingProperty)}'`;
    case 'type':
    case 'pattern':
    case 'format':
      if (expected) return `${subject} must be ${expected}${got}`;
      if (e.keyword === 'type') return `${subject} must be ${String(p.type).split(',').map((t) => A_TYPE[t] ?? t).join(' or ')}${got}`;
      return `${subject} is not in the expected format${got}`;
    case 'enum':
      return `${subject} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'const':
      return `${subject} must be ${JSON.stringify(p.allowedValue)}${got}`;
    case 'maxLength':
      return `${subject} must be at most ${String(p.limit)} characters long`;
    case 'minLength':
      return `${subject} must be at least ${String(p.limit)} characters long`;
    case 'maxItems':
      return `${subject} must have at most ${String(p.limit)} items`;
    default:
      return `${subject} ${e.message ?? 'is invalid'}`;
  }
}

const PLAIN = new RegExp(PLAIN_TEXT, 'u');

/**
 * Refuses an id or name in the path with a control character before it reaches the engine
 * or the store (PostgreSQL refuses NUL in text, a 500 otherwise). For router.param.
 */
export function plainPathParam(_req: Request, _res: Response, next: NextFunction, value: unknown, name: unknown): void {
  if (typeof value === 'string' && !PLAIN.test(value)) {
    const bad = [...value].find((c) => !PLAIN.test(c))!;
    return next(new HttpProblem(400, 'invalid_path', `the ${String(name)} in the path contains the control character U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}: ids and names never do`));
  }
  next();
}

export function idempotencyKey(req: Request): string {
  const key = req.get('Idempotency-Key');
  if (!key) throw new HttpProblem(400, 'idempotency_key_required', 'send an Idempotency-Key header with every POST that changes state');
  if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) throw new HttpProblem(400, 'invalid_idempotency_key', 'an Idempotency-Key is 1–255 printable ASCII characters');
  // Keys are per API key, so two clients can't collide or read each other's results.
  return `${req.caller!.key.id}:${key}`;
}

export function queryInt(req: Request, name: string, min: number, max: number, fallback: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpProblem(422, 'invalid_request', `query parameter ${name} must be an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

/** A query parameter given once as text (undefined when absent), at most `maxLength` long. */
export function queryText(req: Request, name: string, maxLength = 200): string | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > maxLength || !PLAIN.test(raw)) {
    throw new HttpProblem(422, 'invalid_request', `query parameter ${name} must be given once, as 1–${maxLength} characters of text`);
  }
  return raw;
}

/** A query parameter that must be one of `values`. */
export function queryEnum<T extends string>(req: Request, name: string, values: readonly T[]): T | undefined {
  const v = queryText(req, name);
  if (v !== undefined && !values.includes(v as T)) throw new HttpProblem(422, 'invalid_request', `query parameter ${name} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T | undefined;
}

/** A page of a cursor-paginated list: `cursor` (the previous page's next_cursor) and `limit` (1–100, default 20). */
export function pageQuery(req: Request): { cursor: string | undefined; limit: number } {
  return { cursor: queryText(req, 'cursor', 1000), limit: queryInt(req, 'limit', 1, 100, 20) };
}

/** A refusal of a body its schema took, in the shape body() reports one: JSON pointer, keyword, sentence. */
export interface BodyIssue { path: string; keyword: string; message: string }

/** Refuses the body when there are issues, as body() does: 422 invalid_request listing them all. */
export function refuseIssues(issues: BodyIssue[]): void {
  if (issues.length) throw new HttpProblem(422, 'invalid_request', issues.map((e) => e.message).join('; '), { errors: issues });
}

/** An issue at /files/<i>/path for each file whose path `why` refuses (with a sentence saying why). */
export function filePathIssues(files: readonly { path: string }[], why: (path: string) => string | undefined): BodyIssue[] {
  return files.flatMap((f, i) => {
    const reason = why(f.path);
    return reason ? [{ path: `/files/${i}/path`, keyword: 'file', message: `files[${i}].path: ${reason}` }] : [];
  });
}
