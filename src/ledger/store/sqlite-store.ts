// SQLite through better-sqlite3: one writer connection in WAL mode, synchronous=FULL by
// default. Concurrent transactions are queued and committed together (group commit), so
// the batch pays for a single fsync; each job's failure is undone alone (see runBatch).
// Reads use a second connection and see only committed data.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiKeyRecord } from '../records.ts';
import { BatchQueue, type Job, type Outcome } from './batches.ts';
import { migrations } from './migrations.ts';
import { apiKey, openHolds, SqlTx, type Param, type Row, type SqlRunner } from './sql-tx.ts';
import type { ReadTx, Store, WriteTx } from './store.ts';

export interface SqliteOptions {
  path: string;
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** Most transactions committed together. */
  maxBatch?: number;
}

// After a batch had to be run again because a job failed having written, this many batches
// run with a savepoint per job before trying without again.
const GUARDED_BATCHES = 16;

interface Prepared {
  statement: Database.Statement;
  /** Changes nothing (SELECT). */
  reads: boolean;
  /** Result column names, for statements that return rows. */
  columns: string[];
}

function rowObjects(p: Prepared, rows: unknown[][]): Row[] {
  const { columns } = p;
  const out: Row[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const values = rows[i]!;
    const row: Row = {};
    for (let j = 0; j < columns.length; j++) row[columns[j]!] = values[j];
    out[i] = row;
  }
  return out;
}

class Runner implements SqlRunner {
  readonly dialect = 'sqlite';
  private readonly statements = new Map<string, Prepared>();
  /** Statements that changed a row, or failed (and so may have changed one before). A
   *  statement that changes no row fires no trigger either, so it changed nothing. */
  writes = 0;
  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Prepared {
    let s = this.statements.get(sql);
    if (!s) {
      const statement = this.db.prepare(sql);
      // Rows come back as arrays and become objects here: quicker than better-sqlite3
      // building each object property by property through the native API.
      const columns = statement.reader ? statement.raw(true).columns().map((c) => c.name) : [];
      s = { statement, reads: statement.readonly, columns };
      this.statements.set(sql, s);
    }
    return s;
  }

  async all(sql: string, params: Param[]): Promise<Row[]> {
    const p = this.prepare(sql);
    if (p.reads) return rowObjects(p, p.statement.all(...params) as unknown[][]);
    // A write with RETURNING: one row back per row changed.
    let rows: unknown[][];
    try {
      rows = p.statement.all(...params) as unknown[][];
    } catch (error) {
      this.writes++;
      throw error;
    }
    if (rows.length > 0) this.writes++;
    return rowObjects(p, rows);
  }

  async insertId(sql: string, params: Param[]): Promise<number> {
    let id: number | bigint;
    try {
      id = this.prepare(sql).statement.run(...params).lastInsertRowid;
    } catch (error) {
      this.writes++;
      throw error;
    }
    this.writes++;
    return Number(id);
  }

  async run(sql: string, params: Param[]): Promise<number> {
    let changes: number;
    try {
      changes = this.prepare(sql).statement.run(...params).changes;
    } catch (error) {
      this.writes++;
      throw error;
    }
    if (changes > 0) this.writes++;
    return changes;
  }
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly writeRunner: Runner;
  private readonly writeTx: SqlTx;
  private readonly readRunner: Runner;
  /** BEGIN IMMEDIATE, SAVEPOINT, RELEASE, ROLLBACK TO, COMMIT, ROLLBACK: prepared once. */
  private readonly control: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit' | 'rollback', Database.Statement>;
  private readonly queue: BatchQueue<Job>;
  /** Batches left to run with a savepoint per job. */
  private guarded = 0;
  private reading: Promise<unknown> = Promise.resolve();

  constructor(options: SqliteOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.writer = new Database(options.path);
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.writer.pragma('foreign_keys = ON');
    this.writer.pragma('busy_timeout = 5000');
    // Savepoint journals (one per job of a group commit) in memory rather than a temporary
    // file: they only matter until the transaction ends, so durability is unchanged.
    this.writer.pragma('temp_store = MEMORY');
    this.writer.defaultSafeIntegers(true);
    this.migrate();
    this.reader = new Database(options.path, { readonly: true });
    this.reader.pragma('busy_timeout = 5000');
    this.reader.defaultSafeIntegers(true);
    this.writeRunner = new Runner(this.writer);
    this.writeTx = new SqlTx(this.writeRunner);
    this.readRunner = new Runner(this.reader);
    this.queue = new BatchQueue(options.maxBatch ?? 512, (batch) => this.commitBatch(batch));
    const w = this.writer;
    this.control = {
      begin: w.prepare('BEGIN IMMEDIATE'), savepoint: w.prepare('SAVEPOINT job'), release: w.prepare('RELEASE job'),
      rollbackTo: w.prepare('ROLLBACK TO job'), commit: w.prepare('COMMIT'), rollback: w.prepare('ROLLBACK'),
    };
  }

  private migrate(): void {
    this.writer.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    this.writer.transaction(() => {
      const applied = new Set((this.writer.prepare('SELECT version FROM schema_migrations').all() as { version: bigint }[]).map((r) => Number(r.version)));
      for (const m of migrations.sqlite) {
        if (applied.has(m.version)) continue;
        this.writer.exec(m.sql);
        this.writer.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
      }
    }).immediate();
  }

  transaction<T>(work: (tx: WriteTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  private async commitBatch(batch: Job[]): Promise<Outcome[]> {
    try {
      const outcomes = await this.runBatch(batch);
      this.control.commit.run();
      return outcomes;
    } catch (error) {
      if (this.writer.inTransaction) this.control.rollback.run();
      throw error;
    }
  }

  /**
   * Runs a batch in one open transaction, leaving it to commit. A savepoint per job would
   * let each failure roll back alone, but costs a copy of every page a job touches, and most
   * jobs succeed or fail before writing anything (the ledger checks and plans first). So the
   * batch runs without savepoints: a job that fails having written nothing is simply
   * reported. One that fails after writing (the runner counts write statements) rolls the
   * whole batch back, none of it reported yet, and the batch runs again from the start
   * with a savepoint per job, as do the next few.
   */
  private async runBatch(batch: Job[]): Promise<Outcome[]> {
    const c = this.control;
    if (this.guarded === 0) {
      c.begin.run();
      const outcomes: Outcome[] = [];
      let undone = false;
      for (const job of batch) {
        const writes = this.writeRunner.writes;
        try {
          outcomes.push({ ok: true, value: await job.work(this.writeTx) });
        } catch (error) {
          if (this.writeRunner.writes !== writes) {
            undone = true;
            break;
          }
          outcomes.push({ ok: false, error });
        }
      }
      if (!undone) return outcomes;
      if (this.writer.inTransaction) c.rollback.run();
      this.guarded = GUARDED_BATCHES;
    } else {
      this.guarded--;
    }
    c.begin.run();
    const outcomes: Outcome[] = [];
    for (const job of batch) {
      c.savepoint.run();
      try {
        const value = await job.work(this.writeTx);
        c.release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        c.rollbackTo.run();
        c.release.run();
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T> {
    // One snapshot per read; reads take turns on the read connection.
    const run = async () => {
      this.reader.exec('BEGIN');
      try {
        return await work(new SqlTx(this.readRunner));
      } finally {
        this.reader.exec('COMMIT');
      }
    };
    const result = this.reading.then(run, run);
    this.reading = result.catch(() => undefined);
    return result;
  }

  async apiKeyByHash(secretHash: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.readRunner.all('SELECT * FROM api_keys WHERE secret_hash = ?', [secretHash]);
    return rows.length ? apiKey(rows[0]!) : undefined;
  }

  async apiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.readRunner.all('SELECT * FROM api_keys ORDER BY created_at, id', [])).map(apiKey);
  }

  setting(name: string, initial: () => string): Promise<string> {
    return this.transaction(async () => {
      await this.writeRunner.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, initial()]);
      return (await this.writeRunner.all('SELECT value FROM settings WHERE name = ?', [name]))[0]!.value as string;
    });
  }

  async ping(): Promise<void> {
    // A table read, not SELECT 1: SQLite answers that without looking at the file.
    await this.readRunner.all('SELECT COUNT(*) AS n FROM schema_migrations', []);
  }

  openHolds(at: number): Promise<number> {
    return openHolds(this.readRunner, at);
  }

  async close(): Promise<void> {
    while (this.queue.busy) await new Promise((r) => setImmediate(r));
    this.reader.close();
    this.writer.close();
  }
}
