// The running usage totals (usage_counters, kept by triggers on charges) against a count of
// the charges themselves, after a random mix of holds, captures, releases, timeouts, refunds,
// subscriptions and days going by, in a zone half an hour off UTC.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/decimal.ts';
import { startOfDay, startOfMonth } from '../../src/ledger/calendar.ts';
import { LedgerError } from '../../src/ledger/errors.ts';
import type { Ledger } from '../../src/ledger/ledger.ts';
import type { ChargeView } from '../../src/ledger/views.ts';
import type { Store } from '../../src/ledger/store/store.ts';
import { auditLog } from './audit.ts';
import { Clock, key, openLedger, storeKinds } from './harness.ts';

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ZONE = 'Asia/Kolkata';

describe.each(storeKinds)('usage counters on $name', (kind) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let ledger: Ledger;
  let raw: { exec(sql: string): Promise<void> };
  const clock = new Clock(0);

  beforeEach(async () => {
    const opened = await openLedger(kind, clock, '2026-03-27T09:17:00Z');
    ({ store, dispose, ledger } = opened);
    raw = await rawConnection(opened);
  });
  afterEach(async () => dispose());

  /** Counts from the charges as the ledger shows them: held or captured, created at or after `since`. */
  async function fromCharges(ids: string[], since: number, operation?: string): Promise<{ requests: number; spend: string }> {
    let requests = 0;
    let spend = new Decimal(0);
    for (const id of ids) {
      const c: ChargeView = await ledger.charge(id);
      if (Date.parse(c.created_at) < since || (c.status !== 'held' && c.status !== 'captured')) continue;
      if (operation !== undefined && c.operation !== operation) continue;
      requests++;
      spend = spend.plus(c.captured ?? '0').minus(c.refunded);
    }
    return { requests, spend: spend.toFixed() };
  }

  async function check(account: string, ids: string[], extraSince: number[]): Promise<void> {
    const now = clock.now();
    const usage = await ledger.usage(account);
    const today = await fromCharges(ids, startOfDay(now, ZONE));
    const month = await fromCharges(ids, startOfMonth(now, ZONE));
    const total = await fromCharges(ids, 0);
    expect({ today: [usage.requests_today, usage.spend_today], month: [usage.requests_this_month, usage.spend_this_month], total: [usage.requests_total, usage.spend_total] })
      .toEqual({ today: [today.requests, today.spend], month: [month.requests, month.spend], total: [total.requests, total.spend] });
    const periodStart = (await ledger.account(account)).subscription?.period_start;
    const sinces = [...extraSince, ...(periodStart ? [Date.parse(periodStart)] : [])];
    for (const since of sinces) {
      for (const operation of ['train_lora', 'edit_image']) {
        const counted = await store.read((tx) => tx.countCharges(account, operation, since));
        expect(counted, `${operation} since ${new Date(since).toISOString()}`).toBe((await fromCharges(ids, since, operation)).requests);
        const recent = await store.read((tx) => tx.countRecentCharges(account, operation, since));
        expect(recent, `${operation} in the window from ${new Date(since).toISOString()}`).toBe(counted);
      }
    }
    expect(await store.read((tx) => tx.usageDrift(account))).toEqual([]);
  }

  it('equal a count of the charges after a random mix of operations', async () => {
    const rnd = random(13);
    const account = 'mix';
    await ledger.createAccount({ id: account, pack: 'pixai', plan: 'free', time_zone: ZONE }, key());
    await ledger.grant(account, { kind: 'purchase', amount: '1000000000' }, key());
    const ids: string[] = [];
    const held: string[] = [];
    const captured: string[] = [];
    for (let step = 0; step < 160; step++) {
      const r = rnd();
      try {
        if (r < 0.35) {
          const train = rnd() < 0.5;
          const c = await ledger.createCharge({
            account, operation: train ? 'train_lora' : 'edit_image', input: train ? { architecture: 'SDXL' } : { batch: 1 }, capture: rnd() < 0.5,
          }, key());
          ids.push(c.id);
          (c.status === 'held' ? held : captured).push(c.id);
        } else if (r < 0.5 && held.length) {
          const id = held.splice(Math.floor(rnd() * held.length), 1)[0]!;
          const c = await ledger.charge(id);
          if (c.status !== 'held') continue;
          if (rnd() < 0.5) {
            await ledger.captureCharge(id, {}, key());
            captured.push(id);
          } else {
            await ledger.releaseCharge(id, key());
          }
        } else if (r < 0.6 && captured.length) {
          const id = captured[Math.floor(rnd() * captured.length)]!;
          const c = await ledger.charge(id);
          if (c.status === 'captured' && c.refunded !== c.captured && c.captured !== '0') await ledger.refundCharge(id, { amount: rnd() < 0.5 ? c.captured! : '100' }, key());
        } else if (r < 0.65) {
          const subscribed = (await ledger.account(account)).plan !== 'free';
          await ledger.membership(account, subscribed ? { action: 'cancel' } : { action: 'subscribe', plan: 'starter' }, key());
        } else if (r < 0.85) {
          clock.advance(Math.floor(rnd() * 600));                              // within a hold's 15 minutes
        } else if (r < 0.93) {
          clock.advance(Math.floor(rnd() * 9 * 3600));                         // within the day, or across it
        } else {
          clock.advance(Math.floor((1 + rnd() * 20) * 86_400));                // days, sometimes across a month
        }
      } catch (e) {
        // A refusal (insufficient credits, nothing to refund, a plan the rule refuses) changes nothing.
        if (!(e instanceof LedgerError)) throw e;
      }
      if (step % 20 === 19) await check(account, ids, [clock.now() - 5 * 3600_000, clock.now() - Math.floor(rnd() * 40 * 86_400_000)]);
    }
    await check(account, ids, [1, clock.now() - 3600_000, clock.now() + 1]);
    await auditLog(ledger, account);
    // The mix did reach every kind of change.
    const statuses = new Set<string>();
    for (const id of ids) {
      const c = await ledger.charge(id);
      statuses.add(c.status === 'captured' && c.refunded !== '0' ? 'refunded' : c.status);
    }
    expect([...statuses].sort()).toEqual(expect.arrayContaining(['captured', 'refunded', 'released']));
    expect(ids.length).toBeGreaterThan(20);
  });

  it('are caught by the audit when they drift, and a read that finds a straddling bucket counts the log', async () => {
    await ledger.createAccount({ id: 'drift', pack: 'pixai', plan: 'free', time_zone: ZONE }, key());
    await ledger.grant('drift', { kind: 'purchase', amount: '1000000' }, key());
    for (let i = 0; i < 3; i++) await ledger.createCharge({ account: 'drift', operation: 'edit_image', input: { batch: 1 }, capture: true }, key());
    await auditLog(ledger, 'drift');
    await raw.exec("UPDATE usage_counters SET requests = requests + 1 WHERE account_id = 'drift' AND span = 'all'");
    const drift = await store.read((tx) => tx.usageDrift('drift'));
    expect(drift).toEqual([expect.objectContaining({ span: 'all', operation: 'edit_image', stored: expect.objectContaining({ requests: 4 }), log: expect.objectContaining({ requests: 3 }) })]);
    await expect(auditLog(ledger, 'drift')).rejects.toThrow(/usage counters of drift/);
    await raw.exec("UPDATE usage_counters SET requests = requests - 1 WHERE account_id = 'drift' AND span = 'all'");

    // Buckets made in another zone (as after a change of the pack's zone) straddle today's
    // start here: the read sees it and counts the charges instead.
    await raw.exec("UPDATE usage_counters SET start = start - 7200000 WHERE account_id = 'drift' AND span = 'bucket'");
    await raw.exec("UPDATE charges SET usage_bucket = usage_bucket - 7200000 WHERE account_id = 'drift'");
    const since = startOfDay(clock.now(), ZONE);
    expect(await store.read((tx) => tx.countCharges('drift', 'edit_image', since))).toBe(3);
    expect((await ledger.usage('drift')).requests_today).toBe(3);
  });
});

/** A connection of its own to the test's database, to change rows behind the ledger. */
async function rawConnection(opened: { schema?: string; path?: string }): Promise<{ exec(sql: string): Promise<void> }> {
  if (opened.path) {
    const { default: Database } = await import('better-sqlite3');
    return {
      async exec(sql) {
        const db = new Database(opened.path!);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
    };
  }
  const { default: pg } = await import('pg');
  const { PG_URL } = await import('./pg-url.ts');
  return {
    async exec(sql) {
      const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${opened.schema}` });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
  };
}
