// Subscription lifecycles, postpaid statements, refunds that read what was delivered, and a
// log that reconciles after expiries: end to end over HTTP, on both stores.
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/decimal.ts';
import { Engine } from '../../src/engine/index.ts';
import { Clock, storeKinds, type StoreKind } from '../ledger/harness.ts';
import { Client, startApi, type TestApi } from './client.ts';

type Entry = { kind: string; amount: string; balance_change: string; at: string; memo: string | null };

/** The log sums to the balance: every entry's balance change, added up. */
async function logSum(admin: Client, id: string): Promise<string> {
  const { body } = await admin.get(`/v1/accounts/${id}/entries?limit=1000`);
  return (body.entries as Entry[]).reduce((s, e) => s.plus(e.balance_change), new Decimal(0)).toFixed();
}

async function expectReconciled(admin: Client, id: string): Promise<void> {
  const a = await admin.get(`/v1/accounts/${id}`);
  expect(await logSum(admin, id), `the log of ${id} sums to its balance`).toBe(a.body.balance);
}

const kinds = (a: { body: { balances: { kind: string; remaining: string }[] } }) => a.body.balances.map((b) => [b.kind, b.remaining]);

let studioEngine: Engine | undefined;

/** An API over the test packs of test/http/packs (a studio-like plan). */
async function startStudio(kind: StoreKind, clock: Clock): Promise<TestApi> {
  studioEngine ??= Engine.load('test/http/packs');
  return startApi(kind, clock, { engine: studioEngine });
}

describe.each(storeKinds)('subscription lifecycle, statements, refunds with usage and reconciliation over HTTP on $name', (kind) => {
  let api: TestApi | undefined;
  let studio: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    await studio?.close();
    api = studio = undefined;
  });

  it("a PixAI web subscription doesn't renew: its month ends, the account is free again, and its credits expire in the log", async () => {
    api = await startApi(kind);
    const { admin, clock } = api;
    const created = await admin.post('/v1/accounts', { id: 'web', pack: 'pixai', plan: 'starter' });
    expect(created.body.subscription).toMatchObject({ plan: 'starter', period: 1, renews: false, cancel_at_period_end: true });
    await admin.post('/v1/charges', { account: 'web', operation: 'generate_image', input: { width: 1024, height: 1024 } });
    clock.set('2026-04-10T12:00:00Z');
    const after = await admin.get('/v1/accounts/web');
    expect(after.body).toMatchObject({ plan: 'free', subscription: null, balance: '0' });
    const { body } = await admin.get('/v1/accounts/web/entries');
    expect((body.entries as Entry[]).filter((e) => e.kind === 'expire').map((e) => [e.amount, e.at])).toEqual([['299000', '2026-04-10T12:00:00.000Z']]);
    await expectReconciled(admin, 'web');

    // Renewed on request (an app store's renewal), it starts another month.
    clock.set('2026-05-01T00:00:00Z');
    await admin.post('/v1/accounts', { id: 'app', pack: 'pixai', plan: 'starter' });
    const renewed = await admin.post('/v1/accounts/app/membership', { action: 'renew' });
    expect(renewed.status).toBe(200);
    expect(renewed.body.account.subscription).toMatchObject({ renews: true });
    const again = await admin.post('/v1/accounts/app/membership', { action: 'renew' });
    expect(again).toMatchObject({ status: 422, body: { code: 'invalid_request', detail: expect.stringContaining('renews already') } });
    clock.set('2026-06-01T00:00:00Z');
    expect((await admin.get('/v1/accounts/app')).body.subscription).toMatchObject({ plan: 'starter', period: 2, renews: false });
  });

  it('a PixAI upgrade grants what the rule says, and the rule refuses a move down', async () => {
    api = await startApi(kind);
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'up', pack: 'pixai', plan: 'starter' });
    await admin.post('/v1/charges', { account: 'up', operation: 'train_lora', input: { architecture: 'SDXL' } });
    const up = await admin.post('/v1/accounts/up/membership', { action: 'upgrade', plan: 'pro' });
    expect(up.status).toBe(200);
    expect(up.body.outputs).toMatchObject({ upgrade_credits: '1700000', free_trainings_left: '9' });
    expect(up.body.account).toMatchObject({ plan: 'pro', balance: '2000000' });
    const grants = (await admin.get('/v1/accounts/up/entries')).body.entries as Entry[];
    expect(grants.filter((e) => e.kind === 'grant').map((e) => [e.amount, e.memo])).toEqual([['300000', 'starter period 1'], ['1700000', 'upgrade to pro']]);
    const down = await admin.post('/v1/accounts/up/membership', { action: 'upgrade', plan: 'hobbyist' });
    expect(down).toMatchObject({ status: 422, body: { code: 'quote_rejected' } });
    const noRule = await admin.post('/v1/accounts/up/membership', { action: 'downgrade', plan: 'hobbyist' });
    expect(noRule).toMatchObject({ status: 422, body: { code: 'not_supported', detail: expect.stringContaining('no downgrade rule') } });
    await expectReconciled(admin, 'up');
  });

  it('a Picsart Pro → Ultra upgrade grants the difference prorated by the rule; a downgrade waits for the renewal', async () => {
    api = await startApi(kind);
    const { admin, clock } = api;
    await admin.post('/v1/accounts', { id: 'pa', pack: 'picsart', plan: 'pro' });
    clock.set('2026-03-26T12:00:00Z'); // 15 of the period's 31 days left
    const up = await admin.post('/v1/accounts/pa/membership', { action: 'upgrade', plan: 'ultra' });
    expect(up.status).toBe(200);
    expect(up.body.outputs).toEqual({ upgrade_credits: '1935' }); // 4,000 × 15 / 31, rounded
    expect(up.body.account).toMatchObject({ plan: 'ultra', balance: '2935' });
    const down = await admin.post('/v1/accounts/pa/membership', { action: 'downgrade', plan: 'pro' });
    expect(down.body.account).toMatchObject({ plan: 'ultra', subscription: { pending_plan: 'pro' } });
    clock.set('2026-04-10T12:00:00Z');
    expect((await admin.get('/v1/accounts/pa')).body).toMatchObject({ plan: 'pro', balance: '1000', subscription: { period: 2, pending_plan: null } });
    await expectReconciled(admin, 'pa');
  });

  it("PixAI's 5,000-credit suggestion reward is a grant its rules decide", async () => {
    api = await startApi(kind);
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'idea', pack: 'pixai' });
    const r = await admin.post('/v1/accounts/idea/rewards', { reward: 'suggestion_adopted' });
    expect(r.status).toBe(201);
    expect(r.body.grants.map((g: { kind: string; amount: string; source: string }) => [g.kind, g.amount, g.source])).toEqual([['promo', '5000', 'reward suggestion_adopted']]);
    expect(r.body.outputs).toEqual({ suggestion_reward: '5000' });
    const unknown = await admin.post('/v1/accounts/idea/rewards', { reward: 'bug_bounty' });
    expect(unknown).toMatchObject({ status: 422, body: { code: 'not_supported', detail: expect.stringContaining("no reward 'bug_bounty'") } });
    await expectReconciled(admin, 'idea');
  });

  it('a free-training allowance is counted per billing period, not per calendar month', async () => {
    api = await startApi(kind, new Clock(Date.parse('2026-11-29T10:00:00Z')));
    const { admin, clock } = api;
    await admin.post('/v1/accounts', { id: 'lora', pack: 'pixai', plan: 'starter' });
    const train = () => admin.post('/v1/charges', { account: 'lora', operation: 'train_lora', input: { architecture: 'SDXL' } });
    for (let i = 0; i < 3; i++) expect((await train()).body.captured).toBe('0');
    clock.set('2026-12-01T09:00:00Z'); // a new calendar month, the same membership month
    const q = await admin.post('/v1/quotes', { pack: 'pixai', operation: 'train_lora', input: { architecture: 'SDXL' }, account: 'lora' });
    expect(q.body).toMatchObject({ account_inputs: { free_trainings_used_this_month: 3 }, amount: '75000' });
    expect((await train()).body.captured).toBe('75000');
    await admin.post('/v1/accounts/lora/membership', { action: 'renew' });
    clock.set('2026-12-29T10:00:00Z'); // the next membership month
    expect((await train()).body.captured).toBe('0');
  });

  it('a studio-like plan rolls over at most its cap, and the rest expires in the log', async () => {
    const clock = new Clock(Date.parse('2026-03-10T12:00:00Z'));
    studio = await startStudio(kind, clock);
    const { admin } = studio;
    await admin.post('/v1/accounts', { id: 'st', pack: 'studio', plan: 'studio' });
    await admin.post('/v1/accounts', { id: 'ba', pack: 'studio', plan: 'basic' });
    for (let i = 0; i < 3; i++) await admin.post('/v1/charges', { account: 'st', operation: 'render', input: { credits: 1 } }); // the free renders
    expect((await admin.post('/v1/charges', { account: 'st', operation: 'render', input: { credits: 5000 } })).body.captured).toBe('5000');
    clock.set('2026-04-10T12:00:00Z');
    const st = await admin.get('/v1/accounts/st');
    // 15,000 left over, at most 5,000 carried: 5,000 + the new 20,000.
    expect(st.body.balance).toBe('25000');
    const log = (await admin.get('/v1/accounts/st/entries')).body.entries as Entry[];
    expect(log.filter((e) => ['rollover', 'expire'].includes(e.kind)).map((e) => [e.kind, e.amount])).toEqual([['rollover', '5000'], ['expire', '10000']]);
    await expectReconciled(admin, 'st');
    // The basic plan's cap is 0: nothing rolls over.
    expect((await admin.get('/v1/accounts/ba')).body.balance).toBe('1000');
    await expectReconciled(admin, 'ba');
  });

  it('an allowance over a rolling window: 3 free renders per 5 hours, then credits', async () => {
    const clock = new Clock(Date.parse('2026-03-10T12:00:00Z'));
    studio = await startStudio(kind, clock);
    const { admin } = studio;
    await admin.post('/v1/accounts', { id: 'roll', pack: 'studio', plan: 'basic' });
    const render = () => admin.post('/v1/charges', { account: 'roll', operation: 'render', input: { credits: 10 } });
    expect([(await render()).body.captured, (await render()).body.captured, (await render()).body.captured, (await render()).body.captured]).toEqual(['0', '0', '0', '10']);
    clock.advance(3 * 3600);
    expect((await render()).body.captured).toBe('10');
    clock.advance(2 * 3600 + 1); // the first three are now more than 5 hours old
    expect((await render()).body.captured).toBe('0');
  });

  it('a downgrade takes back credits prorated by the rule; a cancellation with immediate effect lapses the rest', async () => {
    const clock = new Clock(Date.parse('2026-03-10T12:00:00Z'));
    studio = await startStudio(kind, clock);
    const { admin } = studio;
    await admin.post('/v1/accounts', { id: 'dn', pack: 'studio', plan: 'studio' });
    clock.set('2026-03-25T12:00:00Z'); // 16 of the period's 31 days left
    const dn = await admin.post('/v1/accounts/dn/membership', { action: 'downgrade', plan: 'basic' });
    expect(dn.status).toBe(200);
    expect(dn.body.outputs).toEqual({ take_back: '9806' }); // 19,000 × 16 / 31, rounded
    expect(dn.body.account).toMatchObject({ plan: 'basic', balance: '10194', subscription: { period: 1, pending_plan: null } });
    const up = await admin.post('/v1/accounts/dn/membership', { action: 'downgrade', plan: 'studio' });
    expect(up).toMatchObject({ status: 422, body: { code: 'quote_rejected' } });
    const cancel = await admin.post('/v1/accounts/dn/membership', { action: 'cancel' });
    expect(cancel.body.account).toMatchObject({ plan: 'free', subscription: null, balance: '0' });
    const log = (await admin.get('/v1/accounts/dn/entries')).body.entries as Entry[];
    expect(log.filter((e) => e.kind === 'lapse').map((e) => [e.amount, e.memo])).toEqual([
      ['9806', 'taken back by the downgrade to basic'], ['10194', 'the subscription was cancelled with immediate effect'],
    ]);
    await expectReconciled(admin, 'dn');
  });

  it('credits held from a grant that has expired cannot be captured when the pack refuses it; a release forfeits them', async () => {
    const clock = new Clock(Date.parse('2026-03-10T12:00:00Z'));
    studio = await startStudio(kind, clock);
    const { admin } = studio;
    await admin.post('/v1/accounts', { id: 'hc', pack: 'studio' });
    await admin.post('/v1/accounts/hc/grants', { kind: 'promo', amount: '100' });
    for (let i = 0; i < 3; i++) await admin.post('/v1/charges', { account: 'hc', operation: 'render', input: { credits: 1 } });
    const h = await admin.post('/v1/charges', { account: 'hc', operation: 'render', input: { credits: 40 }, capture: false });
    expect(h.body).toMatchObject({ status: 'held', held: '40' });
    clock.set('2026-03-11T12:00:00Z'); // the promo grant has expired; the hold (a week) has not
    const refused = await admin.post(`/v1/charges/${h.body.id}/capture`, {});
    expect(refused).toMatchObject({ status: 409, body: { code: 'held_credits_expired', detail: expect.stringContaining('release the charge') } });
    const released = await admin.post(`/v1/charges/${h.body.id}/release`, undefined);
    expect(released.body.status).toBe('released');
    const log = (await admin.get('/v1/accounts/hc/entries')).body.entries as Entry[];
    expect(log.slice(-3).map((e) => [e.kind, e.amount, e.balance_change])).toEqual([['expire', '60', '-60'], ['release', '40', '0'], ['forfeit', '40', '0']]);
    await expectReconciled(admin, 'hc');
  });

  it('a PixelFlow postpaid month closes into a statement, lazily and on request', async () => {
    api = await startApi(kind, new Clock(Date.parse('2026-03-10T12:00:00Z')));
    const { admin, clock } = api;
    const a = await admin.post('/v1/accounts', { id: 'pf', pack: 'pixelflow', billing: 'postpaid' });
    expect(a.body).toMatchObject({ overdraft_limit: '1000', statement_period: { start: '2026-03-10T12:00:00.000Z', end: '2026-04-01T00:00:00.000Z' } });
    const run = (gpu_seconds: number) => admin.post('/v1/charges', { account: 'pf', operation: 'run_model', input: { model: 'flux-schnell', gpu_seconds } });
    await run(1000); // $1.15: $1 of signup credits, $0.15 owed
    await run(2000); // $2.30 owed
    expect((await admin.get('/v1/accounts/pf')).body).toMatchObject({ balance: '-2.45', overdraft_used: '2.45' });
    clock.set('2026-04-02T08:00:00Z');
    const list = await admin.get('/v1/accounts/pf/statements');
    expect(list.status).toBe(200);
    expect(list.body.statements).toHaveLength(1);
    const st = list.body.statements[0];
    expect(st).toMatchObject({
      period_start: '2026-03-10T12:00:00.000Z', period_end: '2026-04-01T00:00:00.000Z',
      lines: [{ operation: 'run_model', charges: 2, amount: '3.45' }], total: '3.45', credits_applied: '1', amount_due: '2.45',
    });
    expect((await admin.get(`/v1/accounts/pf/statements/${st.id}`)).body).toEqual(st);
    expect((await admin.get('/v1/accounts/pf/statements/st_nope')).status).toBe(404);
    expect((await admin.get('/v1/accounts/pf')).body).toMatchObject({ balance: '0', overdraft_used: '0', statement_period: { start: '2026-04-01T00:00:00.000Z' } });
    await expectReconciled(admin, 'pf');
    await run(100);
    const closed = await admin.post('/v1/accounts/pf/close-period', undefined);
    expect(closed.status).toBe(200);
    expect(closed.body.statement).toMatchObject({ period_start: '2026-04-01T00:00:00.000Z', period_end: '2026-04-02T08:00:00.001Z', amount_due: '0.115', total: '0.115' });
    expect((await admin.get('/v1/accounts/pf/statements')).body.statements).toHaveLength(2);
    await expectReconciled(admin, 'pf');
  });

  it('a refund of usage a statement billed already comes back as credits of billing.credit_kind', async () => {
    api = await startApi(kind);
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'rf', pack: 'pixelflow', billing: 'postpaid' });
    const c = await admin.post('/v1/charges', { account: 'rf', operation: 'run_model', input: { model: 'flux-schnell', gpu_seconds: 1000 } });
    expect((await admin.post('/v1/accounts/rf/close-period', undefined)).body.statement.amount_due).toBe('0.15');
    const r = await admin.post(`/v1/charges/${c.body.id}/refund`, { amount: '1.15' });
    expect(r.status).toBe(200);
    expect(kinds(await admin.get('/v1/accounts/rf'))).toEqual([['signup', '1'], ['purchase', '0.15']]);
    await expectReconciled(admin, 'rf');
  });

  it('a prepaid account switched to postpaid, and back', async () => {
    api = await startApi(kind);
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'sw', pack: 'pixelflow' });
    const run = { account: 'sw', operation: 'run_model', input: { model: 'flux-schnell', gpu_seconds: 1000 } };
    expect((await admin.post('/v1/charges', run)).status).toBe(402);
    const post = await admin.post('/v1/accounts/sw/billing', { billing: 'postpaid' });
    expect(post.status).toBe(200);
    expect(post.body.account).toMatchObject({ billing: 'postpaid', overdraft_limit: '1000', statement_period: { start: '2026-03-10T12:00:00.000Z' } });
    expect((await admin.post('/v1/charges', run)).status).toBe(201);
    const back = await admin.post('/v1/accounts/sw/billing', { billing: 'prepaid' });
    expect(back.status).toBe(200);
    expect(back.body.statement).toMatchObject({ amount_due: '0.15', total: '1.15' });
    expect(back.body.account).toMatchObject({ billing: 'prepaid', overdraft_limit: '0', overdraft_used: '0', statement_period: null });
    expect((await admin.post('/v1/accounts/sw/billing', { billing: 'prepaid' })).status).toBe(422);
    // A paid plan's postpaid overdraft is unlimited.
    await admin.post('/v1/accounts', { id: 'big', pack: 'pixelflow', plan: 'pro', billing: 'postpaid' });
    expect((await admin.get('/v1/accounts/big')).body).toMatchObject({ overdraft_limit: null, available: null });
    await expectReconciled(admin, 'sw');
  });

  it('a partial refund is computed from the seconds delivered; a refund of nothing names the rule row', async () => {
    api = await startApi(kind);
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'vid', pack: 'modelpix' });
    const c = await admin.post('/v1/charges', { account: 'vid', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 } });
    expect(c.body.captured).toBe('42');
    const bad = await admin.post(`/v1/charges/${c.body.id}/refund`, { outcome: 'partial', usage: { frames: 4 } });
    expect(bad).toMatchObject({ status: 422, body: { code: 'invalid_usage' } });
    const r = await admin.post(`/v1/charges/${c.body.id}/refund`, { outcome: 'partial', usage: { seconds: 4 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ refunded: '14', charge: { refunded: '14', refund_status: 'partial' } });
    const none = await admin.post(`/v1/charges/${c.body.id}/refund`, { outcome: 'succeeded' });
    expect(none.body).toMatchObject({ refunded: '0', reason: expect.stringContaining('policy row rules/modelpix/generate.yaml:') });
    expect(none.body.decided_by).toMatchObject({ operation: 'refund', rows: [{ decision: 'policy', outputs: { refunds: 'nothing' } }] });
    await expectReconciled(admin, 'vid');
  });

  it('the log sums to the balance after grants expire, and the audit finds no drift', async () => {
    api = await startApi(kind, new Clock(Date.parse('2026-03-10T20:00:00Z')));
    const { admin, clock } = api;
    await admin.post('/v1/accounts', { id: 'ex', pack: 'modelpix' });
    await admin.post('/v1/accounts/ex/daily-claim', undefined);
    await admin.post('/v1/accounts/ex/grants', { kind: 'purchase', amount: '30', expires_at: '2026-03-12T00:00:00Z' });
    await admin.post('/v1/charges', { account: 'ex', operation: 'generate', input: { tool: 'text_to_image' } });
    await expectReconciled(admin, 'ex');
    clock.set('2026-03-11T00:00:01Z'); // the daily credits have expired
    await expectReconciled(admin, 'ex');
    clock.set('2026-03-13T00:00:00Z'); // and the purchase
    await expectReconciled(admin, 'ex');
    const expired = ((await admin.get('/v1/accounts/ex/entries')).body.entries as Entry[]).filter((e) => e.kind === 'expire');
    expect(expired.map((e) => [e.amount, e.at])).toEqual([['3', '2026-03-11T00:00:00.000Z'], ['30', '2026-03-12T00:00:00.000Z']]);
    const audit = await admin.get('/v1/audit');
    expect(audit.status).toBe(200);
    expect(audit.body).toEqual({ accounts_checked: 1, drift: [] });
  });
});
