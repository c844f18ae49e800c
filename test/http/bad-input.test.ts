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
    // Amounts past the shared maximum (10^15 minor units), which SQLite's 64-bit integers would have refused with a 500.
    { name: 'a grant past the largest amount', send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: '9223372036854775808' }), status: 422, code: 'invalid_amount' },
    { name: 'a top-up past the largest amount', send: () => api.admin.post('/v1/accounts/alice/topups', { input: { credits: '99999999999999999999' } }), status: 422, code: 'invalid_amount' },
    { name: 'an overdraft limit past the largest amount', send: () => api.admin.post('/v1/accounts', { id: 'huge', pack: 'pixelflow', billing: 'postpaid', overdraft_limit: '9999999999999' }), status: 422, code: 'invalid_amount' },
    // Errors Express and body-parser raise before a route runs are 4xx problems, not 500s.
    { name: 'a path that is not valid percent-encoding', send: () => api.admin.get('/v1/charges/%E0%A4%A'), status: 400, code: 'invalid_path' },
    { name: 'a gzip body that is not gzip', send: () => api.admin.request('POST', '/v1/charges', { raw: JSON.stringify(charge), headers: { 'content-encoding': 'gzip' } }), status: 400, code: 'invalid_body' },
    { name: 'a body in an encoding the server does not take', send: () => api.admin.request('POST', '/v1/charges', { raw: JSON.stringify(charge), headers: { 'content-encoding': 'br2' } }), status: 415, code: 'unsupported_media_type' },
    // Amounts inside an event's input are read as strictly as the API's amounts.
    { name: 'a top-up with leading zeros', send: () => api.admin.post('/v1/accounts/alice/topups', { input: { credits: '007' } }), status: 422, code: 'invalid_amount' },
    { name: 'a top-up with no digit before the point', send: () => api.admin.post('/v1/accounts/alice/topups', { input: { credits: '.5' } }), status: 422, code: 'invalid_amount' },
    { name: 'a top-up of nothing', send: () => api.admin.post('/v1/accounts/alice/topups', { input: { credits: '0' } }), status: 422, code: 'invalid_amount' },
    { name: 'a bad entries page size', send: () => api.admin.get('/v1/accounts/alice/entries?limit=-1'), status: 422, code: 'invalid_request' },
  ];

  it.each(cases)('refuses $name with a problem and changes nothing', async (c) => {
    const before = await snapshot();
    const res = await c.send();
    expect(res.status).toBe(c.status);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.code).toBe(c.code);
    // Problems speak words: no JSON Schema pattern or ajv phrasing leaks into the detail.
    expect((res.body as { detail?: string }).detail ?? '').not.toMatch(/must match pattern|\^\(|\$"|must NOT have/);
    expect(await snapshot()).toEqual(before);
  });

  const invalid: { name: string; send: () => Promise<{ status: number; body: any }>; detail: string; errors: object[] }[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    {
      name: 'a negative amount',
      send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: '-5' }),
      detail: 'amount must be a non-negative decimal string such as "12.5", got "-5"',
      errors: [{ path: '/amount', keyword: 'pattern', message: 'amount must be a non-negative decimal string such as "12.5", got "-5"' }],
    },
    {
      name: 'an amount as a JSON number',
      send: () => api.admin.post('/v1/accounts/alice/grants', { kind: 'purchase', amount: 0.1 }),
      detail: 'amount must be a non-negative decimal string such as "12.5", got 0.1',
      errors: [{ path: '/amount', keyword: 'type', message: 'amount must be a non-negative decimal string such as "12.5", got 0.1' }],
    },
    {
      name: 'a malformed capture amount',
      send: () => api.admin.post('/v1/charges/ch_none/capture', { amount: '12,5' }),
      detail: 'amount must be a non-negative decimal string such as "12.5", got "12,5"',
      errors: [{ path: '/amount', keyword: 'pattern', message: 'amount must be a non-negative decimal string such as "12.5", got "12,5"' }],
    },
    {
      name: 'an unknown field',
      send: () => api.admin.post('/v1/charges', { ...charge, discount: 100 }),
      detail: "unknown field 'discount'",
      errors: [{ path: '/', keyword: 'additionalProperties', message: "unknown field 'discount'", field: 'discount' }],
    },
    {
      name: 'a wrong type in a charge by quote id (the shape meant, not the other)',
      send: () => api.admin.post('/v1/charges', { account: 'alice', quote_id: 'q', capture: 'yes' }),
      detail: 'capture must be true or false, got "yes"',
      errors: [{ path: '/capture', keyword: 'type', message: 'capture must be true or false, got "yes"' }],
    },
    {
      name: 'a bad account id in a key',
      send: () => api.admin.post('/v1/keys', { scope: 'charge', accounts: ['alice', 'bob smith'] }),
      detail: 'accounts[1] must be an account id of 1–64 letters, digits, _ or -, got "bob smith"',
      errors: [{ path: '/accounts/1', keyword: 'pattern', message: 'accounts[1] must be an account id of 1–64 letters, digits, _ or -, got "bob smith"' }],
    },
    {
      name: 'a missing field and an unknown value',
      send: () => api.admin.post('/v1/accounts', { billing: 'credit' }),
      detail: `missing the field 'pack'; billing must be one of "prepaid", "postpaid", got "credit"`,
      errors: [
        { path: '/', keyword: 'required', message: "missing the field 'pack'", field: 'pack' },
        { path: '/billing', keyword: 'enum', message: 'billing must be one of "prepaid", "postpaid", got "credit"' },
      ],
    },
  ];

  it.each(invalid)('names the field and what it must be in words for $name, with the errors for machines', async (c) => {
    const before = await snapshot();
    const res = await c.send();
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'invalid_request', detail: c.detail });
    expect(res.body.errors).toEqual(c.errors);
    expect(await snapshot()).toEqual(before);
  });

  it('gives no quote id, and no expiry, to a quote of an operation that is not chargeable', async () => {
    const q = await quoter.post('/v1/quotes', { pack: 'pixai', operation: 'membership', input: { tier: 'pro' } });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ quote_id: null, expires_at: null, amount: null });
    expect(q.body.outputs.monthly_credits).toBeDefined();
    const chargeable = await quoter.post('/v1/quotes', { pack: 'modelpix', operation: 'generate', input: { tool: 'face_swap' } });
    expect(chargeable.body).toMatchObject({ amount: '3', quote_id: expect.any(String), expires_at: expect.any(String) });
  });

  it('says a replayed key creation has no secret, rather than leaving it out', async () => {
    const idem = 'key-once-1';
    const first = await api.admin.post('/v1/keys', { scope: 'quote', label: 'replayed' }, idem);
    expect(first.status).toBe(201);
    expect(first.body.key).toMatch(/^crk_/);
    expect(first.body).not.toHaveProperty('note');
    const replay = await api.admin.post('/v1/keys', { scope: 'quote', label: 'replayed' }, idem);
    expect(replay.status).toBe(201);
    const { key: _secret, ...rest } = first.body;
    expect(replay.body).toEqual({ ...rest, key: null, note: expect.stringContaining('shown only in the first response') });
    expect((await api.admin.get('/v1/keys')).body.keys.filter((k: { label: string | null }) => k.label === 'replayed')).toHaveLength(1);
    expect((await api.admin.as(first.body.key).get('/v1/packs')).status).toBe(200);
  });

  it("answers for someone else's charge exactly as for a missing one, and leaves the hold as it was", async () => {
    const hold = await api.admin.post('/v1/charges', { account: 'bob', operation: 'generate', input: { tool: 'face_swap' }, capture: false });
    const before = await snapshot();
    const answers = async (id: string) => {
      const replies = [
        await alice.post(`/v1/charges/${id}/capture`, {}), await alice.get(`/v1/charges/${id}`),
        await quoter.get(`/v1/charges/${id}`), await quoter.post(`/v1/charges/${id}/release`),
      ];
      return replies.map((r) => ({ status: r.status, code: r.body.code, detail: r.body.detail.replace(id, '<id>') }));
    };
    const others = await answers(hold.body.id);
    expect(others).toEqual(await answers('ch_000000000000ffffffffffffffff'));
    expect(others.map((a) => `${a.status} ${a.code}`)).toEqual(['404 charge_not_found', '404 charge_not_found', '403 forbidden', '403 forbidden']);
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
