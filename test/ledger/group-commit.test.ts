// SQLite group commit: transactions that arrive together commit together, and one that fails
// is undone alone — whether it failed before writing anything or after writing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../src/ledger/records.ts';
import { SqliteStore } from '../../src/ledger/store/sqlite-store.ts';
import type { WriteTx } from '../../src/ledger/store/store.ts';

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

describe('SQLite group commit', () => {
  let dir: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    store = new SqliteStore({ path: join(dir, 'ledger.db') });
    await store.transaction((tx) => tx.insertApiKey(apiKey('existing')));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the jobs in one tick, so they share a batch; returns how each ended. */
  async function batch(jobs: Record<string, Step[]>, prefix: string) {
    const results = await Promise.allSettled(Object.entries(jobs).map(([id, steps]) => store.transaction(job(`${prefix}${id}`, steps))));
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
    const [ok, failed] = await Promise.allSettled([store.transaction(job('x', ['write'])), store.transaction(job('y', ['write', 'fail']))]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'x' });
    expect(failed).toMatchObject({ status: 'rejected', reason: { message: 'y failed' } });
  });
});
