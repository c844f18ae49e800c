// What both stores' group commits share: a queue of transactions waiting to be committed
// together, taken off in batches, each job told its own outcome.
import type { WriteTx } from './store.ts';

export interface Job {
  work: (tx: WriteTx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Commits what `queue` holds, `maxBatch` at a time, until it is empty; first lets the callers
 * of this turn of the event loop join. `commit` gives each job's outcome once the batch is
 * committed, or throws, and then every job of the batch is rejected with that error.
 */
export async function drain<J extends Job>(queue: J[], maxBatch: number, commit: (batch: J[]) => Promise<Outcome[]>): Promise<void> {
  await new Promise((r) => setImmediate(r));
  while (queue.length) {
    const batch = queue.splice(0, maxBatch);
    let outcomes: Outcome[];
    try {
      outcomes = await commit(batch);
    } catch (error) {
      for (const job of batch) job.reject(error);
      continue;
    }
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }
}
