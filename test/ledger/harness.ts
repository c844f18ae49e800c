// Shared by the ledger and HTTP tests: the real packs, a movable clock, and a fresh store
// of each kind (a temporary SQLite file; a PostgreSQL schema of its own, dropped afterwards).
import { expect } from 'vitest';
import { LedgerError } from '../../src/ledger/errors.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/engine/index.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { withLedgerPolicies } from '../../src/ledger/pack-policies.ts';
import type { PricingEngine } from '../../src/ledger/pricing.ts';
import { PostgresStore } from '../../src/ledger/store/postgres-store.ts';
import { SqliteStore } from '../../src/ledger/store/sqlite-store.ts';
import type { Store } from '../../src/ledger/store/store.ts';

import { dropSchema, PG_URL } from './pg-url.ts';

export { dropSchema, PG_URL };

let engine: Engine | undefined;
let pricing: PricingEngine | undefined;
export function rules(): Engine {
  engine ??= Engine.load('rules');
  return engine;
}
export function packs(): PricingEngine {
  pricing ??= withLedgerPolicies(rules());
  return pricing;
}

export class Clock {
  constructor(public ms: number) {}
  readonly now = () => this.ms;
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** A fresh store; `lanes` sets PostgreSQL's group commit lanes (SQLite has one queue). */
  open(options?: { lanes?: number }): Promise<{ store: Store; dispose(): Promise<void>; schema?: string; path?: string }>;
}

export const storeKinds: StoreKind[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
      const path = join(dir, 'ledger.db');
      const store = new SqliteStore({ path });
      return { store, path, dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'postgres',
    async open(options) {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const store = await PostgresStore.open({ connectionString: PG_URL, schema, lanes: options?.lanes });
      return { store, schema, dispose: async () => { await store.close(); await dropSchema(schema); } };
    },
  },
];

/** A fresh store of this kind and a ledger over it on `clock`, which is set to `at` first. */
export async function openLedger(kind: StoreKind, clock: Clock, at = '2026-03-10T12:00:00Z') {
  clock.set(at);
  const opened = await kind.open();
  return { ...opened, ledger: await Ledger.open(opened.store, packs(), { clock: clock.now }) };
}

let keys = 0;
/** A fresh idempotency key. */
export const key = () => `k-${process.pid}-${++keys}-${randomBytes(4).toString('hex')}`;

/** Awaits a ledger call that must fail with this LedgerError code; returns the error. */
export async function rejects(p: Promise<unknown>, code: string): Promise<LedgerError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, `expected ${code}`).toBeInstanceOf(LedgerError);
  expect((e as LedgerError).code).toBe(code);
  return e as LedgerError;
}
