// SQLite through better-sqlite3: one writer connection in WAL mode, synchronous=FULL by
// default. Concurrent transactions are queued and committed together (group commit): each
// runs inside its own SAVEPOINT, so one that fails rolls back alone, and the batch pays
// for a single fsync. Reads use a second connection and see only committed data.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiKeyRecord } from '../records.ts';
import { migrations } from './migrations.ts';
import { apiKey, SqlTx, type Param, type Row, type SqlRunner } from './sql-tx.ts';
import type { ReadTx, Store, WriteTx } from './store.ts';

export interface SqliteOptions {
  path: string;
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** Most transactions committed together. */
  maxBatch?: number;
}

interface Job {
  work: (tx: WriteTx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

class Runner implements SqlRunner {
  readonly dialect = 'sqlite';
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async all(sql: string, params: Param[]): Promise<Row[]> {
    return this.prepare(sql).all(...params) as Row[];
  }

  async run(sql: string, params: Param[]): Promise<number> {
    return this.prepare(sql).run(...params).changes;
  }
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly writeTx: SqlTx;
  private readonly readRunner: Runner;
  private readonly maxBatch: number;
  private queue: Job[] = [];
  private flushing = false;
  private reading: Promise<unknown> = Promise.resolve();

  constructor(options: SqliteOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.writer = new Database(options.path);
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.writer.pragma('foreign_keys = ON');
    this.writer.pragma('busy_timeout = 5000');
    this.writer.defaultSafeIntegers(true);
    this.migrate();
    this.reader = new Database(options.path, { readonly: true });
    this.reader.pragma('busy_timeout = 5000');
    this.reader.defaultSafeIntegers(true);
    this.writeTx = new SqlTx(new Runner(this.writer));
    this.readRunner = new Runner(this.reader);
    this.maxBatch = options.maxBatch ?? 512;
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
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    // Let the callers of this turn of the event loop join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      this.writer.exec('BEGIN IMMEDIATE');
      for (const job of batch) {
        this.writer.exec('SAVEPOINT job');
        try {
          const value = await job.work(this.writeTx);
          this.writer.exec('RELEASE job');
          outcomes.push({ ok: true, value });
        } catch (error) {
          this.writer.exec('ROLLBACK TO job');
          this.writer.exec('RELEASE job');
          outcomes.push({ ok: false, error });
        }
      }
      try {
        this.writer.exec('COMMIT');
      } catch (error) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        for (const job of batch) job.reject(error);
        continue;
      }
      batch.forEach((job, i) => {
        const o = outcomes[i]!;
        if (o.ok) job.resolve(o.value);
        else job.reject(o.error);
      });
    }
    this.flushing = false;
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
      this.writer.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, initial());
      return (this.writer.prepare('SELECT value FROM settings WHERE name = ?').get(name) as { value: string }).value;
    });
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setImmediate(r));
    this.reader.close();
    this.writer.close();
  }
}
