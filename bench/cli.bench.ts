// `npm run bench:cli`: how long a PM waits for the `credits` command, and an operator for the
// server, as ratios against `node -e 0` timed in the same rounds (so a loaded machine slows
// both alike). Each round runs every contender once, in turn; the medians are reported.
//   credits eval '1+1'                                                  target ≤ 5×
//   credits quote rules/pixai train_lora --input '{"architecture":"SDXL"}'  target ≤ 7×
//   credits check rules                                                  target ≤ 10×
//   npm start → first 200 on /readyz                                     target ≤ 15×
// The commands run the compiled build (`npm run build`, which npm install runs), as `npx credits` does.
// BENCH_ROUNDS (default 7) sets the rounds. Figures merge into bench/results.json.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './median.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BIN = 'src/cli/credits.js';

if (!existsSync('dist/credits.js') || !existsSync('dist/server.js')) {
  console.error('bench:cli needs the compiled build: run `npm run build` first');
  process.exit(1);
}

function timeCommand(args: string[], wantCode: number): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== wantCode) throw new Error(`${args.join(' ')} exited ${r.status}, expected ${wantCode}:\n${r.stderr}`);
  return ms;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** `npm start` until /readyz answers 200, then SIGTERM to npm, which must reach the server. */
async function timeStartToReady(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'credits-bench-'));
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn('npm', ['start'], {
    env: { ...process.env, PORT: String(port), SQLITE_PATH: join(dir, 'credits.db'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode} before it was ready:\n${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    rmSync(dir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`the server did not exit cleanly on SIGTERM (exit ${code}):\n${stderr}`);
  }
}

const samples = { node: [] as number[], eval: [] as number[], quote: [] as number[], check: [] as number[], start: [] as number[] };
for (let round = 1; round <= ROUNDS; round++) {
  samples.node.push(timeCommand(['-e', '0'], 0));
  samples.eval.push(timeCommand([BIN, 'eval', '1+1'], 0));
  samples.quote.push(timeCommand([BIN, 'quote', 'rules/pixai', 'train_lora', '--input', '{"architecture":"SDXL"}'], 0));
  samples.check.push(timeCommand([BIN, 'check', 'rules'], 0));
  samples.start.push(await timeStartToReady());
  process.stdout.write(`round ${round}/${ROUNDS}\r`);
}

const node = median(samples.node);
const ratio = (xs: number[]) => Math.round((median(xs) / node) * 100) / 100;
const figures = {
  'node-e-0-ms': Math.round(node),
  'cli-eval-ms': Math.round(median(samples.eval)),
  'cli-quote-ms': Math.round(median(samples.quote)),
  'cli-check-ms': Math.round(median(samples.check)),
  'start-to-ready-ms': Math.round(median(samples.start)),
  'cli-eval-vs-node': ratio(samples.eval),
  'cli-quote-vs-node': ratio(samples.quote),
  'cli-check-vs-node': ratio(samples.check),
  'start-to-ready-vs-node': ratio(samples.start),
};

const rows: [string, string, number, number][] = [
  ["credits eval '1+1'", 'cli-eval-ms', figures['cli-eval-vs-node'], 5],
  ['credits quote rules/pixai train_lora', 'cli-quote-ms', figures['cli-quote-vs-node'], 7],
  ['credits check rules', 'cli-check-ms', figures['cli-check-vs-node'], 10],
  ['npm start → 200 on /readyz', 'start-to-ready-ms', figures['start-to-ready-vs-node'], 15],
];
console.log(`medians of ${ROUNDS} rounds; node -e 0: ${figures['node-e-0-ms']} ms`);
console.log('| command | median ms | × node -e 0 | target | met |');
console.log('|---|---|---|---|---|');
for (const [name, key, x, target] of rows) {
  console.log(`| ${name} | ${figures[key as keyof typeof figures]} | ${x} | ≤ ${target} | ${x <= target ? 'yes' : 'NO'} |`);
}

const resultsPath = 'bench/results.json';
const existing = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(resultsPath, `${JSON.stringify({ ...existing, ...figures }, null, 2)}\n`);
console.log(`merged into ${resultsPath}`);
