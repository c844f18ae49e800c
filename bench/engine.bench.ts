// `npm run bench`: the engine against a hand-written float function, json-logic-js and
// json-logic-engine (compiled) on the same reference rule, side by side in one run; then a
// proration rule, where floats go wrong, against the same kinds of contender and an exact
// BigInt reference; then compile time and lookup speed for a 10,000-row table. Writes
// bench/results.json.
//
// Speeds are evaluations per second of CPU time this process used (process.cpuUsage), not of
// wall-clock time: on a shared machine a round of wall-clock time also counts the moments
// another process had the CPU, which falls on the contenders unevenly; CPU time counts only
// the work. Every contender is measured the same way, in alternating rounds.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsonLogic from 'json-logic-js';
import { LogicEngine } from 'json-logic-engine';
import { Engine } from '../src/engine/index.ts';
import { Decimal } from '../src/decimal.ts';
import { handwritten, JSON_LOGIC_RULE, referenceInputs, type ReferenceInput } from './reference-rule.ts';

const here = new URL('.', import.meta.url).pathname;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const inputs = referenceInputs();
const ROUNDS = 5;
const ROUND_MS = 400;

function measure(fn: (i: ReferenceInput) => unknown): number {
  return measureOver(inputs, fn);
}

/** CPU seconds this process has used (user and system, all its threads: garbage collection counts against the contender). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function measureOver<I>(inputs: I[], fn: (i: I) => unknown): number {
  let sink: unknown;
  for (let k = 0; k < 2000; k++) sink = fn(inputs[k % inputs.length]!); // warm-up
  let evaluations = 0;
  const start = cpuSeconds();
  let now = start;
  while (now - start < ROUND_MS / 1000) {
    for (let k = 0; k < inputs.length; k++) sink = fn(inputs[k]!);
    evaluations += inputs.length;
    now = cpuSeconds();
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return evaluations / (now - start);
}

const engine = Engine.load(join(here, 'reference'));
const prepared = engine.prepare('bench', 'generate');
const engineEval = (i: ReferenceInput) => prepared.quote(i as unknown as Record<string, unknown>).outputs.cost;

jsonLogic.add_operation('ceil', Math.ceil);
const logicEngine = new LogicEngine();
logicEngine.addMethod('ceil', ([x]: [number]) => Math.ceil(x), { deterministic: true });
const compiled = logicEngine.build(JSON_LOGIC_RULE) as (d: unknown) => number;

const contenders: Record<string, (i: ReferenceInput) => unknown> = {
  engine: engineEval,
  handwritten,
  'json-logic-js': (i) => jsonLogic.apply(JSON_LOGIC_RULE as never, i),
  'json-logic-engine': (i) => compiled(i),
};

// Correctness first: every contender on every input, against the exact engine.
const exact = inputs.map((i) => engineEval(i) as Decimal);
const wrong: Record<string, number> = {};
for (const [name, fn] of Object.entries(contenders)) {
  wrong[name] = inputs.filter((i, k) => !new Decimal(String(fn(i))).eq(exact[k]!)).length;
}

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(contenders)) samples[name]!.push(measure(fn));
}
const rates = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, Math.round(median(xs))]));

console.log(`reference rule, ${inputs.length} inputs, median of ${ROUNDS} rounds of ${ROUND_MS} ms of CPU time each\n`);
console.log('contender           evaluations/s   vs handwritten   wrong of 1024 (vs exact)');
for (const [name, rate] of Object.entries(rates)) {
  console.log(`${name.padEnd(18)} ${rate.toLocaleString('en-US').padStart(14)}   ${((rate / rates.handwritten!) * 100).toFixed(1).padStart(12)} %   ${String(wrong[name]).padStart(6)}`);
}
const target = rates.engine! / rates.handwritten!;
console.log(`\nengine / handwritten = ${(target * 100).toFixed(1)} % (target ≥ 30 %, exact): ${target >= 0.3 && wrong.engine === 0 ? 'met' : 'NOT met'}`);

// The proration rule of issue 8: a monthly price for the days used, and seconds at a rate per
// minute. Dividing then multiplying is where floats overcharge (89 / 30 * 30 is 89.00000000000001).
interface ProrationInput { price: number; days: number; seconds: number; rate: number }
const PRORATION = 'CEIL(price / 30 * days) + CEIL(seconds * rate / 60)';

function prorationPack(): string {
  const dir = mkdtempSync(join(tmpdir(), 'credits-bench-proration-'));
  writeFileSync(join(dir, 'pack.yaml'), 'pack: proration\nunit: credits\nversions:\n  - version: "1"\n    effective: 2020-01-01T00:00:00Z\n');
  writeFileSync(join(dir, 'prorate.yaml'), [
    'operations:', '  prorate:', '    inputs:',
    '      price: { type: number, min: 0, max: 100000 }', '      days: { type: integer, min: 0, max: 31 }',
    '      seconds: { type: integer, min: 0, max: 86400 }', '      rate: { type: number, min: 0, max: 1000 }',
    '    cells:', `      cost: ${PRORATION}`, '    outputs: [cost]', '',
  ].join('\n'));
  return dir;
}

/**
 * 1,024 varied inputs from a fixed seed: half of each field random (prices and rates in cents),
 * half from values where floats are known to round across a whole number (31 / 30 * 30 is
 * 31.000000000000004; 375 * 1.12 / 60 is 7.000000000000001), since at random they almost never do.
 */
function prorationInputs(n = 1024): ProrationInput[] {
  let seed = 20261129;
  const next = (k: number): number => {
    seed = (seed + 0x6d2b79f5) | 0; // mulberry32
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296 * k) | 0;
  };
  const pick = <T>(xs: T[]): T => xs[next(xs.length)]!;
  return Array.from({ length: n }, () => ({
    price: next(2) ? pick([31, 62, 124, 89, 99.99, 19.99, 332.05, 9.9]) : (1 + next(200_000)) / 100,
    days: next(2) ? pick([30, 15]) : 1 + next(31),
    seconds: next(2) ? pick([375, 750, 1125, 1500]) : 1 + next(3600),
    rate: next(2) ? pick([1.12, 0.56, 2.24, 2.72, 0.6, 1.2]) : (1 + next(2000)) / 100,
  }));
}

/** The exact answer, by BigInt arithmetic on cents: ⌈P·d / 3000⌉ + ⌈s·R / 6000⌉ for P, R in hundredths. */
function prorationExact(i: ProrationInput): bigint {
  const cents = (x: number) => BigInt(Math.round(x * 100));
  const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
  return ceilDiv(cents(i.price) * BigInt(i.days), 3000n) + ceilDiv(BigInt(i.seconds) * cents(i.rate), 6000n);
}

const prorationHandwritten = (i: ProrationInput) => Math.ceil(i.price / 30 * i.days) + Math.ceil(i.seconds * i.rate / 60);
const PRORATION_LOGIC = {
  '+': [
    { ceil: [{ '*': [{ '/': [{ var: 'price' }, 30] }, { var: 'days' }] }] },
    { ceil: [{ '/': [{ '*': [{ var: 'seconds' }, { var: 'rate' }] }, 60] }] },
  ],
};
const prorationCompiled = logicEngine.build(PRORATION_LOGIC) as (d: unknown) => number;
const prorate = Engine.load(prorationPack()).prepare('proration', 'prorate');
const prorationContenders: Record<string, (i: ProrationInput) => unknown> = {
  engine: (i) => prorate.quote(i as unknown as Record<string, unknown>).outputs.cost,
  handwritten: prorationHandwritten,
  'json-logic-engine': (i) => prorationCompiled(i),
};
const prorationSet = prorationInputs();
const prorationReference = prorationSet.map(prorationExact);
const prorationWrong = Object.fromEntries(Object.entries(prorationContenders).map(([name, fn]) => [
  name, prorationSet.filter((i, k) => !new Decimal(String(fn(i))).eq(new Decimal(prorationReference[k]!.toString()))).length,
]));
const prorationSamples: Record<string, number[]> = Object.fromEntries(Object.keys(prorationContenders).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(prorationContenders)) prorationSamples[name]!.push(measureOver(prorationSet, fn));
}
const prorationRates = Object.fromEntries(Object.entries(prorationSamples).map(([k, xs]) => [k, Math.round(median(xs))]));
console.log(`\nproration rule ${PRORATION}, ${prorationSet.length} inputs\n`);
console.log('contender           evaluations/s   vs handwritten   wrong of 1024 (vs exact BigInt reference)');
for (const [name, rate] of Object.entries(prorationRates)) {
  console.log(`${name.padEnd(18)} ${rate.toLocaleString('en-US').padStart(14)}   ${((rate / prorationRates.handwritten!) * 100).toFixed(1).padStart(12)} %   ${String(prorationWrong[name]).padStart(6)}`);
}
const prorationRatio = prorationRates.engine! / prorationRates.handwritten!;
console.log(`\nengine / handwritten = ${(prorationRatio * 100).toFixed(1)} % (target ≥ 25 %, exact): ${prorationRatio >= 0.25 && prorationWrong.engine === 0 ? 'met' : 'NOT met'}`);

// A 10,000-row table, its rows in YAML and in a CSV file: load + check + compile time, and
// a quote against it vs against 10 rows.
function tablePack(rows: number, csv: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), `credits-bench-${rows}-`));
  writeFileSync(join(dir, 'pack.yaml'), 'pack: big\nunit: credits\nversions:\n  - version: "1"\n    effective: 2020-01-01T00:00:00Z\n');
  const lines = ['operations:', '  price:', '    inputs:', '      model: string', '      units: integer', '    tables:', '      models:', '        key: name'];
  const perUnit = (k: number) => `${(k % 97) + 1}.25`;
  if (csv) {
    lines.push('        csv: models.csv');
    writeFileSync(join(dir, 'models.csv'), ['name,per_unit', ...Array.from({ length: rows }, (_, k) => `model_${k},${perUnit(k)}`)].join('\n') + '\n');
  } else {
    lines.push('        rows:');
    for (let k = 0; k < rows; k++) lines.push(`          - { name: model_${k}, per_unit: ${perUnit(k)} }`);
  }
  lines.push('    cells:', '      cost: CEIL(models[model].per_unit * units)', '    outputs: [cost]');
  writeFileSync(join(dir, 'price.yaml'), lines.join('\n') + '\n');
  return dir;
}
function loadMs(dir: string): number {
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    Engine.load(dir);
    times.push(performance.now() - t0);
  }
  return median(times);
}
const yamlMs = loadMs(tablePack(10_000, false));
const csvDir = tablePack(10_000, true);
const csvMs = loadMs(csvDir);
const big = Engine.load(csvDir);
const small = Engine.load(tablePack(10, true));
// The same 1,000 requests (naming the 10 keys both tables have) against each table; then
// requests spread over 1,000 distinct rows of the big one, which also measures the memory
// cache missing on rows it hasn't touched lately.
const lookups = (e: Engine, distinctKeys: number) => {
  const prepared = e.prepare('big', 'price');
  const inputs = Array.from({ length: 1000 }, (_, k) => ({ model: `model_${(k * 7919) % distinctKeys}`, units: 3 }));
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 400) {
    for (const input of inputs) prepared.quote(input);
    n += inputs.length;
  }
  return Math.round(n / ((performance.now() - start) / 1000));
};
lookups(big, 10); lookups(small, 10); lookups(big, 1000);
const bigRate = median([lookups(big, 10), lookups(big, 10), lookups(big, 10)]);
const smallRate = median([lookups(small, 10), lookups(small, 10), lookups(small, 10)]);
const spreadRate = median([lookups(big, 1000), lookups(big, 1000), lookups(big, 1000)]);
console.log(`\n10,000-row table, load + check + compile (median of 3, target < 500 ms): rows in YAML ${yamlMs.toFixed(0)} ms (${yamlMs < 500 ? 'met' : 'NOT met'}), rows in CSV ${csvMs.toFixed(0)} ms (${csvMs < 500 ? 'met' : 'NOT met'})`);
console.log(`quotes/s, same requests: against 10,000 rows ${bigRate.toLocaleString('en-US')}, against 10 rows ${smallRate.toLocaleString('en-US')} (ratio ${(bigRate / smallRate).toFixed(2)}, target ≥ 1 within noise)`);
console.log(`quotes/s against 10,000 rows, requests spread over 1,000 of them: ${spreadRate.toLocaleString('en-US')}`);

const resultsPath = join(here, 'results.json');
const previous = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};
const results = {
  ...previous,
  ...rates,
  engine_vs_handwritten: Number(target.toFixed(4)),
  float_wrong_of_1024: wrong.handwritten,
  engine_wrong_of_1024: wrong.engine,
  proration_engine: prorationRates.engine,
  proration_handwritten: prorationRates.handwritten,
  proration_json_logic_engine: prorationRates['json-logic-engine'],
  proration_engine_vs_handwritten: Number(prorationRatio.toFixed(4)),
  proration_engine_wrong_of_1024: prorationWrong.engine,
  proration_float_wrong_of_1024: prorationWrong.handwritten,
  proration_json_logic_engine_wrong_of_1024: prorationWrong['json-logic-engine'],
  table_10000_rows_yaml_load_ms: Math.round(yamlMs),
  table_10000_rows_csv_load_ms: Math.round(csvMs),
  table_10000_rows_quotes_per_s: bigRate,
  table_10_rows_quotes_per_s: smallRate,
  table_10000_rows_spread_quotes_per_s: spreadRate,
};
writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${resultsPath}`);

