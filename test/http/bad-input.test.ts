// Bad requests get a 4xx problem and change nothing; retries are idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKinds } from '../ledger/harness.ts';
import { Client, startApi, type TestApi } from './client.ts';

describe.each(storeKinds)('bad input and idempotency over HTTP on $name', (kind) => {
  let api: TestApi;
  let alice: Client; // a charge key bound to alice only
  let quoter: Client;

  beforeAll(async () => {
    api = await startApi(kind);
    await api.admin.post('/v1/accounts', { id: 'alice', pack: 'modelpix' });
    await api.admin.post('/v1/accounts', { id: 'bob', pack: 'modelpix' });
    alice = await api.keyFor('charge', ['alice']);
    quoter = await api.keyFor('quote');
  });
  afterAll(async () => api.close());

  /** Everything a request could change, for both accounts. */
  async function snapshot() {
    const out = [];
    for (const id of ['alice', 'bob']) {
      out.push((await api.admin.get(`/v1/accounts/${id}`)).body, (await api.admin.get(`/v1/accounts/${id}/entries?limit=1000`)).body);
    }
    return out;
  }

  const charge = { account: 'alice', operation: 'generate', input: { tool: 'face_swap' } };
  const cases: { name: string; send: () => Promise<{ status: number; body: { code: string }; contentType: string }>; status: number; code: string }[] = [
    { name: 'malformed JSON', send: () => api.admin.request('POST', '/v1/charges', { raw: '{"account": "alice",' }), status: 400, code: 'invalid_json' },
    { name: 'an unknown field', send: () => api.admin.post('/v1/charges', { ...charge, discount: 100 }), status: 422, code: 'invalid_request' },
    { name: 'a wrong type', send: () => api.admin.post('/v1/charges', { ...charge, capture: 'yes' }), status: 422, code: 'invalid_request' },
    { name: 'input that is not an object', send: () => api.admin.post('/v1/charges', { ...charge, input: ['face_swap'] }), status: 422, code: 'invalid_request' },
    { name: 'an unknown rule input', send: () => api.admin.post('/v1/charges', { ...charge, input: { tool: 'face_swap', free: true } }), status: 422, code: 'invalid_input' },
    { name: 'a rule input of the wrong type', send: () => api.admin.post('/v1/charges', { ...charge, input: { tool: 7 } }), status: 422, code: 'invalid_input' },
    { name: 'a negative amount', send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: '-5' }), status: 422, code: 'invalid_request' },
    { name: 'an amount in exponent notation', send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: '1e3' }), status: 422, code: 'invalid_request' },
    { name: 'an amount as a JSON number', send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: 0.1 }), status: 422, code: 'invalid_request' },
    { name: 'more decimals than the pack keeps', send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: '1.5' }), status: 422, code: 'invalid_amount' },
    { name: 'a zero grant', send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: '0' }), status: 422, code: 'invalid_amount' },
    { name: 'an unknown grant kind', send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'gift', amount: '5' }), status: 422, code: 'unknown_grant_kind' },
    { name: 'a negative top-up', send: () => api.admin.post('/v1/accounts/alice/topups', { input: { credits: '-100' } }), status: 422, code: 'invalid_amount' },
    { name: 'a __proto__ key', send: () => api.admin.request('POST', '/v1/charges', { raw: '{"account":"alice","operation":"generate","input":{"tool":"face_swap","__proto__":{"admin":true}}}' }), status: 400, code: 'forbidden_key' },
    { name: 'a constructor key', send: () => api.admin.post('/v1/accounts/alice/topups', { input: { constructor: { prototype: 1 } } }), status: 400, code: 'forbidden_key' },
    { name: 'an oversized body', send: () => api.admin.post('/v1/charges', { ...charge, input: { tool: 'face_swap', pad: 'x'.repeat(100_000) } }), status: 413, code: 'body_too_large' },
    { name: 'a body that is not JSON', send: () => api.admin.request('POST', '/v1/charges', { raw: 'account=alice', headers: { 'content-type': 'text/plain' } }), status: 415, code: 'unsupported_media_type' },
    { name: 'no Idempotency-Key', send: () => api.admin.post('/v1/charges', charge, false), status: 400, code: 'idempotency_key_required' },
    { name: 'no API key', send: () => new Client(api.admin.base, '').post('/v1/charges', charge), status: 401, code: 'unauthorized' },
    { name: 'an unknown API key', send: () => api.admin.as('crk_nope').post('/v1/charges', charge), status: 401, code: 'unauthorized' },
    { name: "charging someone else's account", send: () => alice.post('/v1/charges', { ...charge, account: 'bob' }), status: 403, code: 'forbidden_account' },
    { name: "reading someone else's account", send: () => alice.get('/v1/accounts/bob'), status: 403, code: 'forbidden_account' },
    { name: 'a quote key charging', send: () => quoter.post('/v1/charges', charge), status: 403, code: 'forbidden' },
    { name: 'a charge key granting credits', send: () => alice.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: '5' }), status: 403, code: 'forbidden' },
    { name: 'an unknown account', send: () => api.admin.post('/v1/charges', { ...charge, account: 'carol' }), status: 404, code: 'account_not_found' },
    { name: 'an operation that is not chargeable', send: () => api.admin.post('/v1/charges', { ...charge, operation: 'refund', input: { outcome: 'failed', charged: 5 } }), status: 422, code: 'not_chargeable' },
    { name: 'a forged quote id', send: () => api.admin.post('/v1/charges', { account: 'alice', quote_id: 'q1.eyJwYWNrIjoibW9kZWxwaXgifQ.forged' }), status: 422, code: 'quote_invalid' },
    { name: 'a bad entries page size', send: () => api.admin.get('/v1/accounts/alice/entries?limit=-1'), status: 422, code: 'invalid_request' },
  ];

  it.each(cases)('refuses $name with a problem and changes nothing', async (c) => {
    const before = await snapshot();
    const res = await c.send();
    expect(res.status).toBe(c.status);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.code).toBe(c.code);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a capture of someone else's charge and leaves the hold as it was", async () => {
    const hold = await api.admin.post('/v1/charges', { account: 'bob', operation: 'generate', input: { tool: 'face_swap' }, capture: false });
    const before = await snapshot();
    const res = await alice.post(`/v1/charges/${hold.body.id}/capture`, {});
    expect(res.status).toBe(403);
    expect(await snapshot()).toEqual(before);
    expect((await api.admin.post(`/v1/charges/${hold.body.id}/release`)).body.status).toBe('released');
  });

  it('replays a retried charge and refuses the same key with other parameters', async () => {
    const idem = 'retry-me-1';
    const first = await alice.post('/v1/charges', charge, idem);
    expect(first.status).toBe(201);
    const balance = (await alice.get('/v1/accounts/alice')).body.balance;
    const again = await alice.post('/v1/charges', charge, idem);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await alice.get('/v1/accounts/alice')).body.balance).toBe(balance);
    const before = await snapshot();
    const other = await alice.post('/v1/charges', { ...charge, input: { tool: 'text_to_image' } }, idem);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_conflict');
    expect(await snapshot()).toEqual(before);
    // Keys belong to the API key that used them: the admin's 'retry-me-1' is another request.
    const admins = await api.admin.post('/v1/charges', { ...charge, input: { tool: 'text_to_image' } }, idem);
    expect(admins.status).toBe(201);
    expect(admins.body.id).not.toBe(first.body.id);
  });

  it('serves its OpenAPI document, its health and the packs', async () => {
    const doc = await fetch(`${api.admin.base}/openapi.json`).then((r) => r.json());
    expect(doc.openapi).toBe('3.1.0');
    expect((await fetch(`${api.admin.base}/healthz`).then((r) => r.json())).status).toBe('ok');
    const packs = await quoter.get('/v1/packs');
    expect(packs.body.packs.map((p: { name: string }) => p.name)).toEqual(['modelpix', 'picsart', 'pixai', 'pixelflow']);
    const schema = await quoter.get('/v1/packs/modelpix/operations/generate/schema');
    expect(schema.status).toBe(200);
    expect(schema.body.properties.tool.enum).toContain('face_swap');
    expect((await quoter.get('/v1/packs/modelpix/operations/nope/schema')).status).toBe(404);
  });
});
