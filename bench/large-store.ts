// A large store, loaded fast: one template account is given a real history through the
// ledger, then copied in bulk by SQL (INSERT … SELECT over a series), every id column given a
// suffix per copy. A copy is the template's rows with other ids, so each copy keeps every
// invariant the template's history has (its grants are its log, its charges its draws), and
// tables added later that carry an account_id (or a charge_id) are copied too. The one large
// account gets its history through the ledger itself, since its rows can't be copies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Ledger } from '../src/ledger/ledger.ts';
import { SqliteStore } from '../src/ledger/store/sqlite-store.ts';

export const SIZES = {
  accounts: Number(process.env.BENCH_LARGE_ACCOUNTS ?? 100_000),
  entries: Number(process.env.BENCH_LARGE_ENTRIES ?? 1_000_000),
  bigAccountEntries: Number(process.env.BENCH_BIG_ACCOUNT_ENTRIES ?? 100_000),
  /** LoRA trainings of the month on the PixAI account whose quotes read that counter. */
  counterAccountCharges: Number(process.env.BENCH_COUNTER_ACCOUNT_CHARGES ?? 10_000),
};

export const TEMPLATE = 'tpl';
export const BIG = 'big';
/** A PixAI account: its train_lora price reads free_trainings_used_this_month, a count of its charges. */
export const COUNTER = 'big-counter';
export const COUNTED = { pack: 'pixai', operation: 'train_lora', input: { architecture: 'SD1.5' } };

interface Column {
  name: string;
  text: boolean;
  /** Filled by the database (an INTEGER PRIMARY KEY, a serial): left out of the copy. */
  generated: boolean;
}

interface Dialect {
  tables(): Promise<string[]>;
  columns(table: string): Promise<Column[]>;
  /** Runs `INSERT INTO table (cols) SELECT exprs FROM <series n> CROSS JOIN table src WHERE filter`. */
  copy(table: string, columns: string[], exprs: string[], filter: string, copies: number): Promise<number>;
  count(table: string, where?: string): Promise<number>;
  /** Rows of `table` matching `where`, in the order they were written. */
  rows(table: string, columns: string[], where: string): Promise<unknown[][]>;
  insert(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  close(): Promise<void>;
}

const isId = (c: Column) => c.text && (c.name === 'id' || c.name.endsWith('_id') || c.name === 'rolled_into');

/** The tables holding an account's rows, parents first, each with the condition that picks them. */
async function accountTables(db: Dialect, account: string, alias: string): Promise<{ table: string; columns: Column[]; filter: string }[]> {
  const tables = await db.tables();
  // Parents before children, for the foreign keys.
  const order = ['accounts', 'grants', 'charges'];
  tables.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
  const out = [];
  for (const table of tables) {
    const columns = (await db.columns(table)).filter((c) => !c.generated);
    const names = new Set(columns.map((c) => c.name));
    let filter: string;
    if (table === 'accounts') filter = `${alias}.id = '${account}'`;
    else if (names.has('account_id')) filter = `${alias}.account_id = '${account}'`;
    else if (names.has('charge_id')) filter = `${alias}.charge_id IN (SELECT id FROM charges WHERE account_id = '${account}')`;
    else continue;
    out.push({ table, columns, filter });
  }
  return out;
}

/**
 * Whether the database already wrote this table's rows for `account` (a table kept by
 * triggers on the tables copied before it, such as running totals): then it isn't copied.
 */
async function filledByDatabase(db: Dialect, table: string, account: string): Promise<boolean> {
  const [t] = (await accountTables(db, account, table)).filter((x) => x.table === table);
  return t !== undefined && (await db.count(table, t.filter)) > 0;
}

/** Copies the template account `copies` times (ids `tpl_1` … `tpl_<copies>`). */
async function cloneTemplate(db: Dialect, copies: number): Promise<void> {
  for (const { table, columns, filter } of await accountTables(db, TEMPLATE, 'src')) {
    if (table !== 'accounts' && copies > 0 && (await filledByDatabase(db, table, `${TEMPLATE}_1`))) continue;
    const exprs = columns.map((c) => (isId(c) ? `src.${c.name} || '_' || s.n` : `src.${c.name}`));
    await db.copy(table, columns.map((c) => c.name), exprs, filter, copies);
  }
}

/** Moves an account's rows, as another store's ledger wrote them, into this one. */
async function transferAccount(from: Dialect, to: Dialect, account: string): Promise<void> {
  for (const { table, columns, filter } of await accountTables(to, account, 't')) {
    if (table !== 'accounts' && (await filledByDatabase(to, table, account))) continue;
    const names = columns.map((c) => c.name);
    const rows = await from.rows(table, names, filter);
    for (let i = 0; i < rows.length; i += 1000) await to.insert(table, names, rows.slice(i, i + 1000));
  }
}

function sqliteDialect(path: string): Dialect {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  return {
    async tables() {
      return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
    },
    async columns(table) {
      const info = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; pk: number }[];
      const pks = info.filter((c) => c.pk > 0);
      return info.map((c) => ({
        name: c.name, text: c.type.toUpperCase() === 'TEXT',
        generated: pks.length === 1 && c.pk === 1 && c.type.toUpperCase() === 'INTEGER',
      }));
    },
    async copy(table, columns, exprs, filter, copies) {
      const sql = `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${copies})
        INSERT INTO ${table} (${columns.join(', ')}) SELECT ${exprs.join(', ')} FROM s CROSS JOIN ${table} AS src WHERE ${filter} ORDER BY s.n`;
      return db.prepare(sql).run().changes;
    },
    async count(table, where = 'TRUE') {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
    },
    async rows(table, columns, where) {
      return db.prepare(`SELECT ${columns.join(', ')} FROM ${table} AS t WHERE ${where} ORDER BY t.rowid`).raw(true).all() as unknown[][];
    },
    async insert() {
      throw new Error('rows are moved from SQLite, never into it');
    },
    async close() {
      // No ANALYZE: the server never runs it, so its queries are planned without statistics.
      // (With them, SQLite plans the usage and counter queries as full scans of charges.)
      db.close();
    },
  };
}

async function postgresDialect(url: string, schema: string): Promise<Dialect> {
  const tables = async () => {
    const r = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'", [schema]);
    return r.rows.map((x) => x.table_name as string);
  };
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  // Loading only: a crash would lose the bench's data, nothing else.
  await client.query('SET synchronous_commit = off');
  return {
    tables,
    async columns(table) {
      const r = await client.query(
        'SELECT column_name, data_type, column_default FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [schema, table],
      );
      return r.rows.map((c) => ({
        name: c.column_name as string, text: c.data_type === 'text',
        generated: typeof c.column_default === 'string' && c.column_default.startsWith('nextval('),
      }));
    },
    async copy(table, columns, exprs, filter, copies) {
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${exprs.join(', ')}
        FROM generate_series(1, ${copies}) AS s(n) CROSS JOIN ${table} AS src WHERE ${filter} ORDER BY s.n`;
      return (await client.query(sql)).rowCount ?? 0;
    },
    async count(table, where = 'TRUE') {
      return Number((await client.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)).rows[0].n);
    },
    async rows() {
      throw new Error('rows are moved into PostgreSQL, never out of it');
    },
    async insert(table, columns, rows) {
      if (!rows.length) return;
      const values = rows.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
      await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, rows.flat());
    },
    async close() {
      // As autovacuum would soon after a load. Table by table: a bare ANALYZE would go through every schema of the database.
      for (const t of await tables()) await client.query(`ANALYZE ${t}`);
      await client.end();
    },
  };
}

let keys = 0;
const key = (what: string) => `large-${what}-${++keys}`;

/** `charges` charges captured at once, `clients` at a time. */
async function history(ledger: Ledger, account: string, charges: number, clients: number, request = { operation: 'generate', input: { tool: 'text_to_image' } as Record<string, unknown> }): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < charges) {
      next++;
      await ledger.createCharge({ account, ...request, capture: true }, key('charge'));
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
}

export type LargeStoreTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema: string };

export interface LargeStoreFigures {
  accounts: number;
  entries: number;
  bigAccountEntries: number;
  loadSeconds: number;
}

/**
 * Fills a store opened by `ledger` (fresh, migrated): the template with its history, the big
 * account with `bigAccountEntries`, the counter account with its trainings, then the copies;
 * closes nothing. ModelPix accounts: a captured image is a hold and a capture entry, the
 * signup gift and a top-up one entry each.
 */
export async function loadLargeStore(ledger: Ledger, target: LargeStoreTarget, log: (s: string) => void): Promise<LargeStoreFigures> {
  const started = performance.now();
  const perCopy = Math.max(0, Math.ceil((SIZES.entries - SIZES.bigAccountEntries - 2 * SIZES.counterAccountCharges) / Math.max(1, SIZES.accounts - 2) / 2 - 1));
  await ledger.createAccount({ id: TEMPLATE, pack: 'modelpix' }, key('template'));
  await ledger.topup(TEMPLATE, { credits: '1000' }, key('template-topup'));
  await history(ledger, TEMPLATE, perCopy, 1);
  const db = target.kind === 'sqlite' ? sqliteDialect(target.path) : await postgresDialect(target.url, target.schema);
  try {
    if (target.kind === 'sqlite') {
      await bigAccounts(ledger);
    } else {
      // Charges to one account take turns on its row lock, so on PostgreSQL its history is
      // written by the ledger on a side SQLite store, then its rows are moved over.
      const dir = mkdtempSync(join(tmpdir(), 'ledger-big-'));
      try {
        const side = new SqliteStore({ path: join(dir, 'big.db'), synchronous: 'OFF' });
        await bigAccounts(await Ledger.open(side, ledger.engine));
        await side.close();
        const from = sqliteDialect(join(dir, 'big.db'));
        await transferAccount(from, db, BIG);
        await transferAccount(from, db, COUNTER);
        await from.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    log(`  big account loaded (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    await cloneTemplate(db, Math.max(0, SIZES.accounts - 3));
    const figures = {
      accounts: await db.count('accounts'), entries: await db.count('entries'),
      bigAccountEntries: await db.count('entries', `account_id = '${BIG}'`),
      loadSeconds: 0,
    };
    figures.loadSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
    return figures;
  } finally {
    await db.close();
  }
}

async function bigAccounts(ledger: Ledger): Promise<void> {
  await ledger.createAccount({ id: BIG, pack: 'modelpix' }, key('big'));
  const charges = Math.max(0, Math.ceil(SIZES.bigAccountEntries / 2) - 1);
  await ledger.topup(BIG, { credits: String(7 * charges + 1_000_000_000) }, key('big-topup'));
  await history(ledger, BIG, charges, 32);
  await ledger.createAccount({ id: COUNTER, pack: COUNTED.pack }, key('counter'));
  await ledger.grant(COUNTER, { kind: 'purchase', amount: String(25_000 * SIZES.counterAccountCharges + 1_000_000_000) }, key('counter-grant'));
  await history(ledger, COUNTER, SIZES.counterAccountCharges, 32, COUNTED);
}
