// npm run bench:ledger — the ledger and the API side by side with their baselines, in one run:
//   charges/s in-process (hold + capture, SQLite WAL synchronous=FULL) vs raw single-row insert
//   transactions at the same durability; POST /v1/quotes vs an Express hello-world with
//   express.json(), both under autocannon on loopback. Figures merge into bench/results.json.
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

// autocannon ships no types; this is the slice of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string; method: 'POST'; body: string; headers: Record<string, string>; connections: number; duration: number;
}) => Promise<{ requests: { average: number }; non2xx: number }>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

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

let seq = 0;
async function chargesPerSecond(ledger: Ledger, clients: number, seconds: number): Promise<number> {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() < end) {
      const id = seq++;
      const held = await ledger.createCharge({ account: 'bench', operation: 'generate', input: { tool: 'image_to_video', seconds: 5 }, capture: false }, `h${id}`);
      await ledger.captureCharge(held.id, { usage: { seconds: 4 } }, `c${id}`);
      n++;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return n / ((performance.now() - start) / 1000);
}

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

const figures = {
  'ledger-charges-per-second': Math.round(charges),
  'ledger-charges-concurrency': CONCURRENCY,
  'ledger-charges-per-second-one-client': Math.round(sequential),
  'sqlite-raw-insert-transactions-per-second': Math.round(raw),
  'ledger-charges-vs-raw-inserts': Number(chargeRatio.toFixed(3)),
  'http-quotes-per-second': Math.round(quotes),
  'http-hello-world-per-second': Math.round(helloRps),
  'http-quotes-vs-hello-world': Number(quoteRatio.toFixed(3)),
};
const pad = (s: string) => s.padEnd(56);
console.log(`medians of ${ROUNDS} rounds of ${SECONDS}s:`);
console.log(`${pad(`charges/s in-process (hold + capture, FULL, ${CONCURRENCY} clients)`)}${figures['ledger-charges-per-second']}`);
console.log(`${pad('raw single-insert transactions/s (FULL)')}${figures['sqlite-raw-insert-transactions-per-second']}`);
console.log(`${pad('  ratio, median of rounds (target >= 1.0)')}${figures['ledger-charges-vs-raw-inserts']}`);
console.log(`${pad('charges/s with one client (no group commit to share)')}${figures['ledger-charges-per-second-one-client']}`);
console.log(`${pad('POST /v1/quotes requests/s')}${figures['http-quotes-per-second']}${quoteFailures ? ` (${quoteFailures} non-2xx!)` : ''}`);
console.log(`${pad('Express hello-world + express.json() req/s')}${figures['http-hello-world-per-second']}`);
console.log(`${pad('  ratio, median of rounds (target >= 0.9)')}${figures['http-quotes-vs-hello-world']}`);

const resultsPath = 'bench/results.json';
const existing = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(resultsPath, `${JSON.stringify({ ...existing, ...figures }, null, 2)}\n`);
console.log(`merged into ${resultsPath}`);
