import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/decimal.ts';
import type { Ledger } from '../../src/ledger/ledger.ts';
import type { Store } from '../../src/ledger/store/store.ts';
import { auditLog } from './audit.ts';
import { Clock, key, openLedger, rejects, storeKinds } from './harness.ts';

describe.each(storeKinds)('ledger on $name', (kind) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let ledger: Ledger;
  const clock = new Clock(0);

  beforeEach(async () => ({ store, dispose, ledger } = await openLedger(kind, clock)));
  afterEach(async () => dispose());

  const audit = (accountId: string) => auditLog(ledger, accountId);

  it('charges a ModelPix image against the signup gift and rebuilds from the log', async () => {
    const a = await ledger.createAccount({ id: 'alice', pack: 'modelpix' }, key());
    expect(a.balance).toBe('50');
    const c = await ledger.createCharge({ account: 'alice', operation: 'generate', input: { tool: 'text_to_image' }, capture: true }, key());
    expect(c).toMatchObject({ status: 'captured', held: '7', captured: '7', draws: [{ kind: 'signup', amount: '7' }] });
    expect((await ledger.account('alice')).balance).toBe('43');
    await audit('alice');
  });

  it('spends the soonest-expiring grant first and purchased credits last, across several grants', async () => {
    await ledger.createAccount({ id: 'bob', pack: 'modelpix' }, key());
    await ledger.topup('bob', { credits: '100' }, key());
    await ledger.dailyClaim('bob', key());
    const c = await ledger.createCharge({ account: 'bob', operation: 'generate', input: { tool: 'image_to_video', seconds: 10 }, capture: true }, key());
    expect(c.draws.map((d) => [d.kind, d.amount])).toEqual([['daily', '10'], ['signup', '50'], ['purchase', '10']]);
    const acct = await ledger.account('bob');
    expect(acct.balance).toBe('90');
    expect(acct.balances).toEqual([{ kind: 'purchase', remaining: '90', grants: [expect.objectContaining({ remaining: '90', expires_at: null })] }]);
    await audit('bob');
  });

  it('refuses a hold the account cannot cover with insufficient_credits and changes nothing', async () => {
    await ledger.createAccount({ id: 'carol', pack: 'modelpix' }, key());
    const before = await ledger.entries('carol');
    const e = await rejects(ledger.createCharge({ account: 'carol', operation: 'generate', input: { tool: 'image_to_video', seconds: 8 }, capture: false }, key()), 'insufficient_credits');
    expect(e.details).toEqual({ needed: '56', available: '50' });
    expect(await ledger.entries('carol')).toEqual(before);
    expect((await ledger.account('carol')).balance).toBe('50');
  });

  it('captures the seconds actually rendered: less than held gives the rest back, more re-checks the balance', async () => {
    await ledger.createAccount({ id: 'dan', pack: 'modelpix' }, key());
    const held = await ledger.createCharge({ account: 'dan', operation: 'generate', input: { tool: 'avatar_video', seconds: 10 }, capture: false }, key());
    expect(held).toMatchObject({ status: 'held', held: '20' });
    expect((await ledger.account('dan')).balance).toBe('30');
    const captured = await ledger.captureCharge(held.id, { usage: { seconds: 6.2 } }, key());
    expect(captured).toMatchObject({ status: 'captured', held: '20', captured: '14', refunded: '0', refund_status: 'none' });
    expect((await ledger.account('dan')).balance).toBe('36');

    const second = await ledger.createCharge({ account: 'dan', operation: 'generate', input: { tool: 'avatar_video', seconds: 5 }, capture: false }, key());
    await rejects(ledger.captureCharge(second.id, { amount: '100' }, key()), 'insufficient_credits');
    expect((await ledger.charge(second.id)).status).toBe('held');
    const more = await ledger.captureCharge(second.id, { amount: '36' }, key());
    // The hold took 10 of the signup gift and the capture 26 more: one grant, shown once.
    expect(more).toMatchObject({ held: '10', captured: '36' });
    const signup = (await ledger.grants('dan'))[0]!;
    expect(more.draws).toEqual([{ grant: signup.id, kind: 'signup', expires_at: null, amount: '36', refunded: '0' }]);
    expect(await ledger.charge(second.id)).toEqual(more);
    expect((await ledger.account('dan')).balance).toBe('0');
    const { entries } = await ledger.entries('dan', 0, 100);
    expect(entries.filter((e) => e.charge === second.id).map((e) => [e.kind, e.amount, e.balance_change])).toEqual([
      ['hold', '10', '-10'], ['capture_extra', '26', '-26'], ['capture', '36', '0'],
    ]);
    expect(entries.filter((e) => e.charge === held.id).map((e) => [e.kind, e.amount, e.balance_change])).toEqual([
      ['hold', '20', '-20'], ['capture_return', '6', '6'], ['capture', '14', '0'],
    ]);
    await audit('dan');
  });

  it('resolves a hold once: release, then capture is refused', async () => {
    await ledger.createAccount({ id: 'erin', pack: 'modelpix' }, key());
    const h = await ledger.createCharge({ account: 'erin', operation: 'generate', input: { tool: 'face_swap' }, capture: false }, key());
    const released = await ledger.releaseCharge(h.id, key());
    expect(released).toMatchObject({ status: 'released', held: '3', captured: null, draws: [] });
    expect((await ledger.account('erin')).balance).toBe('50');
    await rejects(ledger.captureCharge(h.id, {}, key()), 'hold_already_resolved');
    await rejects(ledger.releaseCharge(h.id, key()), 'hold_already_resolved');
    await audit('erin');
  });

  it('releases a hold by itself when it times out', async () => {
    await ledger.createAccount({ id: 'fay', pack: 'modelpix' }, key());
    const h = await ledger.createCharge({ account: 'fay', operation: 'generate', input: { tool: 'face_swap' }, capture: false }, key());
    clock.advance(901);
    expect((await ledger.account('fay')).balance).toBe('50');
    expect((await ledger.charge(h.id)).status).toBe('expired');
    await rejects(ledger.captureCharge(h.id, {}, key()), 'hold_expired');
    await audit('fay');
  });

  it('refunds a failed generation in full to the grants it came from, and never more than captured', async () => {
    await ledger.createAccount({ id: 'gus', pack: 'modelpix' }, key());
    await ledger.topup('gus', { credits: '100' }, key());
    const c = await ledger.createCharge({ account: 'gus', operation: 'generate', input: { tool: 'image_to_video', seconds: 10 }, capture: true }, key());
    const k = key();
    const r = await ledger.refundCharge(c.id, { outcome: 'failed' }, k);
    expect(r.refunded).toBe('70');
    expect(r.charge).toMatchObject({ status: 'captured', captured: '70', refunded: '70', refund_status: 'full' });
    expect(r.charge.draws.map((d) => [d.kind, d.amount, d.refunded])).toEqual([['signup', '50', '50'], ['purchase', '20', '20']]);
    expect((await ledger.account('gus')).balance).toBe('150');
    // Nothing is left to refund: refused, and nothing changes; a retry of the refund itself replays it.
    const log = await ledger.entries('gus', 0, 1000);
    const e = await rejects(ledger.refundCharge(c.id, { outcome: 'failed' }, key()), 'nothing_to_refund');
    expect(e.details).toEqual({ captured: '70', refunded: '70' });
    expect(await ledger.entries('gus', 0, 1000)).toEqual(log);
    expect(await ledger.refundCharge(c.id, { outcome: 'failed' }, k)).toEqual(r);
    expect((await ledger.account('gus')).balance).toBe('150');
    const ok = await ledger.createCharge({ account: 'gus', operation: 'generate', input: { tool: 'text_to_image' }, capture: true }, key());
    // A success is not refunded by the rule: a refund of 0, not a refusal (the charge has 7 to refund).
    const none = await ledger.refundCharge(ok.id, { outcome: 'succeeded' }, key());
    expect(none).toMatchObject({ refunded: '0', charge: { refunded: '0', refund_status: 'none' } });
    await rejects(ledger.refundCharge(ok.id, { amount: '7' }, key()), 'invalid_request');
    await audit('gus');
  });

  it('reissues a refund whose grant expired meanwhile as the pack says (ModelPix: never lose credits)', async () => {
    await ledger.createAccount({ id: 'hal', pack: 'modelpix', time_zone: 'Asia/Tokyo' }, key());
    await ledger.dailyClaim('hal', key());
    const c = await ledger.createCharge({ account: 'hal', operation: 'generate', input: { tool: 'face_swap' }, capture: true }, key());
    expect(c.draws[0]!.kind).toBe('daily');
    clock.set('2026-03-10T15:00:01Z'); // past midnight in Tokyo: the daily grant has expired
    const r = await ledger.refundCharge(c.id, { outcome: 'failed' }, key());
    expect(r.refunded).toBe('3');
    const acct = await ledger.account('hal');
    expect(acct.balances.map((b) => [b.kind, b.remaining])).toEqual([['signup', '50'], ['refund', '3']]);
    // The refund entry says what was refunded, on the expired grant, changing nothing there.
    const { entries } = await ledger.entries('hal', 0, 100);
    expect(entries.slice(-2).map((e) => [e.kind, e.amount, e.balance_change, e.grant === c.draws[0]!.grant])).toEqual([
      ['refund', '3', '0', true], ['grant', '3', '3', false],
    ]);
    expect(entries.at(-2)!.memo).toMatch(/^grant expired 2026-03-10T15:00:00.000Z: reissued as a new refund grant$/);
    await audit('hal');
  });

  it('replays a retried mutation and refuses the same key with other parameters', async () => {
    await ledger.createAccount({ id: 'ivy', pack: 'modelpix' }, key());
    const k = key();
    const first = await ledger.createCharge({ account: 'ivy', operation: 'generate', input: { tool: 'face_swap' }, capture: true }, k);
    const retry = await ledger.createCharge({ account: 'ivy', operation: 'generate', input: { tool: 'face_swap' }, capture: true }, k);
    expect(retry).toEqual(first);
    expect((await ledger.account('ivy')).balance).toBe('47');
    await rejects(ledger.createCharge({ account: 'ivy', operation: 'generate', input: { tool: 'text_to_image' }, capture: true }, k), 'idempotency_conflict');
    clock.advance(400 * 86400); // keys never expire
    expect(await ledger.createCharge({ account: 'ivy', operation: 'generate', input: { tool: 'face_swap' }, capture: true }, k)).toEqual(first);
  });

  it('lets a Picsart Pro account\'s 400 unused credits disappear at renewal', async () => {
    await ledger.createAccount({ id: 'jo', pack: 'picsart', plan: 'pro' }, key());
    expect((await ledger.account('jo')).balance).toBe('1000');
    await ledger.grant('jo', { kind: 'promo', amount: '5' }, key());
    await ledger.createCharge({ account: 'jo', operation: 'generate_image', input: { model: 'imagen-4-ultra', count: 1 }, capture: false }, key())
      .catch(() => undefined);
    const spent = await ledger.createCharge({ account: 'jo', operation: 'edit', input: { tool: 'background_removal' }, capture: true }, key());
    expect(spent.captured).toBe('2');
    clock.set('2026-04-10T12:00:00Z');
    const after = await ledger.account('jo');
    expect(after.subscription).toMatchObject({ period: 2, period_start: '2026-04-10T12:00:00.000Z', period_end: '2026-05-10T12:00:00.000Z' });
    expect(after.balances.find((b) => b.kind === 'subscription')!.remaining).toBe('1000');
  });

  it('grants a PixAI hobbyist the 620,000 bonus for a $30 top-up', async () => {
    await ledger.createAccount({ id: 'kim', pack: 'pixai', plan: 'hobbyist' }, key());
    const t = await ledger.topup('kim', { usd: 30, credits: '300000' }, key());
    expect(t.grants.map((g) => [g.kind, g.amount])).toEqual([['purchase', '300000'], ['bonus', '620000']]);
    expect(t.account.balance).toBe(String(1_000_000 + 300_000 + 620_000));
  });

  it('claims PixAI daily credits once per account-local day, 10,000 again after a cancelled membership ends', async () => {
    await ledger.createAccount({ id: 'lee', pack: 'pixai', plan: 'pro', time_zone: 'America/New_York' }, key());
    expect((await ledger.dailyClaim('lee', key())).grants[0]!.amount).toBe('30000');
    await rejects(ledger.dailyClaim('lee', key()), 'already_claimed');
    await ledger.membership('lee', { action: 'cancel' }, key());
    clock.set('2026-03-11T05:00:00Z'); // midnight in New York: a new day, still a member
    expect((await ledger.dailyClaim('lee', key())).grants[0]!.amount).toBe('30000');
    clock.set('2026-04-11T12:00:00Z');
    const a = await ledger.account('lee');
    expect(a).toMatchObject({ plan: 'free', subscription: null });
    expect((await ledger.dailyClaim('lee', key())).grants[0]!.amount).toBe('10000');
  });

  it('feeds PixAI LoRA trainings this month and the plan into train_lora; an upgrade keeps the count', async () => {
    await ledger.createAccount({ id: 'max', pack: 'pixai', plan: 'starter' }, key());
    const train = () => ledger.createCharge({ account: 'max', operation: 'train_lora', input: { architecture: 'SDXL' }, capture: true }, key());
    expect((await train()).captured).toBe('0');
    expect((await train()).captured).toBe('0');
    const q = await ledger.quote({ pack: 'pixai', operation: 'train_lora', input: { architecture: 'SDXL', tier: 'pro' }, account: 'max' });
    expect(q.account_inputs).toEqual({ tier: 'starter', free_trainings_used_this_month: 2 });
    const up = await ledger.membership('max', { action: 'upgrade', plan: 'hobbyist' }, key());
    expect(up.outputs.free_trainings_left).toBe('3');
    for (let i = 0; i < 3; i++) expect((await train()).captured).toBe('0');
    expect((await train()).captured).toBe('75000');
    await audit('max');
  });

  it('refuses a PixelFlow prepaid account out of credits while a postpaid one is charged into its overdraft', async () => {
    // Both start with the $1 signup pre-load; a 1,000-second Flux Dev job costs $1.80.
    await ledger.createAccount({ id: 'pre', pack: 'pixelflow' }, key());
    await ledger.createAccount({ id: 'post', pack: 'pixelflow', billing: 'postpaid', overdraft_limit: '50' }, key());
    const run = (account: string) => ledger.createCharge({ account, operation: 'run_model', input: { model: 'flux-dev', gpu_seconds: 1000 }, capture: true }, key());
    const e = await rejects(run('pre'), 'insufficient_credits');
    expect(e.details).toEqual({ needed: '1.8', available: '1' });
    const c = await run('post');
    expect(c).toMatchObject({ captured: '1.8', draws: [{ kind: 'signup', amount: '1' }, { grant: null, kind: null, expires_at: null, amount: '0.8' }] });
    expect(await ledger.account('post')).toMatchObject({ balance: '-0.8', overdraft_used: '0.8', available: '49.2' });
    await audit('post');
  });

  it('pre-loads a new PixelFlow free account with $1 of free credits, enough to run models without a daily claim', async () => {
    const a = await ledger.createAccount({ id: 'newbie', pack: 'pixelflow' }, key());
    expect(a).toMatchObject({ plan: 'free', balance: '1', balances: [{ kind: 'signup', remaining: '1', grants: [{ expires_at: null }] }] });
    const run = () => ledger.createCharge({ account: 'newbie', operation: 'run_model', input: { model: 'flux-dev', gpu_seconds: 12.5 }, capture: true }, key());
    for (let i = 0; i < 44; i++) expect((await run()).draws).toEqual([expect.objectContaining({ kind: 'signup', amount: '0.0225' })]);
    const e = await rejects(run(), 'insufficient_credits');
    expect(e.message).toContain('out of credits');
    expect((await ledger.account('newbie')).balance).toBe('0.01');
    await audit('newbie');
  });

  it('refunds part of a charge, then the rest, then refuses with nothing_to_refund (PixelFlow: explicit amounts)', async () => {
    await ledger.createAccount({ id: 'part', pack: 'pixelflow' }, key());
    const c = await ledger.createCharge({ account: 'part', operation: 'run_model', input: { model: 'flux-dev', gpu_seconds: 12.5 }, capture: true }, key());
    expect(c).toMatchObject({ captured: '0.0225', refunded: '0', refund_status: 'none' });
    const first = await ledger.refundCharge(c.id, { amount: '0.01' }, key());
    expect(first.charge).toMatchObject({ refunded: '0.01', refund_status: 'partial', status: 'captured' });
    await rejects(ledger.refundCharge(c.id, { amount: '0.02' }, key()), 'refund_exceeds_capture');
    const rest = await ledger.refundCharge(c.id, { amount: '0.0125' }, key());
    expect(rest.charge).toMatchObject({ refunded: '0.0225', refund_status: 'full' });
    await rejects(ledger.refundCharge(c.id, { amount: '0.000001' }, key()), 'nothing_to_refund');
    expect((await ledger.account('part')).balance).toBe('1');
    await audit('part');
  });

  it('refuses to refund a charge captured at nothing', async () => {
    await ledger.createAccount({ id: 'freebie', pack: 'pixai', plan: 'starter' }, key());
    const c = await ledger.createCharge({ account: 'freebie', operation: 'train_lora', input: { architecture: 'SDXL' }, capture: true }, key());
    expect(c).toMatchObject({ captured: '0', draws: [] });
    const e = await rejects(ledger.refundCharge(c.id, { outcome: 'failed' }, key()), 'nothing_to_refund');
    expect(e.message).toContain('captured nothing');
    await audit('freebie');
  });

  it('doubles PixelFlow plan credits in the first month and rolls the dollars over', async () => {
    await ledger.createAccount({ id: 'ent', pack: 'pixelflow', plan: 'pro' }, key());
    // Every account starts as a free one, pre-loaded with $1, then subscribes: $118 the first month.
    expect((await ledger.account('ent')).balances.map((b) => [b.kind, b.remaining])).toEqual([['subscription', '118'], ['signup', '1']]);
    await ledger.createCharge({ account: 'ent', operation: 'run_model', input: { model: 'gpt-4o', gpu_seconds: 4 }, capture: true }, key());
    clock.set('2026-04-10T12:00:00Z');
    const a = await ledger.account('ent');
    expect(a.balances.map((b) => [b.kind, b.remaining])).toEqual([['subscription', '176.99'], ['signup', '1']]);
    await audit('ent');
  });

  it('never overdraws one account under many concurrent charges, and loses or doubles no entry', async () => {
    await ledger.createAccount({ id: 'busy', pack: 'modelpix' }, key());
    await ledger.topup('busy', { credits: '100' }, key()); // 150 in all: room for 50 three-credit charges
    const results = await Promise.allSettled(Array.from({ length: 80 }, () =>
      ledger.createCharge({ account: 'busy', operation: 'generate', input: { tool: 'face_swap' }, capture: true }, key())));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(50);
    for (const r of refused) expect((r as PromiseRejectedResult).reason.code).toBe('insufficient_credits');
    expect((await ledger.account('busy')).balance).toBe('0');
    const { entries } = await ledger.entries('busy', 0, 10_000);
    const captures = entries.filter((e) => e.kind === 'capture');
    expect(new Set(captures.map((e) => e.charge)).size).toBe(50);
    expect(captures.reduce((s, e) => s.plus(e.amount), new Decimal(0)).toFixed()).toBe('150');
    await audit('busy');
  });
});
