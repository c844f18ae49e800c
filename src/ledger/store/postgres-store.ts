// PostgreSQL through pg, for several API servers over one database. Transactions run on
// pooled connections at READ COMMITTED; the ledger locks the account row (SELECT … FOR
// UPDATE) before it reads balances, so charges to one account serialize across servers
// while different accounts proceed in parallel. Mutations that name their account are
// committed in batches (pg-group-commit.ts); the rest run in a transaction each.
import pg from 'pg';
import type { ApiKeyRecord } from '../records.ts';
import { migrations } from './migrations.ts';
import { commit, GroupCommit, RETRYABLE } from './pg-group-commit.ts';
import { Runner } from './pg-runner.ts';
import { apiKey, openHolds, SqlTx } from './sql-tx.ts';
import type { LockHint, ReadTx, Store, WriteTx } from './store.ts';

export interface PostgresOptions {
  connectionString: string;
  /** Schema to use (created if missing); default the server's search_path. */
  schema?: string;
  poolSize?: number;
  /** Batches committed side by side (each on its own connection); 0 commits every mutation
   *  alone. Default: the pool size less two, at least 1. */
  lanes?: number;
  /** Most mutations committed together. */
  maxBatch?: number;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly groups: GroupCommit | undefined;

  private constructor(pool: pg.Pool, lanes: number, maxBatch: number) {
    this.pool = pool;
    this.groups = lanes > 0 ? new GroupCommit(pool, lanes, maxBatch) : undefined;
  }

  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name '${schema}'`);
    const poolSize = options.poolSize ?? 10;
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: poolSize,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    const store = new PostgresStore(pool, options.lanes ?? Math.max(1, poolSize - 2), options.maxBatch ?? 32);
    await store.migrate(schema);
    return store;
  }

  private async migrate(schema: string | undefined): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Servers starting together take turns; the second finds the work done.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('credit-rules-migrations'))");
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      for (const m of migrations.postgres) {
        if (applied.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now()]);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
  }

  async transaction<T>(work: (tx: WriteTx) => Promise<T>, lock?: LockHint): Promise<T> {
    if (lock && this.groups) return this.groups.run(work, lock);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inTransaction('BEGIN', work);
      } catch (e) {
        if (attempt < 5 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      }
    }
  }

  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work);
  }

  private async inTransaction<T>(begin: string, work: (tx: WriteTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(begin);
      const runner = new Runner(client);
      const result = await work(new SqlTx(runner));
      await runner.flush();
      await commit(client);
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async apiKeyByHash(secretHash: string): Promise<ApiKeyRecord | undefined> {
    const rows = await new Runner(this.pool).all('SELECT * FROM api_keys WHERE secret_hash = ?', [secretHash]);
    return rows.length ? apiKey(rows[0]!) : undefined;
  }

  async apiKeys(): Promise<ApiKeyRecord[]> {
    return (await new Runner(this.pool).all('SELECT * FROM api_keys ORDER BY created_at, id', [])).map(apiKey);
  }

  async setting(name: string, initial: () => string): Promise<string> {
    await this.pool.query('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, initial()]);
    return (await this.pool.query('SELECT value FROM settings WHERE name = $1', [name])).rows[0].value as string;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  openHolds(at: number): Promise<number> {
    return openHolds(new Runner(this.pool), at);
  }

  async close(): Promise<void> {
    await this.groups?.idle();
    await this.pool.end();
  }
}
