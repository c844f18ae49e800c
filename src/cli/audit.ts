// `credits audit`: recomputes every balance of a ledger database from its entry log and
// reports any drift. Accounts are first brought up to date as the API would (expiries,
// renewals and statement closes due are written), so the log is complete at this instant.
import { existsSync } from 'node:fs';
import { Engine } from '../engine/index.ts';
import { Ledger } from '../ledger/ledger.ts';
import { withLedgerPolicies } from '../ledger/pack-policies.ts';
import type { Store } from '../ledger/store/store.ts';
import { UsageError, type CliIo } from './output.ts';

export interface AuditOptions {
  /** A postgres:// URL or an SQLite file; default DATABASE_URL, else SQLITE_PATH, else data/credits.db. */
  database?: string;
  schema?: string;
  rules?: string;
  json?: boolean;
}

export async function auditCommand(o: AuditOptions, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const location = o.database ?? (env.DATABASE_URL || env.SQLITE_PATH || 'data/credits.db');
  const postgres = /^postgres(ql)?:\/\//.test(location);
  if (!postgres && !existsSync(location)) throw new UsageError(`no ledger database at ${location}; give --database, or set DATABASE_URL or SQLITE_PATH as for the API server`);
  const engine = Engine.load(o.rules ?? (env.RULES_DIR || 'rules'));
  let store: Store;
  if (postgres) {
    const { PostgresStore } = await import('../ledger/store/postgres-store.ts');
    store = await PostgresStore.open({ connectionString: location, schema: o.schema ?? (env.DATABASE_SCHEMA || undefined) });
  } else {
    const { SqliteStore } = await import('../ledger/store/sqlite-store.ts');
    store = new SqliteStore({ path: location });
  }
  try {
    const ledger = await Ledger.open(store, withLedgerPolicies(engine));
    const report = await ledger.audit();
    if (o.json) io.out(JSON.stringify(report, null, 2));
    else {
      for (const d of report.drift) io.out(`drift: account ${d.account} ${d.grant ? `grant ${d.grant}` : 'overdraft'}: the log sums to ${d.log}, the store holds ${d.stored}`);
      io.out(`${report.accounts_checked} account${report.accounts_checked === 1 ? '' : 's'} checked: ${report.drift.length === 0 ? 'every balance equals the sum of its log' : `${report.drift.length} balance${report.drift.length === 1 ? '' : 's'} drifted`}`);
    }
    return report.drift.length === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}
