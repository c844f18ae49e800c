// PostgreSQL through pg, for several API servers over one database. Each transaction runs
// on its own pooled connection at READ COMMITTED; the ledger locks the account row
// (SELECT … FOR UPDATE) before it reads balances, so charges to one account serialize
// across servers while different accounts proceed in parallel.
import pg from 'pg';
import type { ApiKeyRecord } from '../records.ts';
import { migrations } from './migrations.ts';
import { apiKey, openHolds, SqlTx, type Param, type Row, type SqlRunner } from './sql-tx.ts';
import type { ReadTx, Store, WriteTx } from './store.ts';

export interface PostgresOptions {
  connectionString: string;
  /** Schema to use (created if missing); default the server's search_path. */
  schema?: string;
  poolSize?: number;
}

const placeholders = new Map<string, string>();

function numbered(sql: string): string {
  let out = placeholders.get(sql);
  if (!out) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    placeholders.set(sql, out);
  }
  return out;
}

// Statements are prepared once per connection (pg's named queries): later runs skip parsing
// and planning. Texts that vary (IN lists of any length) would make names without end, so
// only the first few hundred distinct texts get one.
const names = new Map<string, string>();
const MAX_NAMES = 400;

function query(text: string, values: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMES) names.set(text, (name = `s${names.size}`));
  return name === undefined ? { text, values } : { name, text, values };
}

// Statements a data-modifying WITH may lead (a WITH statement gets its list extended).
const WRITE = /^\s*(INSERT|UPDATE|DELETE|WITH)\b/i;

class Runner implements SqlRunner {
  readonly dialect = 'postgres';
  /** Rows whose INSERT waits to ride on the next write (deferInsert), per `INSERT INTO t (cols)`. */
  private deferred = new Map<string, Param[][]>();
  constructor(private readonly client: pg.ClientBase | pg.Pool) {}

  /**
   * Defers an insert of one row into an append-only table that nothing in the transaction
   * reads back except by name: it is sent as a data-modifying WITH in front of the next
   * INSERT, UPDATE or DELETE (one round trip for both), or alone before a statement that
   * names the table and at the end (flush). A failure is still the transaction's.
   */
  deferInsert(into: string, row: Param[]): void {
    const rows = this.deferred.get(into);
    if (rows) rows.push(row);
    else this.deferred.set(into, [row]);
  }

  async flush(): Promise<void> {
    if (!this.deferred.size) return;
    const { sql, params } = this.withDeferred('SELECT 1', []);
    await this.client.query(query(numbered(sql), params.map(toPg)));
  }

  private withDeferred(sql: string, params: Param[]): { sql: string; params: Param[] } {
    const ctes: string[] = [];
    const before: Param[] = [];
    let i = 0;
    for (const [into, rows] of this.deferred) {
      const marks = `(${rows[0]!.map(() => '?').join(', ')})`;
      ctes.push(`d${i++} AS (${into} VALUES ${rows.map(() => marks).join(', ')})`);
      for (const r of rows) before.push(...r);
    }
    this.deferred.clear();
    const rest = sql.replace(/^\s*WITH\s+/i, '');
    return { sql: `WITH ${ctes.join(', ')}${rest === sql ? ' ' : ', '}${rest}`, params: [...before, ...params] };
  }

  private async send(sql: string, params: Param[]): Promise<pg.QueryResult> {
    if (this.deferred.size) {
      if (WRITE.test(sql)) ({ sql, params } = this.withDeferred(sql, params));
      else if ([...this.deferred.keys()].some((into) => sql.includes(into.split(' ')[2]!))) await this.flush();
    }
    return this.client.query(query(numbered(sql), params.map(toPg)));
  }

  async all(sql: string, params: Param[]): Promise<Row[]> {
    return (await this.send(sql, params)).rows as Row[];
  }

  async run(sql: string, params: Param[]): Promise<number> {
    return (await this.send(sql, params)).rowCount ?? 0;
  }

  async insertId(sql: string, params: Param[]): Promise<number> {
    return Number((await this.send(`${sql} RETURNING id`, params)).rows[0].id);
  }
}

const toPg = (p: Param) => (typeof p === 'bigint' ? p.toString() : p);

// Serialization failures and deadlocks are safe to retry: the transaction did nothing.
const RETRYABLE = new Set(['40001', '40P01']);

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name '${schema}'`);
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    const store = new PostgresStore(pool);
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

  async transaction<T>(work: (tx: WriteTx) => Promise<T>): Promise<T> {
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
      await client.query('COMMIT');
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
    await this.pool.end();
  }
}
