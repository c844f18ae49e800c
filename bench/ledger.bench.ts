// npm run bench:ledger — the ledger and the API side by side with their baselines, in one run:
//   charges/s in-process (hold + capture, SQLite synchronous=FULL) vs raw single-row insert
//   transactions at the same durability; POST /v1/quotes vs an Express hello-world with
//   express.json(), both under autocannon on loopback. Figures merge into bench/results.json.
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

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 64;
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));

function rawInsertsPerSecond(): number {
  const db = new Database(join(dir, 'raw.db'));
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

async function chargesPerSecond(ledger: Ledger): Promise<number> {
  await ledger.createAccount({ id: 'bench', pack: 'modelpix' }, 'bench-account');
  await ledger.topup('bench', { credits: '1000000000000' }, 'bench-topup');
  let n = 0;
  let seq = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() < end) {
      const id = seq++;
      const held = await ledger.createCharge({ account: 'bench', operation: 'generate', input: { tool: 'image_to_video', seconds: 5 }, capture: false }, `h${id}`);
      await ledger.captureCharge(held.id, { usage: { seconds: 4 } }, `c${id}`);
      n++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
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

const raw = rawInsertsPerSecond();
const charges = await chargesPerSecond(ledger);

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

const helloRps = await requestsPerSecond(helloServer.url, '/hello', '{"x":1}', {});
const quotes = await requestsPerSecond(api.url, '/v1/quotes', quoteBody, { authorization: `Bearer ${token}` });
helloServer.server.close();
api.server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

const figures = {
  'ledger-charges-per-second': Math.round(charges),
  'sqlite-raw-insert-transactions-per-second': Math.round(raw),
  'ledger-charges-vs-raw-inserts': Number((charges / raw).toFixed(3)),
  'http-quotes-per-second': Math.round(quotes.rps),
  'http-hello-world-per-second': Math.round(helloRps.rps),
  'http-quotes-vs-hello-world': Number((quotes.rps / helloRps.rps).toFixed(3)),
};
const pad = (s: string) => s.padEnd(48);
console.log(`${pad('charges/s in-process (hold + capture, FULL)')}${figures['ledger-charges-per-second']}`);
console.log(`${pad('raw single-insert transactions/s (FULL)')}${figures['sqlite-raw-insert-transactions-per-second']}`);
console.log(`${pad('  ratio (target >= 1.0)')}${figures['ledger-charges-vs-raw-inserts']}`);
console.log(`${pad('POST /v1/quotes requests/s')}${figures['http-quotes-per-second']}${quotes.non2xx ? ` (${quotes.non2xx} non-2xx!)` : ''}`);
console.log(`${pad('Express hello-world + express.json() req/s')}${figures['http-hello-world-per-second']}`);
console.log(`${pad('  ratio (target >= 0.9)')}${figures['http-quotes-vs-hello-world']}`);

const resultsPath = 'bench/results.json';
const existing = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(resultsPath, `${JSON.stringify({ ...existing, ...figures }, null, 2)}\n`);
console.log(`merged into ${resultsPath}`);
