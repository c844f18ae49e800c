// Any checked pack quotes over HTTP, with or without a ledger.yaml, and an unknown pack is
// unknown_pack on every route.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { storeKinds } from '../ledger/harness.ts';
import { startApi, type Client, type TestApi } from './client.ts';

// The README's tour pack: no ledger.yaml.
const PACK = `pack: mypack
unit: credits
versions:
  - version: "1"
    effective: 2026-01-01T00:00:00Z
`;
const UPSCALE = `operations:
  upscale:
    inputs:
      megapixels: { type: number, min: 0.1, max: 64 }
      factor: { type: integer, enum: [2, 4], default: 2 }
      tier: { type: string, enum: [free, pro], default: free }
    cells:
      per_megapixel: IF(factor == 4, 30, 12)
      discount: IF(tier == 'pro', 25%, 0)
      cost: CEIL(megapixels * per_megapixel * (1 - discount))
    constraints:
      - require: tier == 'pro' or factor == 2
        message: 4× upscaling is for pro accounts
    outputs: [cost]
`;

describe.each(storeKinds)('quotes without a ledger on $name', (kind) => {
  let dir: string;
  let api: TestApi;
  let admin: Client;
  let quoter: Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'noledger-'));
    mkdirSync(join(dir, 'mypack'));
    writeFileSync(join(dir, 'mypack', 'pack.yaml'), PACK);
    writeFileSync(join(dir, 'mypack', 'upscale.yaml'), UPSCALE);
    api = await startApi(kind, undefined, { engine: Engine.load([join(dir, 'mypack'), 'rules/modelpix']) });
    admin = api.admin;
    quoter = await api.keyFor('quote');
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the pack without a ledger, with nothing chargeable', async () => {
    const packs = await quoter.get('/v1/packs');
    expect(packs.body.packs.find((p: { name: string }) => p.name === 'mypack')).toMatchObject({ chargeable: [], grant_kinds: [] });
  });

  it('quotes a pack without ledger.yaml, with an explanation and nothing to charge', async () => {
    const q = await quoter.post('/v1/quotes', { pack: 'mypack', operation: 'upscale', input: { megapixels: 2.5, factor: 4, tier: 'pro' }, explain: true });
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    expect(q.body).toMatchObject({ pack: 'mypack', version: '1', outputs: { cost: '57' }, amount: null, quote_id: null, account: null, rejections: [] });
    expect(q.body.trace.find((t: { name: string }) => t.name === 'discount')).toMatchObject({ value: '0.25' });
    const refused = await quoter.post('/v1/quotes', { pack: 'mypack', operation: 'upscale', input: { megapixels: 2, factor: 4 } });
    expect(refused.body.rejections).toEqual([{ message: '4× upscaling is for pro accounts' }]);
  });

  it('quotes a pack with ledger.yaml without an account, with an amount to charge', async () => {
    const q = await quoter.post('/v1/quotes', { pack: 'modelpix', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 } });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ amount: '42', account: null });
    expect(q.body.quote_id).toEqual(expect.any(String));
  });

  it('answers unknown_pack for an unknown pack on every route', async () => {
    const quote = await quoter.post('/v1/quotes', { pack: 'nopack', operation: 'upscale', input: {} });
    const schema = await quoter.get('/v1/packs/nopack/operations/upscale/schema');
    const account = await admin.post('/v1/accounts', { pack: 'nopack' });
    const list = await admin.get('/v1/accounts?pack=nopack');
    for (const r of [quote, schema, account, list]) expect([r.status, r.body.code]).toEqual([404, 'unknown_pack']);
  });

  it('refuses accounts on a pack without a ledger, naming why', async () => {
    const account = await admin.post('/v1/accounts', { pack: 'mypack' });
    expect([account.status, account.body.code]).toEqual([422, 'not_supported']);
    expect(account.body.detail).toContain('no ledger.yaml');
    const quote = await admin.post('/v1/quotes', { pack: 'mypack', operation: 'upscale', input: { megapixels: 1 }, account: 'someone' });
    expect([quote.status, quote.body.code]).toEqual([422, 'not_supported']);
  });
});
