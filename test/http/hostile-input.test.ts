// Hostile input — control characters where ids and text reach the store, bodies nested
// deeper than any request needs — is refused with a 4xx problem before it reaches the
// store or a recursive walk, on both stores, and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH } from '../../src/http/problem-types.ts';
import { storeKinds } from '../ledger/harness.ts';
import { startApi, type Reply, type TestApi } from './client.ts';

/** `n` arrays, one inside the other, around `leaf`. */
const arrays = (n: number, leaf = '1') => '['.repeat(n) + leaf + ']'.repeat(n);
/** `n` objects, one inside the other. */
const objects = (n: number) => '{"a":'.repeat(n - 1) + '{}' + '}'.repeat(n - 1);

describe.each(storeKinds)('hostile input over HTTP on $name', (kind) => {
  let api: TestApi;
  let charge: string; // a held charge of alice's

  beforeAll(async () => {
    // Room for bodies nested a million deep: JSON.parse takes them, nothing after it may recurse into them.
    api = await startApi(kind, undefined, { bodyLimit: '4mb' });
    await api.admin.post('/v1/accounts', { id: 'alice', pack: 'modelpix' });
    charge = (await api.admin.post('/v1/charges', { account: 'alice', operation: 'generate', input: { tool: 'face_swap' }, capture: false })).body.id;
  });
  afterAll(async () => api.close());

  /** Everything a request could change. */
  async function snapshot() {
    const { admin } = api;
    return [
      (await admin.get('/v1/accounts/alice')).body, (await admin.get('/v1/accounts/alice/entries?limit=1000')).body,
      (await admin.get(`/v1/charges/${charge}`)).body, (await admin.get('/v1/keys')).body,
      (await admin.get('/v1/accounts/bob')).status,
    ];
  }

  const post = (path: string, body: unknown) => api.admin.post(path, body);
  const raw = (path: string, text: string) => api.admin.request('POST', path, { raw: text });
  /** A charge whose input `x` is this JSON: the body, its input, then x's own nesting. */
  const charging = (x: string) => `{"account":"alice","operation":"generate","input":{"tool":"face_swap","x":${x}}}`;
  const CONTROL = /without control characters/;

  const cases: { name: string; send: () => Promise<Reply>; status: number; code: string; detail?: RegExp }[] = [
    // Ids and names in the path: PostgreSQL refuses NUL in text (it was a 500).
    ...['', '/entries', '/usage'].map((tail) => ({ name: `a NUL in GET /v1/accounts/{id}${tail}`, send: () => api.admin.get(`/v1/accounts/ali%00ce${tail}`), status: 400, code: 'invalid_path' })),
    ...['grants', 'topups', 'daily-claim', 'membership', 'settle'].map((action) => ({
      name: `a NUL in /v1/accounts/{id}/${action}`,
      send: () => post(`/v1/accounts/alice%00/${action}`, action === 'grants' ? { kind: 'purchase', amount: '5' } : action === 'topups' ? { input: { credits: '5' } } : action === 'membership' ? { action: 'cancel' } : undefined),
      status: 400, code: 'invalid_path',
    })),
    { name: 'a NUL in a charge id', send: () => api.admin.get('/v1/charges/ch_%00'), status: 400, code: 'invalid_path' },
    ...['capture', 'release', 'refund'].map((action) => ({ name: `a NUL in /v1/charges/{id}/${action}`, send: () => post(`/v1/charges/%00${charge}/${action}`, action === 'release' ? undefined : {}), status: 400, code: 'invalid_path' })),
    { name: 'a NUL in a key id', send: () => post('/v1/keys/key_%00/revoke', undefined), status: 400, code: 'invalid_path' },
    { name: 'a C0 control in a pack name', send: () => api.admin.get('/v1/packs/modelpix%01/operations/generate/schema'), status: 400, code: 'invalid_path' },
    { name: 'DEL in an operation name', send: () => api.admin.get('/v1/packs/modelpix/operations/generate%7F/schema'), status: 400, code: 'invalid_path' },
    { name: 'a C1 control (NEL) in an account id', send: () => api.admin.get('/v1/accounts/alice%C2%85'), status: 400, code: 'invalid_path' },
    // Text a body brings to the store, or to a lookup in it.
    { name: 'a NUL in a key label', send: () => post('/v1/keys', { scope: 'quote', label: 'ops\u0000team' }), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'a newline in a key label', send: () => post('/v1/keys', { scope: 'quote', label: 'ops\nteam' }), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'a C1 control in a key label', send: () => post('/v1/keys', { scope: 'quote', label: 'ops\u009bteam' }), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'an unpaired surrogate in a key label', send: () => raw('/v1/keys', '{"scope":"quote","label":"ops\\ud800team"}'), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'a NUL in a key\'s account', send: () => post('/v1/keys', { scope: 'charge', accounts: ['alice\u0000'] }), status: 422, code: 'invalid_request' },
    { name: 'a NUL in a new account id', send: () => post('/v1/accounts', { id: 'bob\u0000', pack: 'modelpix' }), status: 422, code: 'invalid_request' },
    { name: 'a NUL in a plan', send: () => post('/v1/accounts', { id: 'bob', pack: 'pixai', plan: 'pro\u0000' }), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'a NUL in a time zone', send: () => post('/v1/accounts', { id: 'bob', pack: 'modelpix', time_zone: 'UTC\u0000' }), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'a NUL in a charged account', send: () => post('/v1/charges', { account: 'alice\u0000', operation: 'generate', input: { tool: 'face_swap' } }), status: 422, code: 'invalid_request' },
    { name: 'a NUL in a quote id', send: () => post('/v1/charges', { account: 'alice', quote_id: 'q1.\u0000.x' }), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'a NUL in a refund outcome', send: () => post(`/v1/charges/${charge}/refund`, { outcome: 'failed\u0000' }), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'a NUL in a membership plan', send: () => post('/v1/accounts/alice/membership', { action: 'subscribe', plan: '\u0000' }), status: 422, code: 'invalid_request', detail: CONTROL },
    { name: 'a NUL in a grant kind', send: () => post('/v1/accounts/alice/grants', { kind: 'purchase\u0000', amount: '5' }), status: 422, code: 'invalid_request' },
    { name: 'a NUL in a quoted account', send: () => post('/v1/quotes', { pack: 'modelpix', operation: 'generate', input: { tool: 'face_swap' }, account: 'alice\u0000' }), status: 422, code: 'invalid_request' },
    { name: 'a non-ASCII Idempotency-Key', send: () => api.admin.request('POST', '/v1/accounts/alice/settle', { idem: 'cl\u00e9' }), status: 400, code: 'invalid_idempotency_key' },
    // Nesting: refused before ajv, the engine or the ledger's request hash recurse into it.
    { name: `a body nested ${MAX_BODY_DEPTH + 1} deep`, send: () => raw('/v1/charges', charging(arrays(MAX_BODY_DEPTH - 1))), status: 400, code: 'too_deep' },
    { name: 'objects nested 10,000 deep in a quote', send: () => raw('/v1/quotes', `{"pack":"modelpix","operation":"generate","input":${objects(10_000)}}`), status: 400, code: 'too_deep' },
    ...[10_000, 30_000, 1_000_000].map((n) => ({ name: `arrays nested ${n.toLocaleString('en')} deep in a charge`, send: () => raw('/v1/charges', charging(arrays(n))), status: 400, code: 'too_deep' })),
    { name: 'arrays nested 30,000 deep in a top-up', send: () => raw('/v1/accounts/alice/topups', `{"input":{"credits":"5","x":${arrays(30_000)}}}`), status: 400, code: 'too_deep' },
    { name: 'arrays nested 30,000 deep in a capture\'s usage', send: () => raw(`/v1/charges/${charge}/capture`, `{"usage":{"seconds":${arrays(30_000)}}}`), status: 400, code: 'too_deep' },
    { name: 'arrays nested 30,000 deep in a key request', send: () => raw('/v1/keys', `{"scope":"quote","accounts":${arrays(30_000, '"alice"')}}`), status: 400, code: 'too_deep' },
    { name: 'a __proto__ key below the depth limit', send: () => raw('/v1/charges', charging(`[[[{"__proto__":{}}]]]`)), status: 400, code: 'forbidden_key' },
  ];

  it.each(cases)('refuses $name with a 4xx problem and changes nothing', async (c) => {
    const before = await snapshot();
    const res = await c.send();
    expect([res.status, res.body.code], JSON.stringify(res.body).slice(0, 300)).toEqual([c.status, c.code]);
    expect(res.contentType).toContain('application/problem+json');
    if (c.detail) expect(res.body.detail).toMatch(c.detail);
    expect(await snapshot()).toEqual(before);
  });

  it('says which control character it refused in a path, and which field of a body', async () => {
    expect((await api.admin.get('/v1/accounts/ali%00ce')).body.detail).toBe('the id in the path contains the control character U+0000: ids and names never do');
    const label = await post('/v1/keys', { scope: 'quote', label: 'ops\u0000team' });
    expect(label.body.detail).toBe('label must be text without control characters, got "ops\\u0000team"');
  });

  it(`takes a body nested exactly ${MAX_BODY_DEPTH} deep, and labels in any script`, async () => {
    // The limit itself gets through to the rules, which refuse the unknown input.
    const deepest = await raw('/v1/charges', charging(arrays(MAX_BODY_DEPTH - 2)));
    expect([deepest.status, deepest.body.code]).toEqual([422, 'invalid_input']);
    const key = await post('/v1/keys', { scope: 'quote', label: 'ops — team ✓ 日本' });
    expect([key.status, key.body.label]).toEqual([201, 'ops — team ✓ 日本']);
  });

  it('refuses an id with a control character with a 400 whichever key asks, before looking it up', async () => {
    for (const client of [api.admin, await api.keyFor('charge', ['alice']), await api.keyFor('quote')]) {
      for (const path of ['/v1/accounts/%00', `/v1/charges/${charge}%00`]) {
        const res = await client.get(path);
        expect([res.status, res.body.code]).toEqual([400, 'invalid_path']);
      }
    }
  });
});
