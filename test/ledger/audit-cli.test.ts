// `credits audit` and Ledger.audit: every balance recomputed from the log, drift reported.
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/audit.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { Clock, key, packs, PG_URL, storeKinds } from './harness.ts';

describe.each(storeKinds)('credits audit on $name', (kind) => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('reports no drift after grants expire, then names a balance changed behind the log', async () => {
    const opened = await kind.open();
    dispose = opened.dispose;
    const clock = new Clock(Date.parse('2026-03-10T20:00:00Z'));
    const ledger = await Ledger.open(opened.store, packs(), { clock: clock.now });
    await ledger.createAccount({ id: 'a1', pack: 'modelpix' }, key());
    await ledger.dailyClaim('a1', key());
    const g = await ledger.grant('a1', { kind: 'purchase', amount: '30' }, key());
    clock.set('2026-03-12T00:00:00Z');
    expect(await ledger.audit()).toEqual({ accounts_checked: 1, drift: [] });

    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const database = opened.path ?? PG_URL;
    expect(await auditCommand({ database, schema: opened.schema }, io)).toBe(0);
    expect(out.at(-1)).toBe('1 account checked: every balance equals the sum of its log');

    // A balance changed behind the ledger's back: the log no longer sums to it.
    const sql = 'UPDATE grants SET remaining = remaining - 5 WHERE id = $1';
    if (opened.path) {
      const db = new Database(opened.path);
      db.prepare(sql.replace('$1', '?')).run(g.id);
      db.close();
    }
    else {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`SET search_path TO ${opened.schema}`);
      await c.query(sql, [g.id]);
      await c.end();
    }
    out.length = 0;
    expect(await auditCommand({ database, schema: opened.schema }, io)).toBe(1);
    expect(out).toEqual([`drift: account a1 grant ${g.id}: the log sums to 30, the store holds 25`, '1 account checked: 1 balance drifted']);
  });
});
