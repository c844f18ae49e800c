// Strict request checks: JSON only, no prototype-polluting keys anywhere, and the body
// exactly as the OpenAPI schema says (unknown fields and wrong types refused).
import type { Request } from 'express';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from './openapi.ts';
import { HttpProblem } from './problem.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false });
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

/** The path of the first prototype-polluting key, if any (paths are built only on the way out). */
function forbiddenKey(v: unknown): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = forbiddenKey(v[i]);
      if (found !== undefined) return `/${i}${found}`;
    }
  } else if (v !== null && typeof v === 'object') {
    for (const k in v) {
      if (FORBIDDEN.has(k)) return `/${k}`;
      const found = forbiddenKey((v as Record<string, unknown>)[k]);
      if (found !== undefined) return `/${k}${found}`;
    }
  }
  return undefined;
}

/** The body checked against a schema of the OpenAPI document; `null` schema: no body allowed. */
export function body<T>(req: Request, schema: string | null): T {
  const raw: unknown = req.body;
  const empty = raw === undefined || (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.keys(raw).length === 0);
  // express.json() parsed every JSON body; a body it left alone is of another type.
  const sent = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (sent && raw === undefined) {
    throw new HttpProblem(415, 'unsupported_media_type', 'send the body as application/json');
  }
  if (schema === null) {
    if (!empty) throw new HttpProblem(422, 'invalid_request', 'this request takes no body');
    return {} as T;
  }
  const data = raw ?? {};
  const bad = forbiddenKey(data);
  if (bad) throw new HttpProblem(400, 'forbidden_key', `the key at ${bad} is not allowed`);
  const validate = validator(schema);
  if (!validate(data)) throw new HttpProblem(422, 'invalid_request', describe(validate.errors ?? []), { errors: (validate.errors ?? []).map(simplify) });
  return data as T;
}

function simplify(e: ErrorObject) {
  return { path: e.instancePath || '/', message: e.message ?? 'invalid', ...(e.keyword === 'additionalProperties' ? { field: (e.params as { additionalProperty: string }).additionalProperty } : {}) };
}

function describe(errors: ErrorObject[]): string {
  const extra = errors.find((e) => e.keyword === 'additionalProperties');
  if (extra) return `unknown field '${(extra.params as { additionalProperty: string }).additionalProperty}' at ${extra.instancePath || '/'}`;
  const first = errors.find((e) => e.keyword !== 'oneOf') ?? errors[0];
  return first ? `${first.instancePath || 'the body'} ${first.message}` : 'invalid body';
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
