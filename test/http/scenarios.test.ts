// The seed documents' scenarios, end to end over HTTP, on both stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeKinds } from '../ledger/harness.ts';
import { startApi, type TestApi } from './client.ts';

describe.each(storeKinds)('seed scenarios over HTTP on $name', (kind) => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startApi(kind);
  });
  afterEach(async () => api.close());

  it('a PixAI hobbyist tops up $30 and receives the 620,000 bonus', async () => {
    const { admin } = api;
    expect((await admin.post('/v1/accounts', { id: 'hobby', pack: 'pixai', plan: 'hobbyist' })).status).toBe(201);
    const t = await admin.post('/v1/accounts/hobby/topups', { input: { usd: 30, credits: '300000' } });
    expect(t.status).toBe(201);
    expect(t.body.grants.map((g: { kind: string; amount: string }) => [g.kind, g.amount])).toEqual([['purchase', '300000'], ['bonus', '620000']]);
    const a = await admin.get('/v1/accounts/hobby');
    expect(a.body.balances.map((b: { kind: string; remaining: string }) => [b.kind, b.remaining]))
      .toEqual([['subscription', '1000000'], ['bonus', '620000'], ['purchase', '300000']]);
  });

  it('a ModelPix video fails and is refunded in full to the grants it came from', async () => {
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'mp', pack: 'modelpix' });
    await admin.post('/v1/accounts/mp/topups', { input: { credits: '200' } });
    const c = await admin.post('/v1/charges', { account: 'mp', operation: 'generate', input: { tool: 'video_replace_background', seconds: 4 } });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ status: 'captured', captured: '92' });
    expect(c.body.draws.map((d: { kind: string; amount: string }) => [d.kind, d.amount])).toEqual([['signup', '50'], ['purchase', '42']]);
    const r = await admin.post(`/v1/charges/${c.body.id}/refund`, { outcome: 'failed' });
    expect(r.status).toBe(200);
    expect(r.body.refunded).toBe('92');
    expect(r.body.charge.draws.map((d: { kind: string; refunded: string }) => [d.kind, d.refunded])).toEqual([['signup', '50'], ['purchase', '42']]);
    const a = await admin.get('/v1/accounts/mp');
    expect(a.body.balances.map((b: { kind: string; remaining: string }) => [b.kind, b.remaining])).toEqual([['signup', '50'], ['purchase', '200']]);
  });

  it("a Picsart Pro account's 400 unused credits are gone at renewal", async () => {
    const { admin, clock } = api;
    await admin.post('/v1/accounts', { id: 'pro', pack: 'picsart', plan: 'pro' });
    // 600 credits of premium images: 50 prompts of imagen-4-ultra at 12 each
    for (let i = 0; i < 50; i++) {
      const c = await admin.post('/v1/charges', { account: 'pro', operation: 'generate_image', input: { model: 'imagen-4-ultra', count: 1 } });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
    }
    expect((await admin.get('/v1/accounts/pro')).body.balance).toBe('400');
    clock.set('2026-04-10T12:00:00Z');
    const renewed = await admin.get('/v1/accounts/pro');
    expect(renewed.body.balance).toBe('1000');
    expect(renewed.body.subscription).toMatchObject({ period: 2, plan: 'pro' });
  });

  it('a PixelFlow prepaid account is refused "out of credits" while a postpaid one is charged', async () => {
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'pre', pack: 'pixelflow' });
    await admin.post('/v1/accounts', { id: 'post', pack: 'pixelflow', billing: 'postpaid' });
    const run = { operation: 'run_model', input: { model: 'flux-schnell', gpu_seconds: 3.2 } };
    const refused = await admin.post('/v1/charges', { account: 'pre', ...run });
    expect(refused.status).toBe(402);
    expect(refused.contentType).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'insufficient_credits', detail: expect.stringContaining('out of credits') });
    const charged = await admin.post('/v1/charges', { account: 'post', ...run });
    expect(charged.status).toBe(201);
    expect(charged.body.captured).toBe('0.00368');
    expect((await admin.get('/v1/accounts/post')).body).toMatchObject({ balance: '-0.00368', overdraft_used: '0.00368' });
    const usage = await admin.get('/v1/accounts/post/usage');
    expect(usage.body).toMatchObject({ requests_today: 1, requests_total: 1, spend_total: '0.00368' });
  });

  it('a per-second job holds an estimate and captures the actual seconds', async () => {
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'vid', pack: 'modelpix' });
    const q = await admin.post('/v1/quotes', { pack: 'modelpix', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 }, account: 'vid', explain: true });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ amount: '42', outputs: { cost: '42' }, version: '2026.1' });
    expect(q.body.trace.find((t: { name: string }) => t.name === 'cost')).toMatchObject({ value: '42' });
    const hold = await admin.post('/v1/charges', { account: 'vid', quote_id: q.body.quote_id, capture: false });
    expect(hold.body).toMatchObject({ status: 'held', held: '42' });
    expect((await admin.get('/v1/accounts/vid')).body.balance).toBe('8');
    const cap = await admin.post(`/v1/charges/${hold.body.id}/capture`, { usage: { seconds: 4.5 } });
    expect(cap.status).toBe(200);
    expect(cap.body).toMatchObject({ status: 'captured', held: '35', captured: '35' });
    expect((await admin.get('/v1/accounts/vid')).body.balance).toBe('15');
    const log = await admin.get('/v1/accounts/vid/entries?limit=2');
    expect(log.body.entries.map((e: { kind: string }) => e.kind)).toEqual(['grant', 'hold']);
    const rest = await admin.get(`/v1/accounts/vid/entries?after=${log.body.next_after}`);
    expect(rest.body.entries.map((e: { kind: string; amount: string }) => [e.kind, e.amount])).toEqual([['capture_return', '7'], ['capture', '0']]);
    expect(rest.body.next_after).toBeNull();
  });
});
