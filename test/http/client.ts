// An in-process API over a fresh store, and a client whose every response is checked
// against the OpenAPI document.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import pino from 'pino';
import { expect } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { newApiKey } from '../../src/http/auth.ts';
import { openApiDocument } from '../../src/http/openapi.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import type { KeyScope } from '../../src/ledger/records.ts';
import { Clock, key, packs, rules, type StoreKind } from '../ledger/harness.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv, ['date-time']);
ajv.addSchema({ $id: 'openapi', components: openApiDocument.components });

const routes = Object.entries(openApiDocument.paths).map(([template, ops]) => ({
  template, ops: ops as Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

const validators = new Map<object, ValidateFunction>();
function validatorFor(schema: { $ref?: string }): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    v = schema.$ref ? ajv.getSchema(`openapi${schema.$ref}`)! : ajv.compile(schema);
    validators.set(schema, v);
  }
  return v;
}

/** Fails the test when a response is not one the OpenAPI document describes. */
export function expectDocumented(method: string, path: string, status: number, contentType: string, body: unknown): void {
  const route = routes.find((r) => r.pattern.test(path.split('?')[0]!));
  if (!route) return expect(status, `undocumented path ${path}`).toBe(404);
  const op = route.ops[method.toLowerCase()];
  expect(op, `${method} ${route.template} is documented`).toBeDefined();
  const response = op!.responses[String(status)];
  expect(response, `${method} ${route.template} documents status ${status}`).toBeDefined();
  const media = contentType.split(';')[0]!;
  const schema = response!.content?.[media]?.schema;
  expect(schema, `${method} ${route.template} ${status} documents ${media}`).toBeDefined();
  const validate = validatorFor(schema as { $ref?: string });
  const ok = validate(body);
  expect(ok, `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`).toBe(true);
}

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  contentType: string;
}

export class Client {
  constructor(readonly base: string, readonly token: string) {}

  as(token: string): Client {
    return new Client(this.base, token);
  }

  async request(method: string, path: string, opts: { body?: unknown; raw?: string; idem?: string | false; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...opts.headers };
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
    if (method === 'POST' && opts.idem !== false && path !== '/v1/quotes') headers['idempotency-key'] = opts.idem ?? key();
    const res = await fetch(this.base + path, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const body = text ? JSON.parse(text) : undefined;
    expectDocumented(method, path, res.status, contentType, body);
    return { status: res.status, body, contentType };
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
  keyFor(scope: KeyScope, accounts?: string[]): Promise<Client>;
  close(): Promise<void>;
}

export async function startApi(kind: StoreKind, clock = new Clock(Date.parse('2026-03-10T12:00:00Z'))): Promise<TestApi> {
  const { store, dispose } = await kind.open();
  const ledger = await Ledger.open(store, packs(), { clock: clock.now });
  const app = createApp({ ledger, engine: rules(), log: pino({ level: 'silent' }) });
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
    admin, ledger, clock, keyFor,
    close: async () => {
      await new Promise((r) => server.close(r));
      await dispose();
    },
  };
}
