// An in-process API over a fresh store, and a client whose every response is checked
// against the OpenAPI document.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import pino from 'pino';
import { expect } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import { createApp } from '../../src/http/app.ts';
import { newApiKey } from '../../src/http/auth.ts';
import { openApiDocument } from '../../src/http/openapi.ts';
import type { ChargeHistory } from '../../src/impact/ledger-history.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { withLedgerPolicies } from '../../src/ledger/pack-policies.ts';
import type { KeyScope } from '../../src/ledger/records.ts';
import { Clock, key, packs, rules, type StoreKind } from '../ledger/harness.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv, ['date-time']);
ajv.addSchema({ $id: 'openapi', components: openApiDocument.components });

interface DocumentedResponse {
  content?: Record<string, { schema: object }>;
  headers?: Record<string, { $ref: string }>;
}
const routes = Object.entries(openApiDocument.paths).map(([template, ops]) => ({
  template, ops: ops as Record<string, { responses: Record<string, DocumentedResponse> }>,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

const validators = new Map<object, ValidateFunction>();
function validatorFor(schema: object): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    // A schema inline in a path refers to components of the document, added as 'openapi'.
    v = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')));
    validators.set(schema, v);
  }
  return v;
}

const headerComponents = openApiDocument.components.headers as Record<string, { required?: boolean }>;

/**
 * Fails the test when a response is not one the OpenAPI document describes: the status must be
 * listed on that operation (no `default`), a problem's code must be one listed for that status,
 * and the headers the document requires must be there. A documented path asked with another
 * method must be a 405 naming the documented methods.
 */
export function expectDocumented(method: string, path: string, status: number, contentType: string, body: unknown, headers: Headers = new Headers()): void {
  const route = routes.find((r) => r.pattern.test(path.split('?')[0]!));
  if (!route) return expect(status, `undocumented path ${path}`).toBe(404);
  // Express answers HEAD with the GET route, without the body.
  const op = route.ops[method === 'HEAD' ? 'get' : method.toLowerCase()];
  if (!op) {
    expect(status, `${method} ${route.template} is not documented: a 405`).toBe(405);
    const allowed = Object.keys(route.ops).map((m) => m.toUpperCase());
    expect(headers.get('allow')?.split(', ').filter((m) => m !== 'HEAD').sort(), 'the Allow header lists the documented methods').toEqual(allowed.sort());
    return;
  }
  const response = op.responses[String(status)];
  expect(response, `${method} ${route.template} documents status ${status}: ${JSON.stringify(body)}`).toBeDefined();
  const media = contentType.split(';')[0]!;
  if (media === 'application/problem+json') {
    const p = body as { status: number; code: string; type: string };
    expect([p.status, p.type], 'a problem repeats its status and points at its code').toEqual([status, `/problems/${p.code}`]);
  }
  if (method !== 'HEAD') {
    const schema = response!.content?.[media]?.schema;
    expect(schema, `${method} ${route.template} ${status} documents ${media}`).toBeDefined();
    const validate = validatorFor(schema!);
    const ok = validate(body);
    expect(ok, `${method} ${path} ${status} (a code not listed for this status on this operation?): ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`).toBe(true);
  }
  for (const [name, h] of Object.entries(response!.headers ?? {})) {
    const required = headerComponents[h.$ref.split('/').pop()!]?.required;
    if (required) expect(headers.get(name), `${method} ${route.template} ${status} has the header ${name}`).toBeTruthy();
  }
}

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  contentType: string;
  headers: Headers;
}

export class Client {
  constructor(readonly base: string, readonly token: string) {}

  as(token: string): Client {
    return new Client(this.base, token);
  }

  async request(method: string, path: string, opts: { body?: unknown; raw?: string; idem?: string | false; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...opts.headers };
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
    if (method === 'POST' && opts.idem !== false && path !== '/v1/quotes') headers['idempotency-key'] = opts.idem ?? key();
    const res = await fetch(this.base + path, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const body = text && /\bjson\b/.test(contentType) ? JSON.parse(text) : text || undefined;
    expectDocumented(method, path, res.status, contentType, body, res.headers);
    return { status: res.status, body, contentType, headers: res.headers };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown, idem?: string | false) {
    return this.request('POST', path, { body, idem });
  }
}

export interface TestApi {
  admin: Client;
  ledger: Ledger;
  clock: Clock;
  /** Where the store is: its SQLite file, or its PostgreSQL schema. */
  where: { path?: string; schema?: string };
  keyFor(scope: KeyScope, accounts?: string[]): Promise<Client>;
  close(): Promise<void>;
}

interface ApiOptions {
  bodyLimit?: string;
  /** The packs served (default: rules/), with the ledger policies their ledger.yaml files give. */
  engine?: Engine;
  /** The ledger's recorded charges for impact reports, read from the store just opened; closed with the API. */
  history?: (where: TestApi['where']) => ChargeHistory;
}

export async function startApi(kind: StoreKind, clock = new Clock(Date.parse('2026-03-10T12:00:00Z')), options: ApiOptions = {}): Promise<TestApi> {
  const { store, dispose, path, schema } = await kind.open();
  const where = { path, schema };
  const ledger = await Ledger.open(store, options.engine ? withLedgerPolicies(options.engine) : packs(), { clock: clock.now });
  const history = options.history?.(where);
  const app = createApp({ ledger, engine: options.engine ?? rules(), log: pino({ level: 'silent' }), bodyLimit: options.bodyLimit, history });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keyFor = async (scope: KeyScope, accounts: string[] = []) => {
    const { token, record } = newApiKey(scope, accounts, null, clock.now());
    await store.transaction((tx) => tx.insertApiKey(record));
    return new Client(base, token);
  };
  const admin = await keyFor('admin');
  return {
    admin, ledger, clock, where, keyFor,
    close: async () => {
      await new Promise((r) => server.close(r));
      await history?.close();
      await dispose();
    },
  };
}
