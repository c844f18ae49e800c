// Group commit on both stores: transactions that arrive together commit together, and one
// that fails is undone alone — whether it failed before writing anything or after writing.
// PostgreSQL batches the mutations that name an account, one lane here so all share a batch.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.ts';
import type { ApiKeyRecord } from '../../src/ledger/records.ts';
import { BatchQueue, type Job, type Outcome } from '../../src/ledger/store/batches.ts';
import { commit } from '../../src/ledger/store/pg-group-commit.ts';
import { PostgresStore } from '../../src/ledger/store/postgres-store.ts';
import type { Store, WriteTx } from '../../src/ledger/store/store.ts';
import { dropSchema, key, packs, PG_URL, rejects, storeKinds, type StoreKind } from './harness.ts';

const apiKey = (id: string): ApiKeyRecord => ({ id, secretHash: `hash-${id}`, scope: 'quote', accounts: [], label: null, createdAt: 0, revokedAt: null });

type Step = 'write' | 'fail' | 'duplicate';

/** A transaction doing its steps in order: insert its own key, throw, or insert a key that exists. */
const job = (id: string, steps: Step[]) => async (tx: WriteTx) => {
  for (const step of steps) {
    if (step === 'write') await tx.insertApiKey(apiKey(id));
    if (step === 'fail') throw new Error(`${id} failed`);
    if (step === 'duplicate') await tx.insertApiKey(apiKey('existing'));
  }
  return id;
};

const cases: { name: string; jobs: Record<string, Step[]>; committed: string[] }[] = [
  { name: 'all succeed', jobs: { a: ['write'], b: ['write'], c: ['write'] }, committed: ['a', 'b', 'c'] },
  { name: 'one fails before writing', jobs: { a: ['write'], b: ['fail', 'write'], c: ['write'] }, committed: ['a', 'c'] },
  { name: 'one fails after writing', jobs: { a: ['write'], b: ['write', 'fail'], c: ['write'] }, committed: ['a', 'c'] },
  { name: 'one breaks a constraint after writing', jobs: { a: ['write'], b: ['write', 'duplicate'], c: ['write'] }, committed: ['a', 'c'] },
  { name: 'the first and the last fail after writing', jobs: { a: ['write', 'fail'], b: ['write'], c: ['write', 'fail'] }, committed: ['b'] },
];

describe('the batch queue both stores commit through', () => {
  it('runs a job pushed just as the one before it was answered', async () => {
    // A commit that does no I/O: everything below happens in a bounded number of event-loop
    // turns, so a job left waiting in the queue shows as not done, with no time limit.
    const queue = new BatchQueue<Job>(8, async (batch) => batch.map((): Outcome => ({ ok: true, value: undefined })));
    const push = () => new Promise<unknown>((resolve, reject) => queue.push({ work: async () => undefined, resolve, reject }));
    let done = 0;
    void (async () => {
      // Each job is pushed by the continuation of the last one's answer, the moment its batch ends.
      for (let i = 0; i < 5; i++) {
        await push();
        done++;
      }
    })();
    for (let turn = 0; turn < 100 && done < 5; turn++) await new Promise((r) => setImmediate(r));
    expect(done).toBe(5);
    expect(queue.busy).toBe(false);
  });
});

describe.each(storeKinds)('$name group commit', (kind) => {
  let opened: Awaited<ReturnType<StoreKind['open']>>;
  let store: Store;

  beforeEach(async () => {
    opened = await kind.open({ lanes: 1 });
    store = opened.store;
    await store.transaction((tx) => tx.insertApiKey(apiKey('existing')));
  });
  afterEach(async () => {
    await opened.dispose();
  });

  /** Starts the jobs in one tick, so they share a batch; returns how each ended. */
  async function batch(jobs: Record<string, Step[]>, prefix: string) {
    const results = await Promise.allSettled(Object.entries(jobs).map(([id, steps]) => store.transaction(job(`${prefix}${id}`, steps), { account: id })));
    return Object.fromEntries(Object.keys(jobs).map((id, i) => [id, results[i]!.status]));
  }

  it.each(cases)('$name: the others commit and the failed ones leave nothing', async ({ jobs, committed }) => {
    // Twice: the second batch runs right after a batch that had to be run again.
    for (const prefix of ['first-', 'second-']) {
      const outcome = await batch(jobs, prefix);
      const want = Object.fromEntries(Object.keys(jobs).map((id) => [id, committed.includes(id) ? 'fulfilled' : 'rejected']));
      expect(outcome).toEqual(want);
      const ids = (await store.apiKeys()).map((k) => k.id).filter((id) => id.startsWith(prefix)).sort();
      expect(ids).toEqual(committed.map((id) => `${prefix}${id}`));
    }
  });

  it('rejects a failed transaction with its own error', async () => {
    const [ok, failed] = await Promise.allSettled([store.transaction(job('x', ['write']), { account: 'x' }), store.transaction(job('y', ['write', 'fail']), { account: 'y' })]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'x' });
    expect(failed).toMatchObject({ status: 'rejected', reason: { message: 'y failed' } });
  });
});

describe('PostgreSQL group commit', () => {
  const schema = `t_gcpg_${randomBytes(6).toString('hex')}`;
  let a: PostgresStore;
  let b: PostgresStore;
  let client: pg.Client;

  beforeEach(async () => {
    a = await PostgresStore.open({ connectionString: PG_URL, schema, lanes: 1 });
    b = await PostgresStore.open({ connectionString: PG_URL, schema });
    client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
  });
  afterEach(async () => {
    await client.end();
    await a.close();
    await b.close();
    await dropSchema(schema);
  });

  it('commits the mutations that arrive together in one transaction', async () => {
    const ids = ['p', 'q', 'r', 's'];
    await Promise.all(ids.map((id) => a.transaction(job(`one-${id}`, ['write']), { account: id })));
    // Rows written by one transaction carry its id.
    const { rows } = await client.query("SELECT DISTINCT xmin::text FROM api_keys WHERE id LIKE 'one-%'");
    expect(rows).toHaveLength(1);
    // Without a hint, each runs alone.
    await Promise.all(ids.map((id) => a.transaction(job(`alone-${id}`, ['write']))));
    expect((await client.query("SELECT DISTINCT xmin::text FROM api_keys WHERE id LIKE 'alone-%'")).rows).toHaveLength(4);
  });

  it('charges once for a key sent to two servers at once, and answers both alike', async () => {
    const [la, lb] = [await Ledger.open(a, packs()), await Ledger.open(b, packs())];
    await la.createAccount({ id: 'twice', pack: 'modelpix' }, key());
    await la.topup('twice', { credits: '100000' }, key());
    const before = Number((await la.account('twice')).available);
    const request = { account: 'twice', operation: 'generate', input: { tool: 'face_swap' }, capture: true };
    let cost = 0;
    for (let round = 0; round < 12; round++) {
      const k = key();
      // Other charges of the account ride in the same batches.
      const [x, y] = await Promise.all([
        la.createCharge(request, k), lb.createCharge(request, k),
        la.createCharge(request, key()), lb.createCharge(request, key()),
      ]);
      expect(y!.id).toBe(x!.id);
      cost = Number(x!.captured);
    }
    expect(Number((await client.query('SELECT COUNT(*) AS n FROM charges')).rows[0].n)).toBe(36);
    expect(Number((await client.query('SELECT COUNT(*) AS n FROM idempotency WHERE key LIKE \'k-%\'')).rows[0].n)).toBe(38);
    expect(cost).toBeGreaterThan(0);
    expect(Number((await la.account('twice')).available)).toBe(before - 36 * cost);
  });

  it('refuses a key reused with other parameters, in the same batch or from another server', async () => {
    const la = await Ledger.open(a, packs());
    const lb = await Ledger.open(b, packs());
    await la.createAccount({ id: 'reuse', pack: 'modelpix' }, key());
    await la.topup('reuse', { credits: '100000' }, key());
    const k = key();
    const one = { account: 'reuse', operation: 'generate', input: { tool: 'face_swap' }, capture: true };
    const other = { ...one, input: { tool: 'image_to_video', seconds: 5 } };
    const results = await Promise.allSettled([la.createCharge(one, k), la.createCharge(other, k), lb.createCharge(other, k)]);
    // The first to commit wins; the same request again is a replay of it, the other refused.
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(new Set(won.map((c) => c.id)).size).toBe(1);
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'idempotency_conflict' });
    const loser = won[0]!.input.tool === 'face_swap' ? other : one;
    await rejects(lb.createCharge(loser, k), 'idempotency_conflict');
    expect(Number((await client.query('SELECT COUNT(*) AS n FROM charges')).rows[0].n)).toBe(1);
  });

  it('refuses a key that another server claims at the same time for another account', async () => {
    const [la, lb] = [await Ledger.open(a, packs()), await Ledger.open(b, packs())];
    for (const id of ['left', 'right']) {
      await la.createAccount({ id, pack: 'modelpix' }, key());
      await la.topup(id, { credits: '100000' }, key());
    }
    const on = (account: string) => ({ account, operation: 'generate', input: { tool: 'face_swap' }, capture: true });
    for (let round = 0; round < 10; round++) {
      const k = key();
      // Different accounts: neither waits for the other's lock, both find the key free and
      // meet only at its insert.
      const results = await Promise.allSettled([la.createCharge(on('left'), k), lb.createCharge(on('right'), k)]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'idempotency_conflict' } });
    }
    expect(Number((await client.query('SELECT COUNT(*) AS n FROM charges')).rows[0].n)).toBe(10);
  });

  it("sends a capture, which names only its charge, to the lane of the charge's account", async () => {
    const many = await PostgresStore.open({ connectionString: PG_URL, schema, lanes: 8 });
    try {
      const ledger = await Ledger.open(many, packs());
      await ledger.createAccount({ id: 'lane', pack: 'modelpix' }, key());
      await ledger.topup('lane', { credits: '100000' }, key());
      const request = { account: 'lane', operation: 'generate', input: { tool: 'face_swap' } };
      for (let round = 0; round < 5; round++) {
        const held = await ledger.createCharge({ ...request, capture: false }, key());
        // Arriving together, on the same lane, they share a transaction.
        const [, other] = await Promise.all([ledger.captureCharge(held.id, {}, key()), ledger.createCharge({ ...request, capture: true }, key())]);
        const { rows } = await client.query('SELECT DISTINCT xmin::text FROM charges WHERE id = ANY($1)', [[held.id, other.id]]);
        expect(rows).toHaveLength(1);
      }
    } finally {
      await many.close();
    }
  });

  it('fails only the last job of a batch when a row it left to be sent last breaks a constraint', async () => {
    const entry = (accountId: string) => ({ accountId, at: 0, kind: 'grant' as const, amount: 1n, moved: null, grantId: null, chargeId: null, memo: null });
    const good = (id: string) => async (tx: WriteTx) => {
      await tx.insertApiKey(apiKey(id));
      return id;
    };
    // No such account: the entry row, sent with the batch's last statement, breaks the foreign key.
    const bad = async (tx: WriteTx) => {
      await tx.appendEntry(entry('no-such-account'));
      return 'bad';
    };
    const results = await Promise.allSettled([a.transaction(good('last-a'), { account: 'x' }), a.transaction(bad, { account: 'y' })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((await a.apiKeys()).map((k) => k.id)).toContain('last-a');
  });

  it('refuses to take a failed transaction for committed', async () => {
    await client.query('BEGIN');
    await client.query('SELECT 1/0').catch(() => undefined);
    await expect(commit(client)).rejects.toThrow(/not committed: the database answered ROLLBACK/);
  });
});
