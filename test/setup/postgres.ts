// The PostgreSQL suites need the server this machine runs; when it can't be reached, the run
// stops at once with one message saying how to start it, instead of a timeout per test.
import pg from 'pg';
import { PG_URL } from '../ledger/pg-url.ts';

export default async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 30_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    throw new Error([
      `PostgreSQL is not reachable at ${PG_URL.replace(/:[^:@/]*@/, ':***@')}: ${(e as Error).message}`,
      'The tests run every ledger and HTTP case on SQLite and on PostgreSQL. Start the server with',
      '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      'or point TEST_DATABASE_URL at another one (postgres://user@host:port/database).',
    ].join('\n'));
  } finally {
    await client.end().catch(() => {});
  }
}
