// The two stores the growth figures compare, on SQLite or PostgreSQL: one with a single fresh
// account, one loaded large (bench/large-store.ts). Loading runs without waiting for fsync
// (synchronous=OFF, synchronous_commit=off); the stores are then reopened as a server runs
// them (SQLite FULL, PostgreSQL with its default durable commits) for the measurements.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../src/ledger/ledger.ts';
import type { PricingEngine } from '../src/ledger/pricing.ts';
import { PostgresStore } from '../src/ledger/store/postgres-store.ts';
import { SqliteStore } from '../src/ledger/store/sqlite-store.ts';
import type { Store } from '../src/ledger/store/store.ts';
import { compareGrowth, type GrowthFigures, type GrowthSide } from './growth.ts';
import { BIG, COUNTED, COUNTER, loadLargeStore, SIZES, type LargeStoreFigures } from './large-store.ts';
import { PG_POOL } from './pg-sections.ts';
import { createSchema, dropSchema, loadingUrl, newSchema, PG_URL } from './pg-throughput.ts';

interface Opened {
  store: Store;
  dispose(): Promise<void>;
}

interface Kind {
  /** A store to load: fast, not durable. */
  loading(): Promise<{ store: Store; target: Parameters<typeof loadLargeStore>[1] }>;
  /** The same store again, durable as in production. */
  reopen(): Promise<Opened>;
  /** A fresh durable store. */
  fresh(): Promise<Opened>;
  cleanup(): Promise<void>;
}

function sqliteKind(): Kind {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-growth-'));
  const large = join(dir, 'large.db');
  const open = (path: string): Opened => {
    const store = new SqliteStore({ path, synchronous: 'FULL' });
    return { store, dispose: () => store.close() };
  };
  return {
    loading: async () => ({ store: new SqliteStore({ path: large, synchronous: 'OFF' }), target: { kind: 'sqlite', path: large } }),
    reopen: async () => open(large),
    fresh: async () => open(join(dir, 'empty.db')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresKind(): Kind {
  const large = newSchema('large');
  const empty = newSchema('empty');
  const open = async (schema: string): Promise<Opened> => {
    const store = await PostgresStore.open({ connectionString: PG_URL, schema, poolSize: PG_POOL });
    return { store, dispose: () => store.close() };
  };
  return {
    loading: async () => {
      await createSchema(large);
      return { store: await PostgresStore.open({ connectionString: loadingUrl(large), poolSize: PG_POOL }), target: { kind: 'postgres', url: PG_URL, schema: large } };
    },
    reopen: () => open(large),
    fresh: () => open(empty),
    cleanup: async () => {
      await dropSchema(large);
      await dropSchema(empty);
    },
  };
}

export interface Growth extends GrowthFigures {
  store: LargeStoreFigures;
}

export async function growth(kind: 'sqlite' | 'postgres', pricing: PricingEngine, rounds: number, seconds: number, clients: number, log: (s: string) => void): Promise<Growth> {
  const k = kind === 'sqlite' ? sqliteKind() : postgresKind();
  try {
    const loading = await k.loading();
    const figures = await loadLargeStore(await Ledger.open(loading.store, pricing), loading.target, log);
    await loading.store.close();
    log(`  ${kind} large store: ${figures.accounts} accounts, ${figures.entries} entries, ${figures.bigAccountEntries} of them the big account's, ${SIZES.counterAccountCharges} trainings on the counter account, loaded in ${figures.loadSeconds} s`);

    const large = await k.reopen();
    const empty = await k.fresh();
    try {
      const largeLedger = await Ledger.open(large.store, pricing);
      const emptyLedger = await Ledger.open(empty.store, pricing);
      await emptyLedger.createAccount({ id: 'fresh', pack: 'modelpix' }, 'fresh');
      await emptyLedger.topup('fresh', { credits: '1000000000000' }, 'fresh-topup');
      await emptyLedger.createAccount({ id: 'fresh-counter', pack: COUNTED.pack }, 'fresh-counter');
      const deep = (await largeLedger.entries(BIG, 0, Math.max(1, Math.floor(SIZES.bigAccountEntries * 0.9)))).entries.at(-1)?.seq ?? 0;
      const emptySide: GrowthSide = { ledger: emptyLedger, account: 'fresh', deepSeq: 0, counterAccount: 'fresh-counter' };
      const largeSide: GrowthSide = { ledger: largeLedger, account: BIG, deepSeq: deep, counterAccount: COUNTER };
      return { store: figures, ...(await compareGrowth(emptySide, largeSide, rounds, seconds, clients, log)) };
    } finally {
      await large.dispose();
      await empty.dispose();
    }
  } finally {
    await k.cleanup();
  }
}
