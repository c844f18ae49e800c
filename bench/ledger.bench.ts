// npm run bench:ledger — the ledger and the API side by side with their baselines, in one run:
//   SQLite: charges/s in-process (hold + capture, WAL synchronous=FULL) vs raw single-row insert
//   transactions at the same durability; POST /v1/quotes vs an Express hello-world with
//   express.json(), both under autocannon on loopback.
//   PostgreSQL: charges/s in-process (one account per client; also all on one account) vs raw
//   pg single-insert transactions at the same concurrency and pool size (synchronous_commit=on);
//   charges over HTTP through two server processes over one database (bench/pg-sections.ts).
//   Growth, on both stores: charges/s, balance, usage, a deep entries page and a quote whose rule
//   reads a usage counter, on a large store (100,000 accounts, 1,000,000 entries, one account
//   with 100,000 of its own) vs an empty one (bench/growth-stores.ts, bench/large-store.ts).
// Figures merge into bench/results.json.
//
// What the charge figure is: BENCH_CONCURRENCY (64) async clients in this process, each in a
// loop: createCharge (a hold, capture: false) awaited until committed, then captureCharge with
// usage (re-priced, part of the hold returned) awaited until committed; a charge counts when
// both are durable. Every mutation has its own idempotency key. The SQLite store commits the
// mutations that arrive together as one transaction (each in its own savepoint, one fsync), so
// the figure depends on there being concurrent callers; one client alone gets the
// sequential figure, also printed. The raw baseline is one INSERT per transaction in a tight
// synchronous loop, each transaction fsynced. Baseline and ledger alternate BENCH_ROUNDS
// times and the medians are reported, so a machine whose load changes affects both alike.
// BENCH_SKIP=pg,growth leaves sections out; BENCH_LARGE_ACCOUNTS, BENCH_LARGE_ENTRIES,
// BENCH_BIG_ACCOUNT_ENTRIES and BENCH_COUNTER_ACCOUNT_CHARGES shrink the large store for a quick
// run. PostgreSQL: BENCH_DATABASE_URL (else TEST_DATABASE_URL), BENCH_PG_POOL (10).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import pino from 'pino';
import { Engine } from '../src/engine/index.ts';
import { createApp } from '../src/http/app.ts';
import { newApiKey } from '../src/http/auth.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { withLedgerPolicies } from '../src/ledger/pack-policies.ts';
import { SqliteStore } from '../src/ledger/store/sqlite-store.ts';
import { growth, type Growth } from './growth-stores.ts';
import { holdAndCapture, rate } from './growth.ts';
import { median } from './median.ts';
import { PG_POOL, pgHttp, pgInProcess, type PgHttp, type PgInProcess } from './pg-sections.ts';

// autocannon ships no types; this is the slice of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string; method: 'POST'; body: string; headers: Record<string, string>; connections: number; duration: number;
}) => Promise<{ requests: { average: number }; non2xx: number }>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const log = (line: string) => console.log(line);
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));

function rawInsertsPerSecond(round: number): number {
  const db = new Database(join(dir, `raw-${round}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, amount INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO entries (account, amount) VALUES (?, ?)');
  const once = db.transaction((i: number) => insert.run('acct', i));
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  while (performance.now() < end) once(n++);
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

const chargesPerSecond = (ledger: Ledger, clients: number, seconds: number): Promise<number> =>
  rate(seconds, clients, () => holdAndCapture(ledger, 'bench'));

async function listen(app: express.Express): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
}

async function requestsPerSecond(url: string, path: string, body: string, headers: Record<string, string>): Promise<{ rps: number; non2xx: number }> {
  const result = await autocannon({
    url: url + path, method: 'POST', body, headers: { 'content-type': 'application/json', ...headers },
    connections: 10, duration: SECONDS,
  });
  return { rps: result.requests.average, non2xx: result.non2xx };
}

const engine = Engine.load('rules');
const store = new SqliteStore({ path: join(dir, 'ledger.db'), synchronous: 'FULL' });
const ledger = await Ledger.open(store, withLedgerPolicies(engine));

await ledger.createAccount({ id: 'bench', pack: 'modelpix' }, 'bench-account');
await ledger.topup('bench', { credits: '1000000000000' }, 'bench-topup');
await chargesPerSecond(ledger, CONCURRENCY, 0.5); // warm-up: compiled code paths, prepared statements
const raws: number[] = [];
const chargeRates: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  raws.push(rawInsertsPerSecond(round));
  chargeRates.push(await chargesPerSecond(ledger, CONCURRENCY, SECONDS));
  console.log(`round ${round}: raw inserts/s ${Math.round(raws.at(-1)!)}, charges/s ${Math.round(chargeRates.at(-1)!)} (${CONCURRENCY} clients)`);
}
const raw = median(raws);
const charges = median(chargeRates);
const chargeRatio = median(chargeRates.map((c, i) => c / raws[i]!));
const sequential = await chargesPerSecond(ledger, 1, SECONDS);

const hello = express();
hello.use(express.json());
hello.post('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});
const helloServer = await listen(hello);
const { token, record } = newApiKey('quote', [], 'bench', Date.now());
await store.transaction((tx) => tx.insertApiKey(record));
// Request logs off (level warn), as the hello-world has none.
const api = await listen(createApp({ ledger, engine, log: pino({ level: 'warn' }) }));
const quoteBody = JSON.stringify({ pack: 'pixai', operation: 'generate_image', input: { model: 'tsubaki.1', width: 1024, height: 1024, batch: 2, steps: 30, tools: ['hires'] } });
const probe = await fetch(`${api.url}/v1/quotes`, { method: 'POST', body: quoteBody, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
if (probe.status !== 200) throw new Error(`the benchmark quote fails: ${probe.status} ${await probe.text()}`);

const hellos: number[] = [];
const quoteRates: number[] = [];
let quoteFailures = 0;
for (let round = 1; round <= ROUNDS; round++) {
  hellos.push((await requestsPerSecond(helloServer.url, '/hello', '{"x":1}', {})).rps);
  const q = await requestsPerSecond(api.url, '/v1/quotes', quoteBody, { authorization: `Bearer ${token}` });
  quoteRates.push(q.rps);
  quoteFailures += q.non2xx;
  console.log(`round ${round}: hello-world req/s ${Math.round(hellos.at(-1)!)}, POST /v1/quotes req/s ${Math.round(q.rps)}`);
}
const helloRps = median(hellos);
const quotes = median(quoteRates);
const quoteRatio = median(quoteRates.map((q, i) => q / hellos[i]!));
helloServer.server.close();
api.server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

let pgLocal: PgInProcess | undefined;
let pgApi: PgHttp | undefined;
if (!SKIP.has('pg')) {
  console.log(`PostgreSQL in-process (pool ${PG_POOL}, ${CONCURRENCY} clients):`);
  pgLocal = await pgInProcess(withLedgerPolicies(engine), CONCURRENCY, ROUNDS, SECONDS, log);
  console.log('PostgreSQL over HTTP, two servers:');
  pgApi = await pgHttp(8, 8, ROUNDS, SECONDS, log);
}
const grown: { sqlite?: Growth; postgres?: Growth } = {};
if (!SKIP.has('growth')) {
  for (const kind of ['sqlite', 'postgres'] as const) {
    if (kind === 'postgres' && SKIP.has('pg')) continue;
    console.log(`growth on ${kind}:`);
    grown[kind] = await growth(kind, withLedgerPolicies(engine), ROUNDS, Math.max(1, SECONDS / 2), CONCURRENCY, log);
  }
}

const r3 = (x: number) => Number(x.toFixed(3));
const figures: Record<string, number> = {
  'ledger-charges-per-second': Math.round(charges),
  'ledger-charges-concurrency': CONCURRENCY,
  'ledger-charges-per-second-one-client': Math.round(sequential),
  'sqlite-raw-insert-transactions-per-second': Math.round(raw),
  'ledger-charges-vs-raw-inserts': r3(chargeRatio),
  'http-quotes-per-second': Math.round(quotes),
  'http-hello-world-per-second': Math.round(helloRps),
  'http-quotes-vs-hello-world': r3(quoteRatio),
};
if (pgLocal) {
  figures['pg-charges-per-second'] = Math.round(pgLocal.charges);
  figures['pg-charges-per-second-one-account'] = Math.round(pgLocal.chargesOneAccount);
  figures['pg-raw-insert-transactions-per-second'] = Math.round(pgLocal.raw);
  figures['pg-charges-vs-raw-inserts'] = r3(pgLocal.ratio);
  figures['pg-charges-one-account-vs-raw-inserts'] = r3(pgLocal.ratioOneAccount);
}
if (pgApi) figures['pg-http-requests-per-second'] = Math.round(pgApi.rps);
for (const [kind, g] of Object.entries(grown)) {
  const p = kind === 'postgres' ? 'pg-' : '';
  figures[`${p}charges-large-store-vs-empty`] = r3(g.ratio.charges);
  figures[`${p}balance-read-large-vs-empty`] = r3(g.ratio.balance);
  figures[`${p}usage-read-large-vs-empty`] = r3(g.ratio.usage);
  figures[`${p}entries-page-deep-large-vs-empty`] = r3(g.ratio.entriesPage);
  figures[`${p}quote-with-counter-large-vs-empty`] = r3(g.ratio.quoteWithCounter);
  figures[`${p}large-store-entries`] = g.store.entries;
}

const pad = (s: string) => `${s.padEnd(64)} `;
const show = (label: string, key: string, suffix = '') => {
  if (figures[key] !== undefined) console.log(`${pad(label)}${figures[key]}${suffix}`);
};
console.log(`medians of ${ROUNDS} rounds of ${SECONDS}s:`);
show(`charges/s in-process (hold + capture, FULL, ${CONCURRENCY} clients)`, 'ledger-charges-per-second');
show('raw single-insert transactions/s (FULL)', 'sqlite-raw-insert-transactions-per-second');
show('  ratio, median of rounds (target >= 1.0)', 'ledger-charges-vs-raw-inserts');
show('charges/s with one client (no group commit to share)', 'ledger-charges-per-second-one-client');
show('POST /v1/quotes requests/s', 'http-quotes-per-second', quoteFailures ? ` (${quoteFailures} non-2xx!)` : '');
show('Express hello-world + express.json() req/s', 'http-hello-world-per-second');
show('  ratio, median of rounds (target >= 0.9)', 'http-quotes-vs-hello-world');
show(`PostgreSQL charges/s in-process (one account per client, ${CONCURRENCY} clients, pool ${PG_POOL})`, 'pg-charges-per-second');
show('PostgreSQL raw single-insert transactions/s (synchronous_commit=on)', 'pg-raw-insert-transactions-per-second');
show('  ratio, median of rounds (target >= 1.0)', 'pg-charges-vs-raw-inserts');
show('  charges/s with every client on one account', 'pg-charges-per-second-one-account');
show('  ratio of that to the raw inserts', 'pg-charges-one-account-vs-raw-inserts');
if (pgApi) show(`PostgreSQL HTTP charges/s, two servers (${pgApi.connections} connections, ${pgApi.accounts} accounts)`, 'pg-http-requests-per-second', pgApi.failures ? ` (${pgApi.failures} failed!)` : '');
for (const p of ['', 'pg-']) {
  if (figures[`${p}charges-large-store-vs-empty`] === undefined) continue;
  const store = p ? 'PostgreSQL' : 'SQLite';
  console.log(`${store}, large store (${figures[`${p}large-store-entries`]} entries) vs empty, ratios of rates (target >= 0.8):`);
  show('  charges/s', `${p}charges-large-store-vs-empty`);
  show('  balance reads/s', `${p}balance-read-large-vs-empty`);
  show('  usage reads/s', `${p}usage-read-large-vs-empty`);
  show('  entries page 90% deep in the log vs the first page of a short log', `${p}entries-page-deep-large-vs-empty`);
  show('  quotes/s of a rule reading a usage counter (PixAI train_lora)', `${p}quote-with-counter-large-vs-empty`);
}

const resultsPath = 'bench/results.json';
const existing = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(resultsPath, `${JSON.stringify({ ...existing, ...figures }, null, 2)}\n`);
console.log(`merged into ${resultsPath}`);
