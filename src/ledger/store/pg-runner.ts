// One pg connection (or the pool) seen as the SqlRunner the shared statements need:
// `?` placeholders renumbered, statements prepared once per connection, and rows of
// append-only tables sent along with the next write.
import pg from 'pg';
import type { Param, Row, SqlRunner } from './sql-tx.ts';
import type { StoredResponse } from './store.ts';

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

export class Runner implements SqlRunner {
  readonly dialect = 'postgres';
  /** Rows whose INSERT waits to ride on the next write (deferInsert), per `INSERT INTO t (cols)`. */
  private deferred = new Map<string, Param[][]>();
  /** Statements that changed a row, deferred rows, and failures (which abort the transaction):
   *  a job of a group commit that fails with this unchanged has written nothing. */
  writes = 0;
  constructor(
    private readonly client: pg.ClientBase | pg.Pool,
    readonly knownKeys?: Map<string, StoredResponse | null>,
  ) {}

  /**
   * Defers an insert of one row into an append-only table that nothing in the transaction
   * reads back except by name: it is sent as a data-modifying WITH in front of the next
   * INSERT, UPDATE or DELETE (one round trip for both), or alone before a statement that
   * names the table and at the end (flush). A failure is still the transaction's.
   */
  deferInsert(into: string, row: Param[]): void {
    this.writes++;
    const rows = this.deferred.get(into);
    if (rows) rows.push(row);
    else this.deferred.set(into, [row]);
  }

  async flush(): Promise<void> {
    if (!this.deferred.size) return;
    const { sql, params } = this.withDeferred('SELECT 1', []);
    await this.counted(query(numbered(sql), params.map(toPg)), false);
  }

  /** Forgets deferred rows not sent yet (their job was rolled back to its savepoint). */
  discardDeferred(): void {
    this.deferred.clear();
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
    const writes = WRITE.test(sql);
    if (this.deferred.size) {
      if (writes) ({ sql, params } = this.withDeferred(sql, params));
      else if ([...this.deferred.keys()].some((into) => sql.includes(into.split(' ')[2]!))) await this.flush();
    }
    return this.counted(query(numbered(sql), params.map(toPg)), writes);
  }

  private async counted(config: pg.QueryConfig, writes: boolean): Promise<pg.QueryResult> {
    let result: pg.QueryResult;
    try {
      result = await this.client.query(config);
    } catch (error) {
      this.writes++;
      throw error;
    }
    if (writes && (result.rowCount ?? 0) > 0) this.writes++;
    return result;
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

export const toPg = (p: Param) => (typeof p === 'bigint' ? p.toString() : p);

