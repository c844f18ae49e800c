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
    // Both hold the $1 signup pre-load; 1,000 seconds of Flux Schnell cost $1.15.
    const run = { operation: 'run_model', input: { model: 'flux-schnell', gpu_seconds: 1000 } };
    const refused = await admin.post('/v1/charges', { account: 'pre', ...run });
    expect(refused.status).toBe(402);
    expect(refused.contentType).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'insufficient_credits', detail: expect.stringContaining('out of credits'), needed: '1.15', available: '1' });
    const charged = await admin.post('/v1/charges', { account: 'post', ...run });
    expect(charged.status).toBe(201);
    expect(charged.body.captured).toBe('1.15');
    expect(charged.body.draws.map((d: { kind: string | null; amount: string }) => [d.kind, d.amount])).toEqual([['signup', '1'], [null, '0.15']]);
    expect((await admin.get('/v1/accounts/post')).body).toMatchObject({ balance: '-0.15', overdraft_used: '0.15' });
    const usage = await admin.get('/v1/accounts/post/usage');
    expect(usage.body).toMatchObject({ requests_today: 1, requests_total: 1, spend_total: '1.15' });
  });

  it('a new PixelFlow free account runs a model on its signup pre-load, without a daily claim', async () => {
    const { admin } = api;
    const created = await admin.post('/v1/accounts', { id: 'newbie', pack: 'pixelflow' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ plan: 'free', billing: 'prepaid', balance: '1', balances: [{ kind: 'signup', remaining: '1' }] });
    const backend = await api.keyFor('charge', ['newbie']);
    const run = await backend.post('/v1/charges', { account: 'newbie', operation: 'run_model', input: { model: 'yamers-realistic-sdxl', gpu_seconds: 12.5 } });
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ status: 'captured', captured: '0.002813', draws: [{ kind: 'signup', amount: '0.002813', expires_at: null }] });
    expect((await backend.get('/v1/accounts/newbie')).body.balance).toBe('0.997187');
    const log = await backend.get('/v1/accounts/newbie/entries');
    expect(log.body.entries.map((e: { kind: string }) => e.kind)).toEqual(['grant', 'hold', 'capture']);
    expect(log.body.entries[0]).toMatchObject({ amount: '1', balance_change: '1', memo: 'signup' });
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
    // held stays what was reserved; captured says what was taken.
    expect(cap.body).toMatchObject({ status: 'captured', held: '42', captured: '35', refunded: '0', refund_status: 'none' });
    expect((await admin.get('/v1/accounts/vid')).body.balance).toBe('15');
    const log = await admin.get('/v1/accounts/vid/entries?limit=2');
    expect(log.body.entries.map((e: { kind: string }) => e.kind)).toEqual(['grant', 'hold']);
    const rest = await admin.get(`/v1/accounts/vid/entries?after=${log.body.next_after}`);
    type Entry = { kind: string; amount: string; balance_change: string };
    expect(rest.body.entries.map((e: Entry) => [e.kind, e.amount, e.balance_change])).toEqual([['capture_return', '7', '7'], ['capture', '35', '0']]);
    expect(rest.body.next_after).toBeNull();
    expect(log.body.entries[1]).toMatchObject({ kind: 'hold', amount: '42', balance_change: '-42' });
  });

  it('a video held at 14 and captured at 42 from one grant shows that grant once, and refunds in full once', async () => {
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'grow', pack: 'modelpix' });
    // avatar_video: 2 credits a second; a 7-second estimate, 20.5 seconds rendered (charged as 21).
    const hold = await admin.post('/v1/charges', { account: 'grow', operation: 'generate', input: { tool: 'avatar_video', seconds: 7 }, capture: false });
    expect(hold.body).toMatchObject({ status: 'held', held: '14', captured: null, draws: [{ kind: 'signup', amount: '14' }] });
    const cap = await admin.post(`/v1/charges/${hold.body.id}/capture`, { usage: { seconds: 20.5 } });
    expect(cap.body).toMatchObject({ status: 'captured', held: '14', captured: '42' });
    expect(cap.body.draws).toEqual([{ grant: expect.any(String), kind: 'signup', expires_at: null, amount: '42', refunded: '0' }]);
    expect((await admin.get(`/v1/charges/${hold.body.id}`)).body).toEqual(cap.body);

    const idem = 'refund-grow-1';
    const refund = await admin.post(`/v1/charges/${hold.body.id}/refund`, { outcome: 'failed' }, idem);
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ refunded: '42', charge: { status: 'captured', refunded: '42', refund_status: 'full', draws: [{ amount: '42', refunded: '42' }] } });
    const entries = async () => (await admin.get('/v1/accounts/grow/entries')).body.entries;
    const before = await entries();
    const again = await admin.post(`/v1/charges/${hold.body.id}/refund`, { outcome: 'failed' });
    expect(again.status).toBe(409);
    expect(again.contentType).toContain('application/problem+json');
    expect(again.body).toMatchObject({ code: 'nothing_to_refund', captured: '42', refunded: '42' });
    expect(await entries()).toEqual(before);
    const replay = await admin.post(`/v1/charges/${hold.body.id}/refund`, { outcome: 'failed' }, idem);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(refund.body);

    // Summed per kind, the log says what happened: 14 reserved, 28 drawn at capture, 42 captured, 42 refunded.
    const totals: Record<string, number> = {};
    for (const e of before as { kind: string; amount: string }[]) totals[e.kind] = (totals[e.kind] ?? 0) + Number(e.amount);
    expect(totals).toEqual({ grant: 50, hold: 14, capture_extra: 28, capture: 42, refund: 42 });
    expect((await admin.get('/v1/accounts/grow')).body.balance).toBe('50');
  });
  it('a capture naming an account input is refused with invalid_usage and the hold stays held', async () => {
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'lora', pack: 'pixai', plan: 'starter' });
    for (let i = 0; i < 3; i++) await admin.post('/v1/charges', { account: 'lora', operation: 'train_lora', input: { architecture: 'DiT.2' } });
    const hold = await admin.post('/v1/charges', { account: 'lora', operation: 'train_lora', input: { architecture: 'DiT.2' }, capture: false });
    expect(hold.body.held).toBe('200000');
    const cap = await admin.post(`/v1/charges/${hold.body.id}/capture`, { usage: { free_trainings_used_this_month: 0, tier: 'pro' } });
    expect(cap.status).toBe(422);
    expect(cap.body).toMatchObject({ code: 'invalid_usage', input: 'free_trainings_used_this_month' });
    expect((await admin.get(`/v1/charges/${hold.body.id}`)).body.status).toBe('held');
  });

  it('a PixelFlow postpaid account\'s billed usage is settled by an admin, and a top-up pays its overdraft first', async () => {
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'bill', pack: 'pixelflow', billing: 'postpaid' });
    await admin.post('/v1/charges', { account: 'bill', operation: 'run_model', input: { model: 'flux-schnell', gpu_seconds: 2000 } }); // $2.30
    expect((await admin.get('/v1/accounts/bill')).body).toMatchObject({ overdraft_used: '1.3' });
    const topup = await admin.post('/v1/accounts/bill/topups', { input: { usd: '1' } });
    expect(topup.body.grants).toEqual([expect.objectContaining({ kind: 'purchase', amount: '1', remaining: '0' })]);
    expect(topup.body.account).toMatchObject({ overdraft_used: '0.3', balance: '-0.3' });
    const backend = await api.keyFor('charge', ['bill']);
    expect((await backend.post('/v1/accounts/bill/settle', undefined)).status).toBe(403);
    const settled = await admin.post('/v1/accounts/bill/settle', undefined, 'settle-bill-1');
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ settled: '0.3', account: { overdraft_used: '0', balance: '0' } });
    expect((await admin.post('/v1/accounts/bill/settle', undefined, 'settle-bill-1')).body).toEqual(settled.body);
    const log = (await admin.get('/v1/accounts/bill/entries')).body.entries.map((e: { kind: string }) => e.kind);
    expect(log.slice(-4)).toEqual(['grant', 'overdraft_payment', 'overdraft_payment', 'settlement']);
  });
});
