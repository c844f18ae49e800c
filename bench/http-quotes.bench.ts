// npm run bench:quotes — POST /v1/quotes against an Express hello-world with express.json(),
// each server in a process of its own, driven in alternation by one autocannon client at the
// same concurrency (keep-alive, loopback). The quote server is wired as server.ts wires it
// (SQLite ledger, the bundled rules, Metrics observing the ledger), with request logs off
// (level warn) as the hello-world has none. The ratio is the median of the rounds' ratios, so
// a machine whose load changes affects both alike.
//   BENCH_QUOTE_SECONDS (5), BENCH_QUOTE_ROUNDS (5), BENCH_QUOTE_CONNECTIONS (10);
//   BENCH_QUOTE_PROFILE=dir writes a --cpu-prof of each server there.
// Also a module: bench/ledger.bench.ts can call httpQuotesVsHelloWorld() for its `http-quotes-vs-hello-world`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from './median.ts';

export interface QuotesVsHelloWorld {
  quotesPerSecond: number;
  helloPerSecond: number;
  /** Median of the rounds' quotes/hello ratios. */
  ratio: number;
  /** Non-2xx answers to the quotes (the figure is void if any). */
  quoteFailures: number;
}

export interface QuoteBenchOptions {
  seconds?: number;
  rounds?: number;
  connections?: number;
  /** A folder for a --cpu-prof of each server. */
  profileDir?: string;
  log?: (line: string) => void;
}

/** What the benchmark quotes: a chargeable operation of a bundled pack, no account. */
export const QUOTE_BODY = JSON.stringify({ pack: 'pixai', operation: 'generate_image', input: { model: 'tsubaki.1', width: 1024, height: 1024, batch: 2, steps: 30, tools: ['hires'] } });

// autocannon ships no types; this is the slice of its API used here. Required on first use:
// the server processes (this file too) don't need it.
type Autocannon = (options: {
  url: string; method: 'POST'; body: string; headers: Record<string, string>; connections: number; duration: number;
}) => Promise<{ requests: { total: number }; duration: number; non2xx: number; errors: number }>;
let autocannon: Autocannon | undefined;

const SELF = fileURLToPath(import.meta.url);

interface Served {
  url: string;
  token?: string;
  child: ChildProcess;
}

/** Starts this file as a server process and waits for the line announcing its address. */
function serve(kind: 'hello' | 'quotes', profileDir: string | undefined): Promise<Served> {
  // A folder per server: its loader thread writes a profile of its own beside the main thread's.
  const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, kind)] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', SELF, '--serve', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${kind} server exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const ready = JSON.parse(line) as { url: string; token?: string };
      resolve({ ...ready, child });
    });
  });
}

async function stop(s: Served): Promise<void> {
  // SIGINT lets the server exit normally, which is when --cpu-prof writes its profile.
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGINT');
  await exited;
}

async function load(url: string, body: string, headers: Record<string, string>, connections: number, seconds: number) {
  autocannon ??= createRequire(import.meta.url)('autocannon') as Autocannon;
  const r = await autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, connections, duration: seconds });
  return { rps: r.requests.total / r.duration, bad: r.non2xx + r.errors };
}

export async function httpQuotesVsHelloWorld(options: QuoteBenchOptions = {}): Promise<QuotesVsHelloWorld> {
  const { seconds = 5, rounds = 5, connections = 10, profileDir, log = () => {} } = options;
  const hello = await serve('hello', profileDir);
  const api = await serve('quotes', profileDir);
  try {
    const auth = { authorization: `Bearer ${api.token}` };
    const probe = await fetch(`${api.url}/v1/quotes`, { method: 'POST', body: QUOTE_BODY, headers: { 'content-type': 'application/json', ...auth } });
    if (probe.status !== 200) throw new Error(`the benchmark quote fails: ${probe.status} ${await probe.text()}`);
    // Warm-up: both servers' code paths compiled before anything counts.
    await load(hello.url, '{"x":1}', {}, connections, 2);
    await load(`${api.url}/v1/quotes`, QUOTE_BODY, auth, connections, 2);
    const hellos: number[] = [];
    const quotes: number[] = [];
    let quoteFailures = 0;
    for (let round = 1; round <= rounds; round++) {
      // Which goes first alternates too: neither always follows the other's garbage.
      const helloFirst = round % 2 === 1;
      const runHello = () => load(hello.url, '{"x":1}', {}, connections, seconds);
      const runQuotes = () => load(`${api.url}/v1/quotes`, QUOTE_BODY, auth, connections, seconds);
      const h = helloFirst ? await runHello() : undefined;
      const q = await runQuotes();
      const h2 = h ?? (await runHello());
      hellos.push(h2.rps);
      quotes.push(q.rps);
      quoteFailures += q.bad;
      log(`round ${round}: hello-world req/s ${Math.round(h2.rps)}, POST /v1/quotes req/s ${Math.round(q.rps)}, ratio ${(q.rps / h2.rps).toFixed(3)}`);
    }
    return {
      quotesPerSecond: median(quotes),
      helloPerSecond: median(hellos),
      ratio: median(quotes.map((q, i) => q / hellos[i]!)),
      quoteFailures,
    };
  } finally {
    await Promise.all([stop(hello), stop(api)]);
  }
}

// ---- the server processes ----

async function serveHello(): Promise<AddressInfo> {
  const { default: express } = await import('express');
  const app = express();
  app.use(express.json());
  app.post('/', (_req, res) => {
    res.json({ ok: true });
  });
  return listen(app);
}

async function serveQuotes(): Promise<{ address: AddressInfo; token: string }> {
  const { default: pino } = await import('pino');
  const { Engine } = await import('../src/engine/index.ts');
  const { createApp } = await import('../src/http/app.ts');
  const { newApiKey } = await import('../src/http/auth.ts');
  const { Metrics } = await import('../src/http/metrics.ts');
  const { Ledger } = await import('../src/ledger/ledger.ts');
  const { withLedgerPolicies } = await import('../src/ledger/pack-policies.ts');
  const { SqliteStore } = await import('../src/ledger/store/sqlite-store.ts');
  const dir = mkdtempSync(join(tmpdir(), 'quote-bench-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const engine = Engine.load(join(dirname(SELF), '..', 'rules'));
  const metrics = new Metrics();
  const store = metrics.timed(new SqliteStore({ path: join(dir, 'ledger.db'), synchronous: 'FULL' }));
  const ledger = await Ledger.open(store, withLedgerPolicies(engine), { observer: metrics });
  const { token, record } = newApiKey('quote', [], 'bench', Date.now());
  await store.transaction((tx) => tx.insertApiKey(record));
  const app = createApp({ ledger, engine, log: pino({ level: 'warn' }), metrics });
  return { address: await listen(app), token };
}

function listen(app: { listen(port: number, host: string, ready: () => void): import('node:http').Server }): Promise<AddressInfo> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
}

const serving = process.argv.indexOf('--serve');
if (serving !== -1) {
  const kind = process.argv[serving + 1];
  process.on('SIGINT', () => process.exit(0));
  const ready = kind === 'hello' ? { address: await serveHello(), token: undefined } : await serveQuotes();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${ready.address.port}`, token: ready.token }));
} else if (process.argv[1] === SELF) {
  const env = process.env;
  const r = await httpQuotesVsHelloWorld({
    seconds: Number(env.BENCH_QUOTE_SECONDS ?? 5),
    rounds: Number(env.BENCH_QUOTE_ROUNDS ?? 5),
    connections: Number(env.BENCH_QUOTE_CONNECTIONS ?? 10),
    profileDir: env.BENCH_QUOTE_PROFILE,
    log: console.log,
  });
  console.log(`POST /v1/quotes req/s ${Math.round(r.quotesPerSecond)}${r.quoteFailures ? ` (${r.quoteFailures} non-2xx!)` : ''}`);
  console.log(`Express hello-world + express.json() req/s ${Math.round(r.helloPerSecond)}`);
  console.log(`ratio, median of rounds (target >= 0.9): ${r.ratio.toFixed(3)}`);
}
