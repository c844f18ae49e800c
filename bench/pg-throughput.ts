// PostgreSQL baselines for the ledger's figures: raw single-insert transactions through pg at
// the ledger's concurrency and pool size, durable (synchronous_commit=on, the server's
// default, set explicitly), and a fresh schema per store so runs never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema as dropSchemaAt } from '../test/ledger/pg-url.ts';

export const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const newSchema = (what: string) => `bench_${what}_${randomBytes(4).toString('hex')}`;

export const dropSchema = (schema: string): Promise<void> => dropSchemaAt(schema, PG_URL);

/**
 * `clients` callers over a pool of `poolSize` connections, each in a loop sending one INSERT
 * (one statement, its own transaction: one round trip, one commit) until `seconds` pass.
 */
export async function rawInsertsPerSecond(schema: string, clients: number, poolSize: number, seconds: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: poolSize, options: `-c search_path=${schema} -c synchronous_commit=on` });
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await pool.query('CREATE TABLE IF NOT EXISTS raw_entries (seq BIGSERIAL PRIMARY KEY, account TEXT NOT NULL, amount BIGINT NOT NULL)');
    let n = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        await pool.query({ name: 'raw-insert', text: 'INSERT INTO raw_entries (account, amount) VALUES ($1, $2)', values: ['acct', n] });
        n++;
      }
    }));
    return n / ((performance.now() - start) / 1000);
  } finally {
    await pool.end();
  }
}

/**
 * A URL whose connections use `schema` and skip waiting for the WAL flush at commit: for
 * loading bench data only, where a crash would lose nothing that matters.
 */
export function loadingUrl(schema: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema} -c synchronous_commit=off`);
  return url.toString();
}

export async function createSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
}
