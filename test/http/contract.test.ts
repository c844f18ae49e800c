// The OpenAPI document as a contract: operation ids, every problem code with its status,
// the statuses and codes of each route (client.ts checks every response of every HTTP test
// against them), problem types that resolve, 405s, the 401 challenge and replay headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/http/openapi.ts';
import { PROBLEM_CODES, PROBLEM_TYPES } from '../../src/http/problem-types.ts';
import { storeKinds } from '../ledger/harness.ts';
import { expectDocumented, startApi, type TestApi } from './client.ts';

interface Response { headers?: Record<string, { $ref: string }>; content?: Record<string, { schema: { allOf?: [object, { properties: { status: { const: number }; code: { enum: string[] } } }] } }> }
interface Operation { operationId?: string; security?: object[]; parameters?: { $ref?: string }[]; responses: Record<string, Response> }

const operations = Object.entries(openApiDocument.paths).flatMap(([path, ops]) =>
  Object.entries(ops as Record<string, Operation>).map(([method, op]) => ({ path, method, op, name: `${method.toUpperCase()} ${path}` })));
const problemsOf = (r: Response) => r.content?.['application/problem+json']?.schema.allOf?.[1].properties;

describe('the OpenAPI document', () => {
  it('names every operation with a unique camelCase verb phrase', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.filter((id) => !/^(get|list|create|capture|release|refund|claim|settle|change|revoke|delete)[A-Z][A-Za-z]*$/.test(id ?? '')), 'not a camelCase verb phrase').toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists every problem code the server has, each with its one status', () => {
    const errorCode = openApiDocument.components.schemas.ErrorCode;
    expect(errorCode.enum).toEqual(PROBLEM_CODES);
    expect(errorCode['x-status']).toEqual(Object.fromEntries(PROBLEM_CODES.map((c) => [c, PROBLEM_TYPES[c].status])));
    for (const c of PROBLEM_CODES) expect(errorCode.description).toContain(`| ${c} | ${PROBLEM_TYPES[c].status} |`);
  });

  it('files each code a route lists under that code\'s status', () => {
    for (const { name, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const p = problemsOf(response);
        if (!p) continue;
        expect(p.status.const, `${name} ${status}`).toBe(Number(status));
        for (const code of p.code.enum) expect(PROBLEM_TYPES[code as keyof typeof PROBLEM_TYPES].status, `${name}: ${code}`).toBe(Number(status));
      }
    }
  });

  it('documents the 401 and its challenge on every /v1 route, a 500 everywhere, and the replay header on every idempotent success', () => {
    for (const { path, name, op } of operations) {
      expect(problemsOf(op.responses['500']!)?.code.enum, name).toEqual(['internal']);
      if (path.startsWith('/v1/')) {
        expect(problemsOf(op.responses['401']!)?.code.enum, name).toEqual(['unauthorized']);
        expect(op.responses['401']!.headers?.['WWW-Authenticate'], name).toBeDefined();
      }
      if (op.parameters?.some((p) => p.$ref === '#/components/parameters/IdempotencyKey')) {
        const success = Object.entries(op.responses).find(([s]) => s.startsWith('2'))![1];
        expect(success.headers?.['Idempotent-Replayed'], name).toBeDefined();
      }
    }
  });

  it('documents 410 quote_expired and 402 insufficient_credits on POST /v1/charges', () => {
    const charge = openApiDocument.paths['/v1/charges'].post.responses as Record<string, Response>;
    expect(problemsOf(charge['410']!)?.code.enum).toEqual(['quote_expired']);
    expect(problemsOf(charge['402']!)?.code.enum).toEqual(['insufficient_credits']);
  });

  it('documents the operations endpoints and the problem pages without an API key', () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/problems/{code}']) {
      const op = (openApiDocument.paths as Record<string, { get?: Operation }>)[path]?.get;
      expect(op?.operationId, path).toBeDefined();
      expect(op!.security!.length === 0 || op!.security!.some((s) => Object.keys(s).length === 0), `${path} needs no key`).toBe(true);
    }
    expect(problemsOf((openApiDocument.paths['/readyz'].get.responses as Record<string, Response>)['503']!)?.code.enum).toEqual(['not_ready']);
  });

  it('makes the response check fail on a status, a code or a header the route does not document', () => {
    const problem = (status: number, code: string) => ({ type: `/problems/${code}`, title: 'x', status, code, detail: 'x' });
    const ct = 'application/problem+json';
    expect(() => expectDocumented('GET', '/v1/packs', 409, ct, problem(409, 'account_exists'))).toThrow(/documents status 409/);
    expect(() => expectDocumented('POST', '/v1/quotes', 404, ct, problem(404, 'charge_not_found'))).toThrow(/code not listed/);
    expect(() => expectDocumented('POST', '/v1/quotes', 404, ct, problem(404, 'no_such_code'))).toThrow(/code not listed/);
    expect(() => expectDocumented('GET', '/v1/packs', 401, ct, problem(401, 'unauthorized'))).toThrow(/WWW-Authenticate/);
    expect(() => expectDocumented('GET', '/v1/packs', 401, ct, problem(403, 'unauthorized'), new Headers({ 'WWW-Authenticate': 'Bearer' }))).toThrow(/repeats its status/);
    expect(() => expectDocumented('DELETE', '/v1/quotes', 404, ct, problem(404, 'not_found'))).toThrow(/405/);
    expectDocumented('GET', '/v1/packs', 401, ct, problem(401, 'unauthorized'), new Headers({ 'WWW-Authenticate': 'Bearer realm="credits"' }));
  });
});

describe.each(storeKinds)('the API keeps its contract on $name', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(kind);
    await api.admin.post('/v1/accounts', { id: 'alice', pack: 'modelpix' });
  });
  afterAll(async () => api.close());

  const raw = (path: string, init: RequestInit = {}) => fetch(api.admin.base + path, init);

  it('challenges every 401 with Bearer, and says invalid_token only when a key was sent', async () => {
    const none = await raw('/v1/packs');
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="credits"']);
    for (const authorization of ['Bearer crk_nope', 'Basic YWxpY2U6cHc=', 'Bearer ']) {
      const res = await raw('/v1/packs', { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate'), authorization).toMatch(/^Bearer realm="credits"/);
    }
    expect((await raw('/v1/packs', { headers: { authorization: 'Bearer crk_nope' } })).headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('takes the Authorization scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      expect((await api.admin.request('GET', '/v1/packs', { headers: { authorization: `${scheme} ${api.admin.token}` } })).status, scheme).toBe(200);
    }
  });

  it('answers a known path asked with another method with 405 and the methods it takes', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/v1/quotes', 'POST'], ['GET', '/v1/quotes', 'POST'], ['POST', '/v1/packs', 'GET, HEAD'],
      ['PUT', '/v1/charges/ch_1', 'GET, HEAD'], ['GET', '/v1/charges/ch_1/capture', 'POST'], ['PATCH', '/v1/keys', 'GET, HEAD, POST'],
      ['POST', '/healthz', 'GET, HEAD'], ['DELETE', '/problems/insufficient_credits', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await api.admin.request(method, path);
      expect([res.status, res.body.code, res.headers.get('allow')], `${method} ${path}`).toEqual([405, 'method_not_allowed', allow]);
    }
    // Who may ask comes first: without a key, a /v1 path is a 401 whatever the method.
    expect((await raw('/v1/quotes', { method: 'DELETE' })).status).toBe(401);
    expect((await api.admin.request('DELETE', '/v1/nothing-here')).status).toBe(404);
  });

  it('serves a page for every problem type, without an API key, and a 404 for an unknown one', async () => {
    for (const code of PROBLEM_CODES) {
      const res = await raw(`/problems/${code}`);
      expect(res.status, code).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await res.text();
      expect(page).toContain(`<code>${code}</code>`);
      expect(page).toContain(`HTTP status: ${PROBLEM_TYPES[code].status}`);
    }
    const unknown = await api.admin.request('GET', '/problems/no_such_code');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
    expect((await api.admin.request('GET', '/problems/constructor')).status).toBe(404);
  });

  it("resolves a problem's type to the page of its code", async () => {
    const refused = await api.admin.post('/v1/charges', { account: 'alice', operation: 'generate', input: { tool: 'video_replace_background', seconds: 60 } });
    expect(refused.body.type).toBe('/problems/insufficient_credits');
    const page = await (await raw(new URL(refused.body.type, `${api.admin.base}/v1/charges`).pathname)).text();
    expect(page).toContain('HTTP status: 402 Payment Required');
    expect(page).toContain(PROBLEM_TYPES.insufficient_credits.fix);
  });

  it('marks a response replayed from its Idempotency-Key, and only that', async () => {
    const twice = async (path: string, body?: unknown, idem = `replay-${Math.random()}`) => {
      const first = await api.admin.post(path, body, idem);
      const again = await api.admin.post(path, body, idem);
      expect(first.status, `${path}: ${JSON.stringify(first.body)}`).toBeLessThan(300);
      expect(again.status, path).toBe(first.status);
      expect([first.headers.get('idempotent-replayed'), again.headers.get('idempotent-replayed')], path).toEqual([null, 'true']);
      return first.body;
    };
    await twice('/v1/accounts', { id: 'replayed', pack: 'modelpix' });
    await twice('/v1/accounts/replayed/grants', { kind: 'purchase', amount: '100' });
    const held = await twice('/v1/charges', { account: 'replayed', operation: 'generate', input: { tool: 'face_swap' }, capture: false }, 'replay-charge');
    await twice(`/v1/charges/${held.id}/capture`, {});
    await twice(`/v1/charges/${held.id}/refund`, { outcome: 'failed' });
    const key = await twice('/v1/keys', { scope: 'quote' });
    await twice(`/v1/keys/${key.id}/revoke`);
    // A refusal is not stored, so never replayed; nor is a quote, which takes no key.
    const conflict = await api.admin.post('/v1/charges', { account: 'replayed', operation: 'generate', input: { tool: 'text_to_image' } }, 'replay-charge');
    expect(conflict.body.code).toBe('idempotency_conflict');
    expect(conflict.headers.get('idempotent-replayed')).toBeNull();
    const quote = await api.admin.post('/v1/quotes', { pack: 'modelpix', operation: 'generate', input: { tool: 'face_swap' } });
    expect(quote.headers.get('idempotent-replayed')).toBeNull();
  });
});
