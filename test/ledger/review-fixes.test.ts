// Fixes from the ledger review, each pinned by the scenario that showed the bug, on both stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.ts';
import type { Store } from '../../src/ledger/store/store.ts';
import { auditLog } from './audit.ts';
import { Clock, key, openLedger, rejects, storeKinds } from './harness.ts';

describe.each(storeKinds)('ledger review fixes on $name', (kind) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let ledger: Ledger;
  const clock = new Clock(0);
  const audit = (id: string) => auditLog(ledger, id);
  const kinds = async (id: string) => (await ledger.account(id)).balances.map((b) => [b.kind, b.remaining]);

  beforeEach(async () => ({ store, dispose, ledger } = await openLedger(kind, clock)));
  afterEach(async () => dispose());

  describe('F1: a capture\'s usage sets only the inputs the pack declares as usage', () => {
    it('refuses usage that would override the account\'s tier and training count, and changes nothing', async () => {
      await ledger.createAccount({ id: 'lora', pack: 'pixai', plan: 'starter' }, key());
      const train = (capture: boolean) => ledger.createCharge({ account: 'lora', operation: 'train_lora', input: { architecture: 'DiT.2' }, capture }, key());
      for (let i = 0; i < 3; i++) expect((await train(true)).captured).toBe('0');
      const held = await train(false);
      expect(held.held).toBe('200000');
      const e = await rejects(ledger.captureCharge(held.id, { usage: { free_trainings_used_this_month: 0, tier: 'pro' } }, key()), 'invalid_usage');
      expect(e.details).toMatchObject({ input: 'free_trainings_used_this_month' });
      await rejects(ledger.captureCharge(held.id, { usage: { architecture: 'SDXL' } }, key()), 'invalid_usage');
      expect((await ledger.charge(held.id)).status).toBe('held');
      expect((await ledger.captureCharge(held.id, {}, key())).captured).toBe('200000');
      await audit('lora');
    });

    it('takes the declared usage (ModelPix seconds) but not another input such as the tool', async () => {
      await ledger.createAccount({ id: 'vid', pack: 'modelpix' }, key());
      const held = await ledger.createCharge({ account: 'vid', operation: 'generate', input: { tool: 'avatar_video', seconds: 10 }, capture: false }, key());
      const e = await rejects(ledger.captureCharge(held.id, { usage: { seconds: 2, tool: 'face_swap' } }, key()), 'invalid_usage');
      expect(e.message).toContain("'tool'");
      expect((await ledger.captureCharge(held.id, { usage: { seconds: 6.2 } }, key())).captured).toBe('14');
    });

    it('refuses any usage for an operation that declares none (PixelFlow workflows)', async () => {
      await ledger.createAccount({ id: 'wf', pack: 'pixelflow' }, key());
      const held = await ledger.createCharge({ account: 'wf', operation: 'run_workflow', input: { steps: [{ model: 'flux-dev', gpu_seconds: 10 }] }, capture: false }, key());
      await rejects(ledger.captureCharge(held.id, { usage: { steps: [{ model: 'flux-schnell', gpu_seconds: 1 }] } }, key()), 'invalid_usage');
    });
  });
  describe('F2: credits held from a grant that expires follow the pack\'s held_credits policy', () => {
    it('reissues a released hold of expired daily credits when the pack says so (ModelPix: you never lose credits)', async () => {
      await ledger.createAccount({ id: 'late', pack: 'modelpix' }, key());
      clock.set('2026-03-10T23:58:00Z');
      await ledger.dailyClaim('late', key());
      const h = await ledger.createCharge({ account: 'late', operation: 'generate', input: { tool: 'text_to_image' }, capture: false }, key());
      expect(h.draws).toEqual([expect.objectContaining({ kind: 'daily', amount: '7' })]);
      clock.set('2026-03-11T00:01:00Z');
      await ledger.releaseCharge(h.id, key());
      // The 3 daily credits never held expired at midnight; the 7 held come back as a new grant.
      expect((await ledger.account('late')).balance).toBe('57');
      expect(await kinds('late')).toEqual([['signup', '50'], ['refund', '7']]);
      const { entries } = await ledger.entries('late', 0, 100);
      expect(entries.filter((e) => e.kind === 'expire').map((e) => [e.amount, e.balance_change, e.at])).toEqual([['3', '-3', '2026-03-11T00:00:00.000Z']]);
      expect(entries.slice(-2).map((e) => [e.kind, e.amount, e.balance_change])).toEqual([['release', '7', '0'], ['grant', '7', '7']]);
      await audit('late');
    });

    it('reissues an expired hold and a capture\'s return of expired credits too', async () => {
      await ledger.createAccount({ id: 'lapse', pack: 'modelpix' }, key());
      clock.set('2026-03-10T23:50:00Z');
      await ledger.dailyClaim('lapse', key());
      await ledger.createCharge({ account: 'lapse', operation: 'generate', input: { tool: 'face_swap' }, capture: false }, key());
      const video = await ledger.createCharge({ account: 'lapse', operation: 'generate', input: { tool: 'avatar_video', seconds: 5 }, capture: false }, key());
      clock.set('2026-03-11T00:01:00Z');
      await ledger.captureCharge(video.id, { usage: { seconds: 1 } }, key());
      clock.set('2026-03-11T00:10:00Z'); // the face swap's hold has timed out
      // The video took 7 daily + 3 signup and captured 2: the 3 came back to the signup grant,
      // 5 daily credits were reissued, and so were the face swap's 3.
      expect(await kinds('lapse')).toEqual([['signup', '50'], ['refund', '8']]);
      const { entries } = await ledger.entries('lapse', 0, 100);
      expect(entries.filter((e) => e.kind === 'forfeit')).toEqual([]);
      await audit('lapse');
    });

    it('lets a released hold of expired daily credits lapse when the pack forfeits them (PixAI, the default)', async () => {
      await ledger.createAccount({ id: 'px', pack: 'pixai' }, key());
      clock.set('2026-03-10T23:58:00Z');
      await ledger.dailyClaim('px', key());
      const h = await ledger.createCharge({ account: 'px', operation: 'generate_image', input: { width: 1024, height: 1024 }, capture: false }, key());
      expect(h.draws).toEqual([expect.objectContaining({ kind: 'daily', amount: '1500' })]);
      clock.set('2026-03-11T00:01:00Z');
      await ledger.releaseCharge(h.id, key());
      expect((await ledger.account('px')).balance).toBe('0');
      const { entries } = await ledger.entries('px', 0, 100);
      expect(entries.slice(-3).map((e) => [e.kind, e.amount, e.balance_change])).toEqual([['expire', '8500', '-8500'], ['release', '1500', '0'], ['forfeit', '1500', '0']]);
      await audit('px');
    });
  });
  describe('F3: credits held across a PixelFlow renewal follow the rollover', () => {
    const run = (id: string, seconds: number) =>
      ledger.createCharge({ account: id, operation: 'run_model', input: { model: 'flux-dev', gpu_seconds: seconds }, capture: false }, key());
    async function heldAcrossRenewal(id: string, seconds = 20_000) {
      clock.set('2026-01-05T00:00:00Z');
      await ledger.createAccount({ id, pack: 'pixelflow', plan: 'pro' }, key());
      clock.set('2026-02-04T23:30:00Z');
      const h = await run(id, seconds);
      expect(h.draws[0]).toMatchObject({ kind: 'subscription', expires_at: '2026-02-05T00:00:00.000Z' });
      clock.set('2026-02-05T00:10:00Z');
      return h;
    }

    it('gives a capture\'s return to the grant the leftover rolled into', async () => {
      const h = await heldAcrossRenewal('cap');
      expect(h.held).toBe('36');
      const c = await ledger.captureCharge(h.id, { usage: { gpu_seconds: 100 } }, key());
      expect(c.captured).toBe('0.18');
      // 118 − 0.18 carried over, $59 for the new month, the $1 pre-load.
      expect((await ledger.account('cap')).balance).toBe('177.82');
      await audit('cap');
    });

    it('gives a release to it too', async () => {
      const h = await heldAcrossRenewal('rel');
      await ledger.releaseCharge(h.id, key());
      expect((await ledger.account('rel')).balance).toBe('178');
      await audit('rel');
    });

    it('and a hold that times out after the renewal', async () => {
      await heldAcrossRenewal('exp');
      clock.set('2026-02-05T01:00:00Z'); // an hour after the hold: it has expired
      expect((await ledger.account('exp')).balance).toBe('178');
      await audit('exp');
    });

    it('and a refund, also when the whole grant was held and nothing was left to roll over', async () => {
      const h = await heldAcrossRenewal('all', 65_555.56); // $118.000008: all of it, and a bit of the pre-load
      const c = await ledger.captureCharge(h.id, {}, key());
      expect(c.draws.map((d) => [d.kind, d.amount])).toEqual([['subscription', '118'], ['signup', '0.000008']]);
      expect((await ledger.account('all')).balance).toBe('59.999992');
      await ledger.refundCharge(h.id, { amount: '100' }, key());
      // Last drawn, first refunded: the pre-load's bit, then 99.999992 into the new allowance.
      expect(await kinds('all')).toEqual([['subscription', '158.999992'], ['signup', '1']]);
      await audit('all');
    });

    it('follows the rollover across two renewals', async () => {
      const h = await heldAcrossRenewal('two');
      clock.set('2026-03-05T00:30:00Z');
      await ledger.releaseCharge(h.id, key()).catch(() => undefined); // expired already: released by itself
      expect((await ledger.account('two')).balance).toBe(String(118 + 59 + 59 + 1));
      await audit('two');
    });
  });

  describe('F4: the PixelFlow first-month doubling happens once per account', () => {
    it('does not double the plan credits again on a re-subscription', async () => {
      await ledger.createAccount({ id: 'again', pack: 'pixelflow', plan: 'pro' }, key());
      expect(await kinds('again')).toEqual([['subscription', '118'], ['signup', '1']]);
      await ledger.membership('again', { action: 'cancel' }, key());
      clock.set('2026-04-20T12:00:00Z');
      expect((await ledger.account('again')).plan).toBe('free');
      await ledger.membership('again', { action: 'subscribe', plan: 'pro' }, key());
      expect(await kinds('again')).toEqual([['subscription', '59'], ['signup', '1']]);
      const q = await ledger.quote({ pack: 'pixelflow', operation: 'plan_credits', input: {}, account: 'again' });
      expect(q.account_inputs).toMatchObject({ month_of_subscription: 2 });
    });
  });

  describe('F8: subscription periods are counted from the first period\'s start', () => {
    it('ends a subscription started on the 31st on each month\'s last day, not the 28th forever', async () => {
      clock.set('2026-01-31T12:00:00Z');
      await ledger.createAccount({ id: 'eom', pack: 'picsart', plan: 'pro' }, key());
      const ends: string[] = [];
      for (const at of ['2026-01-31T12:00:00Z', '2026-02-28T12:00:00Z', '2026-03-31T12:00:00Z', '2026-04-30T12:00:00Z']) {
        clock.set(at);
        ends.push((await ledger.account('eom')).subscription!.period_end!);
      }
      expect(ends).toEqual(['2026-02-28T12:00:00.000Z', '2026-03-31T12:00:00.000Z', '2026-04-30T12:00:00.000Z', '2026-05-31T12:00:00.000Z']);
    });

    it('catches up several periods at once on the same anchor', async () => {
      clock.set('2026-01-31T12:00:00Z');
      await ledger.createAccount({ id: 'idle', pack: 'picsart', plan: 'pro' }, key());
      clock.set('2026-07-01T00:00:00Z');
      expect((await ledger.account('idle')).subscription).toMatchObject({ period: 6, period_start: '2026-06-30T12:00:00.000Z', period_end: '2026-07-31T12:00:00.000Z' });
    });
  });
  describe('F7: a local day starts at its first instant, also when DST skips midnight', () => {
    it.each([
      ['America/Santiago', '2026-09-06T03:30:00Z', '2026-09-06T04:00:00.000Z'],
      ['America/Havana', '2026-03-08T04:30:00Z', '2026-03-08T05:00:00.000Z'],
      ['America/New_York', '2026-03-08T04:30:00Z', '2026-03-08T05:00:00.000Z'],
      ['America/New_York', '2026-11-01T03:30:00Z', '2026-11-01T04:00:00.000Z'],
    ])('a daily grant claimed late on the eve of a change in %s lasts until the next day starts', async (zone, at, end) => {
      clock.set(at);
      await ledger.createAccount({ id: 'dst', pack: 'modelpix', time_zone: zone }, key());
      const { grants } = await ledger.dailyClaim('dst', key());
      expect(grants[0]).toMatchObject({ kind: 'daily', expires_at: end });
      expect((await ledger.account('dst')).balance).toBe('60');
    });
  });

  describe('F6: amounts have one upper bound', () => {
    it('refuses a rule amount past 10^15 minor units with invalid_amount rather than failing in the store', async () => {
      await ledger.createAccount({ id: 'big', pack: 'pixelflow', billing: 'postpaid' }, key());
      const e = await rejects(ledger.createCharge({ account: 'big', operation: 'run_model', input: { model: 'flux-dev', gpu_seconds: 1e12 }, capture: true }, key()), 'invalid_amount');
      expect(e.details).toEqual({ maximum: '1000000000' });
      await rejects(ledger.grant('big', { kind: 'purchase', amount: '1000000000.000001' }, key()), 'invalid_amount');
      expect((await ledger.grant('big', { kind: 'purchase', amount: '1000000000' }, key())).amount).toBe('1000000000');
    });
  });
  describe('F5: a postpaid overdraft is paid down by top-ups and reset by a settlement', () => {
    const run = (id: string) => ledger.createCharge({ account: id, operation: 'run_model', input: { model: 'flux-dev', gpu_seconds: 1000 }, capture: true }, key());

    it('pays the overdraft from a top-up first, with entries saying so', async () => {
      await ledger.createAccount({ id: 'owe', pack: 'pixelflow', billing: 'postpaid', overdraft_limit: '50' }, key());
      await run('owe'); // $1.80: $1 of pre-load, $0.80 owed
      expect(await ledger.account('owe')).toMatchObject({ balance: '-0.8', overdraft_used: '0.8' });
      const t = await ledger.topup('owe', { usd: '5' }, key());
      expect(t.grants.map((g) => [g.kind, g.amount, g.remaining])).toEqual([['purchase', '5', '4.2']]);
      expect(t.account).toMatchObject({ balance: '4.2', overdraft_used: '0', available: '54.2' });
      const { entries } = await ledger.entries('owe', 0, 100);
      expect(entries.slice(-2).map((e) => [e.kind, e.amount, e.balance_change, e.grant === null])).toEqual([
        ['overdraft_payment', '0.8', '-0.8', false], ['overdraft_payment', '0.8', '0.8', true],
      ]);
      // A grant smaller than the debt pays what it can.
      await run('owe'); await run('owe'); await run('owe'); // 5.4 more: 4.2 from the purchase, 1.2 owed
      const g = await ledger.grant('owe', { kind: 'purchase', amount: '1' }, key());
      expect(g.remaining).toBe('0');
      expect(await ledger.account('owe')).toMatchObject({ overdraft_used: '0.2', balance: '-0.2' });
      await audit('owe');
    });

    it('settles the billed usage: the overdraft is reset, once per key', async () => {
      await ledger.createAccount({ id: 'bill', pack: 'pixelflow', billing: 'postpaid', overdraft_limit: '2' }, key());
      await run('bill');
      await rejects(run('bill'), 'insufficient_credits'); // $2.60 owed would pass the $2 limit
      expect((await ledger.account('bill')).overdraft_used).toBe('0.8');
      const k = key();
      const s1 = await ledger.settle('bill', k);
      expect(s1).toMatchObject({ settled: '0.8', account: { overdraft_used: '0', balance: '0', available: '2' } });
      expect(await ledger.settle('bill', k)).toEqual(s1);
      expect((await ledger.settle('bill', key())).settled).toBe('0');
      expect((await run('bill')).captured).toBe('1.8');
      const { entries } = await ledger.entries('bill', 0, 100);
      expect(entries.filter((e) => e.kind === 'settlement').map((e) => [e.amount, e.balance_change])).toEqual([['0.8', '0.8']]);
      await audit('bill');
      await ledger.createAccount({ id: 'prepaid', pack: 'pixelflow' }, key());
      await rejects(ledger.settle('prepaid', key()), 'not_supported');
    });
  });
});
