// Fixes from the r1 review of the ledger's integration surface, each pinned on both stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.ts';
import type { Store } from '../../src/ledger/store/store.ts';
import { Clock, key, openLedger, storeKinds } from './harness.ts';

const DAY = 86_400_000;

describe.each(storeKinds)('ledger review (r1) on $name', (kind) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let ledger: Ledger;
  const clock = new Clock(0);

  beforeEach(async () => ({ store, dispose, ledger } = await openLedger(kind, clock)));
  afterEach(async () => dispose());

  it('a batch of expiring grants skips those the endpoint was told of already, so announced grants never crowd out the rest', async () => {
    await ledger.createAccount({ id: 'exp', pack: 'modelpix' }, key());
    const soon = (days: number) => new Date(clock.now() + days * DAY).toISOString();
    const first = await ledger.grant('exp', { kind: 'purchase', amount: '30', expires_at: soon(2) }, key());
    const second = await ledger.grant('exp', { kind: 'purchase', amount: '20', expires_at: soon(3) }, key());
    const { webhook } = await ledger.webhooks.create({ url: 'http://127.0.0.1:9/hooks', events: ['credits.expiring'], expiring_within_days: 7 }, key());
    const now = clock.now();
    const batchOfOne = () => store.transaction((tx) => tx.integration.expiringGrants(webhook.id, now, now + 7 * DAY, [], 1));
    expect((await batchOfOne()).map((x) => x.grant.id)).toEqual([first.id]);
    expect(await store.transaction((tx) => tx.integration.claimAlert(webhook.id, `grant:${first.id}`))).toBe(true);
    // Before the fix the batch was the first grant again, every run, and the second was never announced.
    expect((await batchOfOne()).map((x) => x.grant.id)).toEqual([second.id]);
  });
});

describe.each(storeKinds)('settling a postpaid account (r1) on $name', (kind) => {
  let dispose: () => Promise<void>;
  let ledger: Ledger;
  const clock = new Clock(0);

  beforeEach(async () => ({ dispose, ledger } = await openLedger(kind, clock)));
  afterEach(async () => dispose());

  it('settles only captured usage: a hold on the overdraft stays owed, and its release gives no credits back', async () => {
    await ledger.createAccount({ id: 'bill', pack: 'pixelflow', billing: 'postpaid', overdraft_limit: '50' }, key());
    const run = (capture: boolean) => ledger.createCharge({ account: 'bill', operation: 'run_model', input: { model: 'flux-dev', gpu_seconds: 1000 }, capture }, key());
    expect((await run(true)).captured).toBe('1.8'); // 1 from the signup credits, 0.8 owed
    const held = await run(false);
    expect((await ledger.account('bill')).overdraft_used).toBe('2.6');
    // Before the fix the held 1.8 was settled as if used, and its release then made it a new purchase grant.
    expect((await ledger.settle('bill', key())).settled).toBe('0.8');
    expect(await ledger.account('bill')).toMatchObject({ overdraft_used: '1.8', balance: '-1.8' });
    await ledger.releaseCharge(held.id, key());
    const after = await ledger.account('bill');
    expect(after).toMatchObject({ overdraft_used: '0', balance: '0' });
    expect(after.balances).toEqual([]);
    expect((await ledger.audit()).drift).toEqual([]);
  });
});
