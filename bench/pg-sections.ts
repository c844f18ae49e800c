// The PostgreSQL parts of `npm run bench:ledger`: charges in-process beside raw inserts, and
// HTTP charges through two server processes over one database.
import { Ledger } from '../src/ledger/ledger.ts';
import type { PricingEngine } from '../src/ledger/pricing.ts';
import { PostgresStore } from '../src/ledger/store/postgres-store.ts';
import { ServerProcess } from '../test/crash/server-process.ts';
import { holdAndCapture, rate } from './growth.ts';
import { median } from './median.ts';
import { chargeLoad } from './http-load.ts';
import { dropSchema, newSchema, PG_URL, rawInsertsPerSecond } from './pg-throughput.ts';

export const PG_POOL = Number(process.env.BENCH_PG_POOL ?? 10);

const chargesPerSecond = (ledger: Ledger, accountOf: (client: number) => string, clients: number, seconds: number): Promise<number> =>
  rate(seconds, clients, (c) => holdAndCapture(ledger, accountOf(c)));

export interface PgInProcess {
  /** Every client on one account: its row lock and lane take every charge in turn. */
  chargesOneAccount: number;
  /** One account per client, as a platform's load spreads over its users; the raw inserts
   *  share no row either, so this is the figure compared with them. */
  charges: number;
  raw: number;
  ratio: number;
  ratioOneAccount: number;
}

/** Charges (hold + capture; all on one account, then one account per client) beside raw inserts, alternating. */
export async function pgInProcess(pricing: PricingEngine, clients: number, rounds: number, seconds: number, log: (s: string) => void): Promise<PgInProcess> {
  const schema = newSchema('ledger');
  const rawSchema = newSchema('raw');
  const store = await PostgresStore.open({ connectionString: PG_URL, schema, poolSize: PG_POOL });
  try {
    const ledger = await Ledger.open(store, pricing);
    const accounts = ['bench', ...Array.from({ length: clients }, (_, i) => `bench-${i}`)];
    for (const id of accounts) {
      await ledger.createAccount({ id, pack: 'modelpix' }, `open-${id}`);
      await ledger.topup(id, { credits: '1000000000000' }, `topup-${id}`);
    }
    await chargesPerSecond(ledger, () => 'bench', clients, 0.5);
    const raws: number[] = [];
    const oneAccount: number[] = [];
    const perClient: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      raws.push(await rawInsertsPerSecond(rawSchema, clients, PG_POOL, seconds));
      oneAccount.push(await chargesPerSecond(ledger, () => 'bench', clients, seconds));
      perClient.push(await chargesPerSecond(ledger, (c) => `bench-${c}`, clients, seconds));
      log(`  round ${round}: raw inserts/s ${Math.round(raws.at(-1)!)}, charges/s ${Math.round(oneAccount.at(-1)!)} (one account), ${Math.round(perClient.at(-1)!)} (one account per client)`);
    }
    const vsRaw = (rates: number[]) => median(rates.map((c, i) => c / raws[i]!));
    return { chargesOneAccount: median(oneAccount), charges: median(perClient), raw: median(raws), ratio: vsRaw(perClient), ratioOneAccount: vsRaw(oneAccount) };
  } finally {
    await store.close();
    await dropSchema(schema);
    await dropSchema(rawSchema);
  }
}

const ADMIN_KEY = 'crk_bench_admin_key_00000001';

async function post(url: string, path: string, body: unknown, key: string): Promise<void> {
  const res = await fetch(url + path, {
    method: 'POST', body: JSON.stringify(body),
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

export interface PgHttp {
  rps: number;
  failures: number;
  accounts: number;
  connections: number;
}

/**
 * Two servers over one schema; autocannon sends captured charges to both at once, each
 * request with its own key, over `accounts` accounts. Requests/s is the sum of both.
 */
export async function pgHttp(connectionsPerServer: number, accounts: number, rounds: number, seconds: number, log: (s: string) => void): Promise<PgHttp> {
  const schema = newSchema('http');
  const env = { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema, ADMIN_API_KEY: ADMIN_KEY, PG_POOL_SIZE: String(PG_POOL) };
  const servers = [new ServerProcess('pg-a', env), new ServerProcess('pg-b', env)];
  try {
    await servers[0]!.start();
    await servers[1]!.start();
    const [a, b] = servers.map((s) => s.url!);
    const ids = Array.from({ length: accounts }, (_, i) => `load-${i}`);
    for (const id of ids) {
      await post(a!, '/v1/accounts', { id, pack: 'modelpix' }, `open-${id}`);
      await post(a!, `/v1/accounts/${id}/topups`, { input: { credits: '1000000000000' } }, `topup-${id}`);
    }
    await Promise.all([chargeLoad(a!, ADMIN_KEY, ids, connectionsPerServer, 1), chargeLoad(b!, ADMIN_KEY, ids, connectionsPerServer, 1)]);
    const rates: number[] = [];
    let failures = 0;
    for (let round = 1; round <= rounds; round++) {
      const [x, y] = await Promise.all([chargeLoad(a!, ADMIN_KEY, ids, connectionsPerServer, seconds), chargeLoad(b!, ADMIN_KEY, ids, connectionsPerServer, seconds)]);
      rates.push(x!.rps + y!.rps);
      failures += x!.non2xx + y!.non2xx + x!.errors + y!.errors;
      log(`  round ${round}: ${Math.round(x!.rps)} + ${Math.round(y!.rps)} = ${Math.round(rates.at(-1)!)} charges/s over HTTP`);
    }
    return { rps: median(rates), failures, accounts, connections: connectionsPerServer * 2 };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await dropSchema(schema);
  }
}
