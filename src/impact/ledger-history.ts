// The requests the ledger charged, read back as impact requests: the charges held or
// captured (released and expired holds were never paid), with the rule input the ledger
// evaluated (account inputs included), the charge's time and its account. Read-only: the
// SQLite file is opened read-only, PostgreSQL sessions are read-only transactions.
// The store layer has no query over all charges of a pack, so the one SELECT lives here,
// over the charges table its migrations define.
import Database from 'better-sqlite3';
import pg from 'pg';
import { RuleError } from '../../grammar/diagnostic.ts';
import { isPostgresUrl, type ImpactRequest } from './requests.ts';

export interface HistoryQuery {
  pack: string;
  /** Charges created at or after. */
  from?: Date;
  /** Charges created before. */
  to?: Date;
  /** More charges than this in the range is an error asking for a narrower one. */
  limit?: number;
}

export interface ChargeHistory {
  /** Where the history is, for people: the SQLite file, or `postgres (schema s)`. */
  readonly label: string;
  charges(q: HistoryQuery): Promise<ImpactRequest[]>;
  close(): Promise<void>;
}

export const DEFAULT_HISTORY_LIMIT = 200_000;

const SELECT = `SELECT id, account_id, operation, input, created_at FROM charges
  WHERE pack = ? AND status IN ('held', 'captured') AND created_at >= ? AND created_at < ?
  ORDER BY created_at, id LIMIT ?`;

type Row = { id: string; account_id: string; operation: string; input: string; created_at: number | bigint | string };

function requestsOf(rows: Row[], q: HistoryQuery, label: string): ImpactRequest[] {
  const limit = q.limit ?? DEFAULT_HISTORY_LIMIT;
  if (rows.length > limit) {
    throw new RuleError('too-many-charges', `${label} holds more than ${limit} charges of '${q.pack}' in the time range`, undefined, undefined,
      'narrow it with a later --from or an earlier --to');
  }
  return rows.map((r) => ({
    operation: r.operation, input: JSON.parse(r.input) as Record<string, unknown>,
    at: new Date(Number(r.created_at)), account: r.account_id, where: `charge ${r.id}`,
  }));
}

function params(q: HistoryQuery): (string | number)[] {
  return [q.pack, q.from?.getTime() ?? 0, q.to?.getTime() ?? Number.MAX_SAFE_INTEGER, (q.limit ?? DEFAULT_HISTORY_LIMIT) + 1];
}

const notALedger = (label: string, why: string) =>
  new RuleError('not-a-ledger', `${label} is not a credits ledger database: ${why}`, undefined, undefined, 'give the SQLite file or PostgreSQL database the API server uses (SQLITE_PATH, DATABASE_URL)');

export function sqliteHistory(path: string): ChargeHistory {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw notALedger(path, (e as Error).message);
  }
  const hasCharges = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'charges'").get();
  if (!hasCharges) {
    db.close();
    throw notALedger(path, 'it has no charges table');
  }
  db.pragma('busy_timeout = 5000');
  const select = db.prepare(SELECT);
  return {
    label: path,
    charges: async (q) => requestsOf(select.all(...params(q)) as Row[], q, path),
    close: async () => { db.close(); },
  };
}

export function postgresHistory(url: string, schema?: string): ChargeHistory {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new RuleError('bad-schema', `invalid schema name '${schema}'`, undefined, undefined, 'a schema name is lower-case letters, digits and _, not starting with a digit, e.g. credits');
  const pool = new pg.Pool({
    connectionString: url, max: 2,
    options: `-c default_transaction_read_only=on${schema ? ` -c search_path=${schema}` : ''}`,
  });
  const label = `postgres${schema ? ` (schema ${schema})` : ''}`;
  const sql = (() => { let n = 0; return SELECT.replace(/\?/g, () => `$${++n}`); })();
  return {
    label,
    charges: async (q) => {
      let rows: Row[];
      try {
        rows = (await pool.query(sql, params(q))).rows as Row[];
      } catch (e) {
        if ((e as { code?: string }).code === '42P01') throw notALedger(label, 'it has no charges table');
        throw new RuleError('ledger-unreachable', `cannot read the charges of ${label}: ${(e as Error).message}`, undefined, undefined,
          'check the URL (postgres://user@host:5432/database), that the server runs, and --schema');
      }
      return requestsOf(rows, q, label);
    },
    close: () => pool.end(),
  };
}

/** A PostgreSQL URL, or an SQLite file. */
export function openLedgerHistory(location: string, schema?: string): ChargeHistory {
  return isPostgresUrl(location) ? postgresHistory(location, schema) : sqliteHistory(location);
}
