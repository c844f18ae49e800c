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
 * Jobs committed `maxBatch` at a time by `commit`, which gives each job's outcome once the
 * batch is committed, or throws, and then every job of the batch is rejected with that error.
 */
export class BatchQueue<J extends Job> {
  private readonly jobs: J[] = [];
  private running = false;

  constructor(
    private readonly maxBatch: number,
    private readonly commit: (batch: J[]) => Promise<Outcome[]>,
  ) {}

  push(job: J): void {
    this.jobs.push(job);
    if (!this.running) void this.drain();
  }

  /** Whether a batch is waiting or being committed. */
  get busy(): boolean {
    return this.running;
  }

  private async drain(): Promise<void> {
    this.running = true;
    // The loop's last look at the queue and clearing the flag happen in one step: a job pushed
    // after it starts a drain of its own.
    try {
      // Let the callers of this turn of the event loop join the first batch.
      await new Promise((r) => setImmediate(r));
      while (this.jobs.length) {
        const batch = this.jobs.splice(0, this.maxBatch);
        let outcomes: Outcome[];
        try {
          outcomes = await this.commit(batch);
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
    } finally {
      this.running = false;
    }
  }
}
