// PostgreSQL group commit. A mutation that names its account (directly or by a charge) joins
// a lane chosen by the account's affinity (ids.ts; else by the name), and a lane commits what
// has queued meanwhile as one transaction on one pooled connection: one BEGIN, one COMMIT and
// one WAL flush for the batch, and the mutations of one account follow each other without
// waiting for its row lock in between. Lanes run side by side on their own connections.
//
// A batch first locks all its accounts in id order: batches, here or on another server, then
// never wait for each other in a cycle. Jobs run one after another without savepoints (most
// fail, if at all, before writing: the ledger checks and plans first); a job that fails
// having written, or a statement error (which aborts the transaction), rolls the batch back
// and it runs again with a savepoint per job, as do the next few batches. Idempotency keys
// are read for the whole batch once its accounts are locked, and inserted with the response,
// so a job that fails before writing leaves nothing; a concurrent claim of the same key makes
// the insert fail, and the job runs again and finds the response.
import type pg from 'pg';
import { affinityOf } from '../ids.ts';
import { BatchQueue, type Job as BaseJob, type Outcome } from './batches.ts';
import { Runner } from './pg-runner.ts';
import { SqlTx } from './sql-tx.ts';
import type { LockHint, StoredResponse, WriteTx } from './store.ts';

interface Job extends BaseJob {
  lock: LockHint;
}

/** Thrown inside a batch run without savepoints when a job failed having written. */
class Undone extends Error {}

// Serialization failures and deadlocks are safe to retry: the transaction did nothing.
export const RETRYABLE = new Set(['40001', '40P01']);

const retryable = (e: unknown) => RETRYABLE.has((e as { code?: string }).code ?? '');

/** A job whose key another transaction claimed meanwhile: run again, it finds the response. */
const keyTaken = (e: unknown) => {
  const { code, constraint } = e as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'idempotency_pkey';
};

/** COMMIT, refusing to take a transaction that had failed (PostgreSQL answers its COMMIT with ROLLBACK) for committed. */
export async function commit(client: pg.ClientBase): Promise<void> {
  const { command } = await client.query('COMMIT');
  if (command !== 'COMMIT') throw new Error(`the transaction was not committed: the database answered ${command}`);
}

/** Connections whose ROLLBACK failed, to close instead of returning to the pool. */
const broken = new WeakSet<pg.PoolClient>();

const ATTEMPTS = 5;
const GUARDED_BATCHES = 16;

const PRELOCK = `SELECT id FROM accounts
  WHERE id IN (SELECT unnest($1::text[]) UNION ALL SELECT account_id FROM charges WHERE id = ANY($2::text[]))
  ORDER BY id FOR UPDATE`;

// After the locks, in a statement of its own: its snapshot then has what the transactions
// that held them committed.
const KEYS = 'SELECT key, request_hash, response FROM idempotency WHERE key = ANY($1::text[])';

interface LaneState {
  /** Batches left to run with a savepoint per job. */
  guarded: number;
}

/** Locks the batch's accounts in id order, then reads its idempotency keys (null: free). */
async function lockAndReadKeys(client: pg.PoolClient, batch: Job[]): Promise<Map<string, StoredResponse | null>> {
  const accounts = batch.flatMap((j) => (j.lock.account === undefined ? [] : [j.lock.account]));
  const charges = batch.flatMap((j) => (j.lock.charge === undefined ? [] : [j.lock.charge]));
  await client.query({ name: 'group-prelock', text: PRELOCK, values: [accounts, charges] });
  const keys = batch.flatMap((j) => (j.lock.key === undefined ? [] : [j.lock.key]));
  const known = new Map<string, StoredResponse | null>(keys.map((k) => [k, null]));
  for (const r of (await client.query({ name: 'group-keys', text: KEYS, values: [keys] })).rows) {
    known.set(r.key as string, { requestHash: r.request_hash as string, response: r.response as string });
  }
  return known;
}

export class GroupCommit {
  private readonly lanes: BatchQueue<Job>[];

  constructor(
    private readonly pool: pg.Pool,
    lanes: number,
    maxBatch: number,
  ) {
    this.lanes = Array.from({ length: Math.max(1, lanes) }, () => {
      const lane: LaneState = { guarded: 0 };
      return new BatchQueue<Job>(maxBatch, (batch) => this.commit(batch, lane));
    });
  }

  run<T>(work: (tx: WriteTx) => Promise<T>, lock: LockHint): Promise<T> {
    const lane = this.lanes[(lock.affinity ?? affinityOf(lock.account ?? lock.charge ?? '')) % this.lanes.length]!;
    return new Promise<T>((resolve, reject) => {
      lane.push({ work, lock, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** Resolves once no lane has work left. */
  async idle(): Promise<void> {
    while (this.lanes.some((l) => l.busy)) await new Promise((r) => setImmediate(r));
  }

  private async commit(batch: Job[], lane: LaneState): Promise<Outcome[]> {
    let guarded = lane.guarded > 0;
    if (guarded) lane.guarded--;
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        return await this.attempt(client, batch, guarded);
      } catch (error) {
        if (error instanceof Undone) {
          guarded = true;
          lane.guarded = GUARDED_BATCHES;
          continue;
        }
        if (attempt < ATTEMPTS && (retryable(error) || (!guarded && keyTaken(error)))) {
          guarded = true;
          continue;
        }
        throw error;
      } finally {
        // A connection that could not even roll back is closed, not reused.
        client.release(broken.delete(client));
      }
    }
  }

  private async attempt(client: pg.PoolClient, batch: Job[], guarded: boolean): Promise<Outcome[]> {
    await client.query('BEGIN');
    try {
      // A job alone locks its one account itself and reads its own key: two round trips fewer.
      const known = batch.length > 1 ? await lockAndReadKeys(client, batch) : new Map<string, StoredResponse | null>();
      const runner = new Runner(client, known);
      const tx = new SqlTx(runner);
      const outcomes: Outcome[] = [];
      for (const job of batch) outcomes.push(guarded ? await this.guardedJob(client, runner, tx, job) : await this.job(runner, tx, job));
      // Unguarded, the rows still deferred may be the last job's: a failure there is a job's.
      await runner.flush().catch((error) => {
        throw guarded ? error : new Undone();
      });
      await commit(client);
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken.add(client);
      });
      throw error;
    }
  }

  private async job(runner: Runner, tx: WriteTx, job: Job): Promise<Outcome> {
    const writes = runner.writes;
    try {
      return { ok: true, value: await job.work(tx) };
    } catch (error) {
      if (runner.writes !== writes) throw new Undone();
      return { ok: false, error };
    }
  }

  private async guardedJob(client: pg.PoolClient, runner: Runner, tx: WriteTx, job: Job): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      await client.query('SAVEPOINT job');
      try {
        const value = await job.work(tx);
        await runner.flush();
        await client.query('RELEASE SAVEPOINT job');
        return { ok: true, value };
      } catch (error) {
        runner.discardDeferred();
        // What the job saved is undone, and a retry must see a claim made meanwhile.
        runner.knownKeys?.clear();
        await client.query('ROLLBACK TO SAVEPOINT job');
        await client.query('RELEASE SAVEPOINT job');
        if (attempt < ATTEMPTS && (retryable(error) || keyTaken(error))) continue;
        return { ok: false, error };
      }
    }
  }
}
