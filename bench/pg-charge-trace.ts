// npx tsx bench/pg-charge-trace.ts — the statements one charge sends to PostgreSQL, in order,
// each a round trip: a hold (capture: false), its capture with usage, and a charge captured at
// once, on a warmed-up account of a fresh schema. For profiling the PostgreSQL path.
import pg from 'pg';
import { Engine } from '../src/engine/index.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { withLedgerPolicies } from '../src/ledger/pack-policies.ts';
import { PostgresStore } from '../src/ledger/store/postgres-store.ts';
import { dropSchema, newSchema, PG_URL } from './pg-throughput.ts';

let trace: string[] | undefined;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function traced(this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text: string };
  trace?.push((typeof first === 'string' ? first : first.text).replace(/\s+/g, ' ').slice(0, 150));
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

async function traced(label: string, work: () => Promise<unknown>): Promise<void> {
  trace = [];
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  console.log(`\n${label}: ${trace.length} round trips, ${ms.toFixed(1)} ms`);
  for (const [i, sql] of trace.entries()) console.log(`${String(i + 1).padStart(3)}. ${sql}`);
  trace = undefined;
}

const schema = newSchema('trace');
const store = await PostgresStore.open({ connectionString: PG_URL, schema, poolSize: 2 });
try {
  const ledger = await Ledger.open(store, withLedgerPolicies(Engine.load('rules')));
  await ledger.createAccount({ id: 'trace', pack: 'modelpix' }, 'open');
  await ledger.topup('trace', { credits: '1000000' }, 'topup');
  for (let i = 0; i < 5; i++) await ledger.createCharge({ account: 'trace', operation: 'generate', input: { tool: 'face_swap' }, capture: true }, `warm-${i}`);
  let held = '';
  await traced('hold (createCharge, capture: false)', async () => {
    held = (await ledger.createCharge({ account: 'trace', operation: 'generate', input: { tool: 'image_to_video', seconds: 5 }, capture: false }, 'hold')).id;
  });
  await traced('capture with usage (captureCharge)', () => ledger.captureCharge(held, { usage: { seconds: 4 } }, 'capture'));
  await traced('charge captured at once (createCharge, capture: true)', () =>
    ledger.createCharge({ account: 'trace', operation: 'generate', input: { tool: 'image_to_video', seconds: 5 }, capture: true }, 'once'));
  await traced('balance read (account)', () => ledger.account('trace'));
} finally {
  await store.close();
  await dropSchema(schema);
}
