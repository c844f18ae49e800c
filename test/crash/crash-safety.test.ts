// Crash safety of the real server: clients drive a seeded mix of charges, holds, captures,
// releases, refunds and top-ups with idempotency keys while servers are SIGKILLed at request
// counts and restarted; in-flight requests are retried with their keys (a few charges are
// given up instead). Then the store is audited against itself and the clients' record. On
// SQLite with one server, and on PostgreSQL with two servers over one schema, where the other
// keeps serving while one is down. Part of `npm test`; `npm run test:crash` runs it alone.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.ts';
import { PostgresStore } from '../../src/ledger/store/postgres-store.ts';
import { SqliteStore } from '../../src/ledger/store/sqlite-store.ts';
import type { Store } from '../../src/ledger/store/store.ts';
import { seededRandom } from '../../src/seeded-random.ts';
import { dropSchema, packs, PG_URL } from '../ledger/harness.ts';
import { auditRun, sameInput } from './crash-audit.ts';
import { Cluster, ServerProcess } from './server-process.ts';
import { ACCOUNTS, ADMIN_KEY, newRecord, openAccounts, runClient, send, type RunRecord } from './workload.ts';

const SEED = Number(process.env.CRASH_SEED ?? 13);
const CLIENTS = 6;
const OPS_PER_CLIENT = 50;

/** Kill points spread over the run's requests, each moved by a seeded jitter. */
function killPoints(kills: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const span = CLIENTS * OPS_PER_CLIENT;
  return Array.from({ length: kills }, (_, i) => Math.floor(((i + 1) * span) / (kills + 1) + (rand() - 0.5) * (span / (kills + 2))));
}

/** Every acknowledged request sent again with its key: the same answer, marked as a replay. */
async function replayProblems(cluster: Cluster, record: RunRecord): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, { sent, response }] of record.acked.entries()) {
    const again = (await send(cluster, i, sent, record))!;
    if (!again.replayed || JSON.stringify(again.body) !== JSON.stringify(response)) {
      problems.push(`${sent.path} with key ${sent.key} answered ${again.status} ${again.replayed ? 'replayed' : 'not replayed'}: ${JSON.stringify(again.body)}, first ${JSON.stringify(response)}`);
    }
  }
  return problems;
}

// A run cut off by the hung-run limit never reaches its `finally`: its servers are killed here.
const everyServer: ServerProcess[] = [];
afterAll(() => Promise.all(everyServer.map((s) => s.kill())));

async function crashRun(servers: ServerProcess[], kills: number, openStore: () => Promise<Store>): Promise<void> {
  everyServer.push(...servers);
  const cluster = new Cluster(servers, killPoints(kills, SEED));
  const record = newRecord();
  try {
    await cluster.startAll();
    await openAccounts(cluster, record, SEED);
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => runClient(cluster, record, c, OPS_PER_CLIENT, SEED)));
    await cluster.settle();
    expect(cluster.kills, `kills (requests sent: ${cluster.sent})`).toBe(kills);
    expect(record.retries, 'requests retried with their keys after a kill').toBeGreaterThan(0);
    if (servers.length > 1) for (const n of cluster.servedWhileDown) expect(n, 'answers from the other server while one was down').toBeGreaterThan(0);
    expect(await replayProblems(cluster, record)).toEqual([]);
  } finally {
    await cluster.stopAll();
  }

  const store = await openStore();
  try {
    const ledger = await Ledger.open(store, packs());
    const audit = await auditRun(ledger, record, ACCOUNTS);
    expect(audit.problems).toEqual([]);
    console.log(`${servers.length} server(s): ${cluster.sent} requests, ${cluster.kills} kills, ${record.retries} retries (${record.replayedRetries} answered as replays), ${record.acked.length} acknowledged, `
      + `${record.abandoned.length} charges given up (${audit.unacknowledgedCharges} of them ran), ${record.secondResolutions.length} second resolutions refused`);

    // The audit can fail: a credit taken from a grant without an entry, a top-up the client
    // believes acknowledged that the store never saw, and a charge in the store that no
    // client was told of nor gave up are each caught.
    const grant = (await ledger.grants(ACCOUNTS[0]!)).find((g) => g.remaining !== '0')!;
    await store.transaction((tx) => tx.takeFromGrant(grant.id, 1n, ledger.now()));
    record.toppedUp.set(ACCOUNTS[1]!, (record.toppedUp.get(ACCOUNTS[1]!) ?? 0n) + 5n);
    const forgotten = [...record.charges.values()].find((c) => c.account === ACCOUNTS[2]
      && !record.abandoned.some((b) => b.account === c.account && sameInput(b.input, c.input)))!;
    record.charges.delete(forgotten.id);
    const planted = (await auditRun(ledger, record, ACCOUNTS)).problems.join('\n');
    expect(planted).toContain(`charge ${forgotten.id} (`);
    expect(planted).toMatch(new RegExp(`${ACCOUNTS[0]}: balance .*, but its entry log sums to`));
    expect(planted).toMatch(new RegExp(`${ACCOUNTS[0]}: the log does not rebuild`));
    expect(planted).toMatch(new RegExp(`${ACCOUNTS[1]}: .* credits granted in the log, .* acknowledged`));
  } finally {
    await store.close();
  }
}

describe('crash safety of the real server (SIGKILL mid-load, restart, retry, audit)', () => {
  it('loses and creates no credits on SQLite with one server killed 5 times', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crash-'));
    const path = join(dir, 'ledger.db');
    try {
      const server = new ServerProcess('sqlite', { SQLITE_PATH: path, SQLITE_SYNCHRONOUS: 'FULL', ADMIN_API_KEY: ADMIN_KEY });
      await crashRun([server], 5, async () => new SqliteStore({ path }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loses and creates no credits on PostgreSQL with two servers, each killed twice while the other serves', async () => {
    const schema = `crash_${randomBytes(6).toString('hex')}`;
    const env = { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema, ADMIN_API_KEY: ADMIN_KEY, PG_POOL_SIZE: '4' };
    try {
      await crashRun([new ServerProcess('pg-1', env), new ServerProcess('pg-2', env)], 4, () => PostgresStore.open({ connectionString: PG_URL, schema }));
    } finally {
      await dropSchema(schema);
    }
  });
});
