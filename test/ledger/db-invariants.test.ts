// The money invariants hold in the database itself, not only in the ledger's code: raw SQL
// on a second connection to the store's own file or schema, bypassing every guard in
// sql-tx.ts, is refused by the schema (CHECK constraints, STRICT/BIGINT columns, triggers),
// and the refused statement leaves every table exactly as it was.
//
// A prepaid balance is the sum of its grants' `remaining` (a hold takes from the grants at
// once) less `overdraft_used`; the schema keeps each remaining in [0, amount] and
// overdraft_used in [0, overdraft_limit], with overdraft_limit = 0 unless the account is
// postpaid. Those are the mechanisms the prepaid cases attack.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/ledger/store/migrations.ts';
import { PostgresStore } from '../../src/ledger/store/postgres-store.ts';
import { SqliteStore } from '../../src/ledger/store/sqlite-store.ts';
import type { Store } from '../../src/ledger/store/store.ts';
import { dropSchema, PG_URL, storeKinds } from './harness.ts';

type Param = string | number | null;
type Row = Record<string, string | null>;

/** A connection of its own to the store's database, with `?` placeholders on both. */
interface Raw {
  run(sql: string, params?: Param[]): Promise<void>;
  rows(sql: string, params?: Param[]): Promise<Row[]>;
  close(): Promise<void>;
}

// Values compared as text, so both drivers' integers (number, bigint, string) read alike.
const text = (r: Record<string, unknown>): Row =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)]));

function sqliteRaw(path: string): Raw {
  const db = new Database(path);
  db.pragma('busy_timeout = 60000');
  db.pragma('foreign_keys = ON');
  db.defaultSafeIntegers(true);
  return {
    async run(sql, params = []) {
      db.prepare(sql).run(...params);
    },
    async rows(sql, params = []) {
      return (db.prepare(sql).all(...params) as Record<string, unknown>[]).map(text);
    },
    async close() {
      db.close();
    },
  };
}

async function postgresRaw(schema: string): Promise<Raw> {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    async run(sql, params = []) {
      await client.query(numbered(sql), params);
    },
    async rows(sql, params = []) {
      return (await client.query(numbered(sql), params)).rows.map(text);
    },
    async close() {
      await client.end();
    },
  };
}

const TABLES = ['accounts', 'grants', 'charges', 'draws', 'entries'] as const;
const ORDER: Record<(typeof TABLES)[number], string> = { accounts: 'id', grants: 'id', charges: 'id', draws: 'id', entries: 'seq' };

/** Every row of every money table, in a fixed order. */
async function snapshot(raw: Raw): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const t of TABLES) out[t] = await raw.rows(`SELECT * FROM ${t} ORDER BY ${ORDER[t]}`);
  return out;
}

const T0 = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;

// Legal rows, written through the raw connection too: the same connection that is refused
// below can write, so each refusal is the schema's doing.
const FIXTURE: [string, Param[]][] = [
  [`INSERT INTO accounts (id, pack, plan, billing, overdraft_limit, overdraft_used, time_zone, period_index, period_start, period_end, cancel_at_period_end, created_at)
    VALUES (?, 'modelpix', NULL, 'prepaid', 0, 0, 'UTC', 0, NULL, NULL, 0, ?)`, ['pre', T0]],
  [`INSERT INTO accounts (id, pack, plan, billing, overdraft_limit, overdraft_used, time_zone, period_index, period_start, period_end, cancel_at_period_end, created_at)
    VALUES (?, 'pixelflow', NULL, 'postpaid', 100, 40, 'UTC', 0, NULL, NULL, 0, ?)`, ['post', T0]],
  [`INSERT INTO grants (id, account_id, kind, amount, remaining, priority, effective_at, expires_at, created_at, source)
    VALUES ('g1', 'pre', 'signup', 50, 30, 0, ?, NULL, ?, 'signup')`, [T0, T0]],
  [`INSERT INTO charges (id, account_id, pack, operation, version, input, status, held, captured, refunded, created_at, expires_at, resolved_at)
    VALUES ('c-held', 'pre', 'modelpix', 'generate', '1', '{}', 'held', 7, NULL, 0, ?, ?, NULL)`, [T0, T0 + DAY]],
  [`INSERT INTO charges (id, account_id, pack, operation, version, input, status, held, captured, refunded, created_at, expires_at, resolved_at)
    VALUES ('c-captured', 'pre', 'modelpix', 'generate', '1', '{}', 'captured', 7, 7, 2, ?, ?, ?)`, [T0, T0 + DAY, T0 + 1000]],
  [`INSERT INTO charges (id, account_id, pack, operation, version, input, status, held, captured, refunded, created_at, expires_at, resolved_at)
    VALUES ('c-released', 'pre', 'modelpix', 'generate', '1', '{}', 'released', 7, NULL, 0, ?, ?, ?)`, [T0, T0 + DAY, T0 + 1000]],
  [`INSERT INTO charges (id, account_id, pack, operation, version, input, status, held, captured, refunded, created_at, expires_at, resolved_at)
    VALUES ('c-expired', 'pre', 'modelpix', 'generate', '1', '{}', 'expired', 7, NULL, 0, ?, ?, ?)`, [T0, T0 + DAY, T0 + DAY]],
  ["INSERT INTO draws (charge_id, grant_id, amount, refunded) VALUES ('c-captured', 'g1', 7, 2)", []],
  ["INSERT INTO entries (account_id, at, kind, amount, grant_id, charge_id, memo) VALUES ('pre', ?, 'grant', 50, 'g1', NULL, 'signup')", [T0]],
  ["INSERT INTO entries (account_id, at, kind, amount, grant_id, charge_id, memo) VALUES ('pre', ?, 'capture', -7, 'g1', 'c-captured', NULL)", [T0 + 1000]],
];

const CHECK = /CHECK constraint failed|violates check constraint/;
const RESOLVED = /hold_already_resolved/;
const APPEND_ONLY = /entries are append-only/;
// SQLite's STRICT INTEGER columns; PostgreSQL's whole-unit NUMERIC columns (migration 2).
const NOT_INTEGER = /cannot store REAL value in INTEGER column|violates check constraint "\w+_whole_units"/;

interface Violation {
  name: string;
  /** Legal statements run first (e.g. the one capture a hold may have). */
  setup?: [string, Param[]][];
  sql: string;
  params?: Param[];
  refusal: RegExp;
  /** Statements only one dialect has. */
  only?: 'sqlite' | 'postgres';
}

const newHold = (id: string): [string, Param[]] => [
  `INSERT INTO charges (id, account_id, pack, operation, version, input, status, held, captured, refunded, created_at, expires_at, resolved_at)
   VALUES (?, 'pre', 'modelpix', 'generate', '1', '{}', 'held', 5, NULL, 0, ?, ?, NULL)`, [id, T0, T0 + DAY],
];
const capture = (id: string, amount: number, at: number): [string, Param[]] => [
  "UPDATE charges SET status = 'captured', held = ?, captured = ?, resolved_at = ? WHERE id = ?", [amount, amount, at, id],
];
const release = (id: string, at: number): [string, Param[]] => [
  "UPDATE charges SET status = 'released', resolved_at = ? WHERE id = ?", [at, id],
];

const violations: Record<string, Violation[]> = {
  "a grant's remaining stays between 0 and its amount": [
    { name: 'remaining set below zero', sql: "UPDATE grants SET remaining = -1 WHERE id = 'g1'", refusal: CHECK },
    { name: 'a take larger than what is left (takeFromGrant without its guard)', sql: "UPDATE grants SET remaining = remaining - ? WHERE id = 'g1'", params: [31], refusal: CHECK },
    { name: 'remaining set above the amount', sql: "UPDATE grants SET remaining = 51 WHERE id = 'g1'", refusal: CHECK },
    { name: 'a return past the amount (returnToGrant without its guard)', sql: "UPDATE grants SET remaining = remaining + ? WHERE id = 'g1'", params: [21], refusal: CHECK },
    { name: 'the amount lowered under what remains', sql: "UPDATE grants SET amount = 29 WHERE id = 'g1'", refusal: CHECK },
    {
      name: 'a new grant inserted with more remaining than its amount',
      sql: `INSERT INTO grants (id, account_id, kind, amount, remaining, priority, effective_at, expires_at, created_at, source)
            VALUES ('g2', 'pre', 'bonus', 10, 11, 0, ?, NULL, ?, 'test')`, params: [T0, T0], refusal: CHECK,
    },
  ],
  'a prepaid balance never goes below zero': [
    { name: 'a prepaid account given overdraft used', sql: "UPDATE accounts SET overdraft_used = 1 WHERE id = 'pre'", refusal: CHECK },
    { name: 'a prepaid account given an overdraft limit', sql: "UPDATE accounts SET overdraft_limit = 100 WHERE id = 'pre'", refusal: CHECK },
    { name: 'a prepaid account given a limit and using it in one statement', sql: "UPDATE accounts SET overdraft_limit = 100, overdraft_used = 100 WHERE id = 'pre'", refusal: CHECK },
    {
      name: 'a prepaid account inserted already overdrawn',
      sql: `INSERT INTO accounts (id, pack, plan, billing, overdraft_limit, overdraft_used, time_zone, period_index, period_start, period_end, cancel_at_period_end, created_at)
            VALUES ('pre2', 'modelpix', NULL, 'prepaid', 10, 10, 'UTC', 0, NULL, NULL, 0, ?)`, params: [T0], refusal: CHECK,
    },
    { name: 'a charge drawing the last grant past zero', sql: "UPDATE grants SET remaining = remaining - 30 - 1 WHERE account_id = 'pre'", refusal: CHECK },
    { name: 'a postpaid account overdrawn past its limit (adjustOverdraft without its guard)', sql: "UPDATE accounts SET overdraft_used = overdraft_used + ? WHERE id = 'post'", params: [61], refusal: CHECK },
    { name: 'overdraft used driven negative', sql: "UPDATE accounts SET overdraft_used = -1 WHERE id = 'post'", refusal: CHECK },
  ],
  'a hold resolves at most once': [
    { name: 'release after capture', sql: release('c-captured', T0 + 2000)[0], params: release('c-captured', T0 + 2000)[1], refusal: RESOLVED },
    { name: 'capture after release', sql: capture('c-released', 7, T0 + 2000)[0], params: capture('c-released', 7, T0 + 2000)[1], refusal: RESOLVED },
    { name: 'capture after the hold expired', sql: capture('c-expired', 7, T0 + 2 * DAY)[0], params: capture('c-expired', 7, T0 + 2 * DAY)[1], refusal: RESOLVED },
    { name: 'capture twice, with another amount', setup: [newHold('h1'), capture('h1', 5, T0 + 1000)], sql: capture('h1', 3, T0 + 2000)[0], params: capture('h1', 3, T0 + 2000)[1], refusal: RESOLVED },
    { name: 'capture twice, with the same amount later', setup: [newHold('h2'), capture('h2', 5, T0 + 1000)], sql: capture('h2', 5, T0 + 2000)[0], params: capture('h2', 5, T0 + 2000)[1], refusal: RESOLVED },
    { name: 'release twice', setup: [newHold('h3'), release('h3', T0 + 1000)], sql: release('h3', T0 + 2000)[0], params: release('h3', T0 + 2000)[1], refusal: RESOLVED },
    { name: 'a resolved hold put back to held, to resolve it again', sql: "UPDATE charges SET status = 'held', resolved_at = NULL WHERE id = 'c-released'", refusal: RESOLVED },
    { name: "a captured amount changed after capture", sql: "UPDATE charges SET captured = 9, held = 9 WHERE id = 'c-captured'", refusal: RESOLVED },
    { name: 'its resolution time rewritten', sql: "UPDATE charges SET resolved_at = ? WHERE id = 'c-captured'", params: [T0 + 5000], refusal: RESOLVED },
    { name: 'refunds past the captured amount', sql: "UPDATE charges SET refunded = 8 WHERE id = 'c-captured'", refusal: CHECK },
  ],
  'the entry log is append-only': [
    { name: "an entry's amount updated", sql: 'UPDATE entries SET amount = 500 WHERE seq = (SELECT MIN(seq) FROM entries)', refusal: APPEND_ONLY },
    { name: "an entry's memo updated", sql: "UPDATE entries SET memo = 'edited'", refusal: APPEND_ONLY },
    { name: 'one entry deleted', sql: 'DELETE FROM entries WHERE seq = (SELECT MAX(seq) FROM entries)', refusal: APPEND_ONLY },
    { name: 'every entry deleted', sql: 'DELETE FROM entries', refusal: APPEND_ONLY },
    { name: 'the log truncated', sql: 'TRUNCATE entries', refusal: APPEND_ONLY, only: 'postgres' },
  ],
  // Migration 3: `moved` is what an entry did, `amount` the balance change it made.
  'an entry changes a balance by what it moved, or by nothing': [
    {
      name: 'an entry that moved a negative amount',
      sql: "INSERT INTO entries (account_id, at, kind, amount, moved, grant_id, charge_id, memo) VALUES ('pre', ?, 'capture', 0, -7, 'g1', 'c-captured', NULL)",
      params: [T0], refusal: CHECK,
    },
    {
      name: 'a hold that takes more than it says it reserved',
      sql: "INSERT INTO entries (account_id, at, kind, amount, moved, grant_id, charge_id, memo) VALUES ('pre', ?, 'hold', -9, 7, 'g1', 'c-held', NULL)",
      params: [T0], refusal: CHECK,
    },
    {
      name: 'a refund that credits less than it says it refunded',
      sql: "INSERT INTO entries (account_id, at, kind, amount, moved, grant_id, charge_id, memo) VALUES ('pre', ?, 'refund', 1, 2, 'g1', 'c-captured', NULL)",
      params: [T0], refusal: CHECK,
    },
    {
      name: 'an entry that moved a fractional amount',
      sql: "INSERT INTO entries (account_id, at, kind, amount, moved, grant_id, charge_id, memo) VALUES ('pre', ?, 'capture', 0, ?, 'g1', 'c-captured', NULL)",
      params: [T0, 0.5], refusal: /CHECK constraint failed|cannot store REAL value in INTEGER column|violates check constraint "\w+_whole_units"/,
    },
  ],
  'amounts are whole minor units, never floating point': [
    { name: 'a fractional remaining as a parameter', sql: "UPDATE grants SET remaining = ? WHERE id = 'g1'", params: [29.5], refusal: NOT_INTEGER },
    { name: 'a fractional remaining as decimal text', sql: "UPDATE grants SET remaining = ? WHERE id = 'g1'", params: ['29.5'], refusal: NOT_INTEGER },
    { name: 'half a unit taken from a grant in SQL arithmetic', sql: "UPDATE grants SET remaining = remaining - 0.5 WHERE id = 'g1'", refusal: NOT_INTEGER },
    { name: 'a float literal stored as a charge amount', sql: "UPDATE charges SET held = 6.5 WHERE id = 'c-held'", refusal: NOT_INTEGER },
    { name: 'a float stored as overdraft used', sql: "UPDATE accounts SET overdraft_used = 40.25 WHERE id = 'post'", refusal: NOT_INTEGER },
    { name: 'a double-precision value stored as a refund', sql: "UPDATE draws SET refunded = CAST(? AS DOUBLE PRECISION) WHERE charge_id = 'c-captured'", params: ['2.5'], refusal: NOT_INTEGER, only: 'postgres' },
    { name: 'a real value stored as a refund', sql: "UPDATE draws SET refunded = CAST(? AS REAL) WHERE charge_id = 'c-captured'", params: ['2.5'], refusal: NOT_INTEGER, only: 'sqlite' },
    {
      name: 'an entry appended with a fractional amount',
      sql: "INSERT INTO entries (account_id, at, kind, amount, grant_id, charge_id, memo) VALUES ('pre', ?, 'adjust', ?, NULL, NULL, NULL)",
      params: [T0, 0.1], refusal: NOT_INTEGER,
    },
  ],
};

describe.each(storeKinds)('the $name schema itself', (kind) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let raw: Raw;

  beforeAll(async () => {
    const opened = await kind.open();
    ({ store, dispose } = opened);
    raw = kind.name === 'sqlite' ? sqliteRaw(opened.path!) : await postgresRaw(opened.schema!);
    for (const [sql, params] of FIXTURE) await raw.run(sql, params);
  });
  afterAll(async () => {
    await raw?.close();
    await dispose?.();
  });

  it('accepts the legal edges the refusals sit next to', async () => {
    // Read back through the store, so the raw connection is known to write the store's data.
    const grant = () => store.read((tx) => tx.grant('g1'));
    await raw.run("INSERT INTO grants (id, account_id, kind, amount, remaining, priority, effective_at, expires_at, created_at, source) VALUES ('edge', 'pre', 'bonus', 10, 10, 0, ?, NULL, ?, 'test')", [T0, T0]);
    await raw.run("UPDATE grants SET remaining = 0 WHERE id = 'edge'");
    await raw.run("UPDATE grants SET remaining = amount WHERE id = 'edge'");
    await raw.run("UPDATE accounts SET overdraft_used = overdraft_limit WHERE id = 'post'");
    await raw.run("UPDATE accounts SET overdraft_used = 40 WHERE id = 'post'");
    await raw.run("UPDATE charges SET refunded = 3 WHERE id = 'c-captured'");
    await raw.run("UPDATE charges SET refunded = 2 WHERE id = 'c-captured'");
    // An entry moving credits without changing a balance (a capture), and one changing it by all it moved.
    await raw.run("INSERT INTO entries (account_id, at, kind, amount, moved, grant_id, charge_id, memo) VALUES ('pre', ?, 'capture', 0, 7, 'g1', 'c-captured', NULL)", [T0 + 1000]);
    await raw.run("INSERT INTO entries (account_id, at, kind, amount, moved, grant_id, charge_id, memo) VALUES ('pre', ?, 'refund', 2, 2, 'g1', 'c-captured', NULL)", [T0 + 2000]);
    expect(await grant()).toMatchObject({ amount: 50n, remaining: 30n });
    expect(await store.read((tx) => tx.grant('edge'))).toMatchObject({ amount: 10n, remaining: 10n });
  });

  for (const [invariant, cases] of Object.entries(violations)) {
    describe(invariant, () => {
      for (const v of cases) {
        if (v.only && v.only !== kind.name) continue;
        it(`refuses ${v.name} and changes nothing`, async () => {
          for (const [sql, params] of v.setup ?? []) await raw.run(sql, params);
          const before = await snapshot(raw);
          const error = await raw.run(v.sql, v.params).then(() => undefined, (e: unknown) => e);
          expect(error, `${v.sql} was accepted`).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(v.refusal);
          expect(await snapshot(raw)).toEqual(before);
        });
      }
    });
  }
});

// Migration 2 tightens the schema under existing data (on PostgreSQL it changes the amount
// columns' type), migration 3 adds what each entry moved, migration 4 the rollover link and
// the subscription's lifetime months and anchor: a database made by version 1 alone upgrades
// in place, rows intact (its entries with no `moved`, its accounts' months from period_index).
describe.each(storeKinds)('a $name database made by migration 1', (kind) => {
  it('upgrades in place, keeping every row, and then refuses a second resolution', async () => {
    const v1 = migrations[kind.name].find((m) => m.version === 1)!;
    const dir = kind.name === 'sqlite' ? mkdtempSync(join(tmpdir(), 'ledger-v1-')) : undefined;
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let raw: Raw | undefined;
    let store: Store | undefined;
    try {
      if (dir) {
        const db = new Database(join(dir, 'ledger.db'));
        db.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL); ${v1.sql}`);
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)').run();
        db.close();
        raw = sqliteRaw(join(dir, 'ledger.db'));
      } else {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        await admin.end();
        raw = await postgresRaw(schema);
        await raw.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
        await raw.run(v1.sql);
        await raw.run('INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)');
      }
      for (const [sql, params] of FIXTURE) await raw.run(sql, params);
      const before = await snapshot(raw);

      store = dir ? new SqliteStore({ path: join(dir, 'ledger.db') }) : await PostgresStore.open({ connectionString: PG_URL, schema });
      const versions = migrations[dir ? 'sqlite' : 'postgres'].map((m) => ({ version: String(m.version) })).sort((x, y) => Number(x.version) - Number(y.version));
      expect(await raw.rows('SELECT version FROM schema_migrations ORDER BY version')).toEqual(versions);
      const withMoved = (rows: Record<string, Row[]>) => ({
        ...rows,
        entries: rows.entries!.map((e) => ({ ...e, moved: null })),
        grants: rows.grants!.map((g) => ({ ...g, rolled_into: null })),
        accounts: rows.accounts!.map((a) => ({
          ...a, subscription_months: a.period_index, period_anchor: String(a.period_index) === '1' ? a.period_start : null,
          pending_plan: null, statement_start: null, statement_end: null, metadata: null,
        })),
        // v7 puts the charges made before it in UTC-day usage buckets.
        charges: rows.charges!.map((c) => ({ ...c, metadata: null, usage_bucket: String(Number(c.created_at) - (Number(c.created_at) % DAY)) })),
      });
      expect(await snapshot(raw)).toEqual(withMoved(before));
      // ... and backfills the running usage totals from them.
      for (const id of ['pre', 'post']) expect(await store.read((tx) => tx.usageDrift(id))).toEqual([]);
      expect(await store.read((tx) => tx.usage('pre', 0))).toEqual(await store.read((tx) => tx.usage('pre', 1)));
      expect(await store.read((tx) => tx.grant('g1'))).toMatchObject({ amount: 50n, remaining: 30n });
      expect(await store.read((tx) => tx.charge('c-captured'))).toMatchObject({ held: 7n, captured: 7n, refunded: 2n });

      const [sql, params] = release('c-released', T0 + 5000);
      await expect(raw.run(sql, params)).rejects.toThrow(RESOLVED);
      expect(await snapshot(raw)).toEqual(withMoved(before));
    } finally {
      await raw?.close();
      await store?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      else await dropSchema(schema);
    }
  });
});
