// The store's statements, written once in the SQL both SQLite and PostgreSQL accept
// (`?` placeholders are renumbered for pg). Conditions on UPDATEs are the invariants.
import type {
  AccountRecord, ApiKeyRecord, ChargeRecord, ChargeStatus, DrawRecord, EntryRecord, GrantRecord, KeyScope, StatementLine, StatementRecord,
} from '../records.ts';
import { IntegrationSql } from './integration-sql.ts';
import type { BillingState, ChargeWithDraws, LockedAccount, StoredResponse, SubscriptionState, UsageCounts, UsageDrift, WriteTx } from './store.ts';

// A usage bucket spans at most a local day (25 h with a DST change): see counted().
const BUCKET_HORIZON_MS = 2 * 86_400_000;

const ENTRY_INSERT = 'INSERT INTO entries (account_id, at, kind, amount, moved, grant_id, charge_id, memo)';

export type Param = string | number | bigint | null;
export type Row = Record<string, unknown>;

export interface SqlRunner {
  readonly dialect: 'sqlite' | 'postgres';
  all(sql: string, params: Param[]): Promise<Row[]>;
  /** Number of rows changed. */
  run(sql: string, params: Param[]): Promise<number>;
  /** Runs an INSERT of one row into a table whose key is an integer `id`; returns that id. */
  insertId(sql: string, params: Param[]): Promise<number>;
  /** Where supported, sends `INSERT INTO t (cols) VALUES (row)` with a later statement of the
   *  transaction instead of alone (fewer round trips); the statement is still in the transaction. */
  deferInsert?(into: string, row: Param[]): void;
  /** Present in a PostgreSQL group commit, whose keys, as SQLite's, are looked up at claimKey
   *  and inserted at saveResponse (a batch reruns a job whose insert meets a concurrent claim):
   *  the responses already known in the transaction, read ahead or saved by an earlier job;
   *  null: the key is known to be free. */
  readonly knownKeys?: Map<string, StoredResponse | null>;
}

const KEY_INSERT = 'INSERT INTO idempotency (key, request_hash, response, created_at)';

export const int = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as string | number));
export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function account(r: Row): AccountRecord {
  return {
    id: r.id as string, pack: r.pack as string, plan: (r.plan as string | null) ?? null,
    billing: r.billing as AccountRecord['billing'],
    overdraftLimit: int(r.overdraft_limit), overdraftUsed: int(r.overdraft_used),
    timeZone: r.time_zone as string, periodIndex: num(r.period_index),
    periodStart: numOrNull(r.period_start), periodEnd: numOrNull(r.period_end), periodAnchor: numOrNull(r.period_anchor),
    cancelAtPeriodEnd: num(r.cancel_at_period_end) === 1, subscriptionMonths: num(r.subscription_months), createdAt: num(r.created_at),
    pendingPlan: (r.pending_plan as string | null) ?? null, statementStart: numOrNull(r.statement_start), statementEnd: numOrNull(r.statement_end),
    metadata: (r.metadata as string | null | undefined) ?? null,
  };
}

export function grant(r: Row): GrantRecord {
  return {
    id: r.id as string, accountId: r.account_id as string, kind: r.kind as string,
    amount: int(r.amount), remaining: int(r.remaining), priority: num(r.priority),
    effectiveAt: num(r.effective_at), expiresAt: numOrNull(r.expires_at), createdAt: num(r.created_at),
    source: r.source as string, rolledInto: (r.rolled_into as string | null) ?? null,
  };
}

export function charge(r: Row): ChargeRecord {
  return {
    id: r.id as string, accountId: r.account_id as string, pack: r.pack as string, operation: r.operation as string,
    version: r.version as string, input: r.input as string, status: r.status as ChargeStatus,
    held: int(r.held), captured: r.captured === null ? null : int(r.captured), refunded: int(r.refunded),
    createdAt: num(r.created_at), expiresAt: num(r.expires_at), resolvedAt: numOrNull(r.resolved_at),
    metadata: (r.metadata as string | null | undefined) ?? null,
  };
}

// Draws come with their grant's kind and expiry (immutable), so crediting back and showing
// a charge need no read per grant.
const DRAWS = `SELECT d.id, d.charge_id, d.grant_id, d.amount, d.refunded, g.kind AS grant_kind, g.expires_at AS grant_expires_at
  FROM draws d LEFT JOIN grants g ON g.id = d.grant_id WHERE d.charge_id = ? ORDER BY d.id`;

export function draw(r: Row): DrawRecord {
  return {
    id: num(r.id), chargeId: r.charge_id as string, grantId: (r.grant_id as string | null) ?? null, amount: int(r.amount), refunded: int(r.refunded),
    grantKind: (r.grant_kind as string | null) ?? null, grantExpiresAt: numOrNull(r.grant_expires_at),
  };
}

// A charge and its draws in one read: the charge's columns repeat on each draw's row.
const CHARGE_WITH_DRAWS = `SELECT c.*, d.id AS draw_id, d.grant_id AS draw_grant_id, d.amount AS draw_amount, d.refunded AS draw_refunded,
    g.kind AS grant_kind, g.expires_at AS grant_expires_at
  FROM charges c LEFT JOIN draws d ON d.charge_id = c.id LEFT JOIN grants g ON g.id = d.grant_id
  WHERE c.id = ? ORDER BY d.id`;

// The account row and, in the same statement, whether it has holds to release first. The
// charges index on (account_id, expires_at) WHERE status = 'held' answers the EXISTS. On
// PostgreSQL the EXISTS sees the statement's snapshot, which may predate the lock wait; that
// is harmless: the set it tests only grows by a new hold already expired at \`at\`, which
// another server could make only with a clock behind by more than the hold timeout, and a
// stale yes just finds nothing to release.
// The same goes for grants expired with credits left (grants_by_account answers it): only
// time makes them, never a concurrent write.
const LOCKED = `SELECT a.*, EXISTS (SELECT 1 FROM charges c WHERE c.account_id = a.id AND c.status = 'held' AND c.expires_at <= ?) AS holds_expired,
    EXISTS (SELECT 1 FROM grants g WHERE g.account_id = a.id AND g.remaining > 0 AND g.expires_at <= ?) AS grants_lapsed
  FROM accounts a`;

function locked(r: Row): LockedAccount {
  return { account: account(r), holdsExpired: num(r.holds_expired) === 1, grantsLapsed: num(r.grants_lapsed) === 1 };
}

function statement(r: Row): StatementRecord {
  const lines = (JSON.parse(r.lines as string) as { operation: string; charges: number; amount: string }[])
    .map((l) => ({ operation: l.operation, charges: l.charges, amount: BigInt(l.amount) }));
  return {
    id: r.id as string, accountId: r.account_id as string, periodStart: num(r.period_start), periodEnd: num(r.period_end), lines,
    total: int(r.total), creditsApplied: int(r.credits_applied), amountDue: int(r.amount_due), closedAt: num(r.closed_at),
  };
}

function entry(r: Row): EntryRecord {
  return {
    seq: num(r.seq), accountId: r.account_id as string, at: num(r.at), kind: r.kind as EntryRecord['kind'],
    amount: int(r.amount), moved: r.moved === null || r.moved === undefined ? null : int(r.moved),
    grantId: (r.grant_id as string | null) ?? null, chargeId: (r.charge_id as string | null) ?? null,
    memo: (r.memo as string | null) ?? null,
  };
}

export function apiKey(r: Row): ApiKeyRecord {
  return {
    id: r.id as string, secretHash: r.secret_hash as string, scope: r.scope as KeyScope,
    accounts: JSON.parse(r.accounts as string) as string[], label: (r.label as string | null) ?? null,
    createdAt: num(r.created_at), revokedAt: numOrNull(r.revoked_at),
  };
}

/** Holds neither resolved nor timed out at `at` (Store.openHolds), outside any transaction. */
export async function openHolds(db: SqlRunner, at: number): Promise<number> {
  const rows = await db.all("SELECT COUNT(*) AS n FROM charges WHERE status = 'held' AND expires_at > ?", [at]);
  return Number(rows[0]!.n);
}

function storedResponse(r: Row): StoredResponse {
  return { requestHash: r.request_hash as string, response: r.response as string };
}

export class SqlTx implements WriteTx {
  private readonly lockById: string;
  private readonly lockByCharge: string;
  readonly integration: IntegrationSql;

  constructor(private readonly db: SqlRunner) {
    this.integration = new IntegrationSql(db);
    const forUpdate = db.dialect === 'postgres' ? ' FOR UPDATE OF a' : '';
    this.lockById = `${LOCKED} WHERE a.id = ?${forUpdate}`;
    // A charge's account never changes, so any snapshot of it names the right row to lock.
    this.lockByCharge = `${LOCKED} WHERE a.id = (SELECT account_id FROM charges WHERE id = ?)${forUpdate}`;
  }

  private async one<T>(sql: string, params: Param[], map: (r: Row) => T): Promise<T | undefined> {
    const rows = await this.db.all(sql, params);
    return rows.length ? map(rows[0]!) : undefined;
  }

  async claimKey(key: string, requestHash: string, at: number): Promise<StoredResponse | undefined> {
    if (this.db.dialect === 'sqlite' || this.db.knownKeys) {
      // SQLite runs one write transaction at a time (one writer, BEGIN IMMEDIATE), so no one
      // can take the key between this read and saveResponse's insert; and a transaction that
      // fails before then has written nothing for it. A PostgreSQL group commit may meet a
      // concurrent claim at the insert: its unique violation makes the job run again, and
      // then this read finds the response.
      const known = this.db.knownKeys?.get(key);
      if (known !== undefined) return known ?? undefined;
      return this.one('SELECT request_hash, response FROM idempotency WHERE key = ?', [key], storedResponse);
    }
    // PostgreSQL: the insert claims the key at once; a concurrent request with the same key
    // waits here until this transaction ends, then finds the response.
    const inserted = await this.db.run(
      'INSERT INTO idempotency (key, request_hash, response, created_at) VALUES (?, ?, NULL, ?) ON CONFLICT (key) DO NOTHING',
      [key, requestHash, at],
    );
    if (inserted === 1) return undefined;
    return this.one('SELECT request_hash, response FROM idempotency WHERE key = ?', [key], storedResponse);
  }

  async saveResponse(key: string, requestHash: string, at: number, response: string): Promise<void> {
    if (this.db.dialect === 'sqlite' || this.db.knownKeys) {
      const row = [key, requestHash, response, at];
      this.db.knownKeys?.set(key, { requestHash, response });
      if (this.db.deferInsert) this.db.deferInsert(KEY_INSERT, row);
      else await this.db.run(`${KEY_INSERT} VALUES (?, ?, ?, ?)`, row);
      return;
    }
    await this.db.run('UPDATE idempotency SET response = ? WHERE key = ? AND response IS NULL', [response, key]);
  }

  async insertAccount(a: AccountRecord): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO accounts (id, pack, plan, billing, overdraft_limit, overdraft_used, time_zone, period_index, period_start, period_end, period_anchor,
         cancel_at_period_end, subscription_months, created_at, pending_plan, statement_start, statement_end)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      [a.id, a.pack, a.plan, a.billing, a.overdraftLimit, a.overdraftUsed, a.timeZone, a.periodIndex, a.periodStart, a.periodEnd, a.periodAnchor,
        a.cancelAtPeriodEnd ? 1 : 0, a.subscriptionMonths, a.createdAt, a.pendingPlan, a.statementStart, a.statementEnd],
    );
    return n === 1;
  }

  account(id: string): Promise<AccountRecord | undefined> {
    return this.one('SELECT * FROM accounts WHERE id = ?', [id], account);
  }

  accountState(id: string, at: number): Promise<LockedAccount | undefined> {
    return this.one(`${LOCKED} WHERE a.id = ?`, [at, at, id], locked);
  }

  lockAccount(id: string, at: number): Promise<LockedAccount | undefined> {
    return this.one(this.lockById, [at, at, id], locked);
  }

  lockAccountOfCharge(chargeId: string, at: number): Promise<LockedAccount | undefined> {
    return this.one(this.lockByCharge, [at, at, chargeId], locked);
  }

  async updateSubscription(id: string, s: SubscriptionState): Promise<void> {
    await this.db.run(
      `UPDATE accounts SET plan = ?, period_index = ?, period_start = ?, period_end = ?, period_anchor = ?, cancel_at_period_end = ?, subscription_months = ?,
        pending_plan = ? WHERE id = ?`,
      [s.plan, s.periodIndex, s.periodStart, s.periodEnd, s.periodAnchor, s.cancelAtPeriodEnd ? 1 : 0, s.subscriptionMonths, s.pendingPlan, id],
    );
  }

  async updateBilling(id: string, b: BillingState): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE accounts SET billing = ?, overdraft_limit = ?, statement_start = ?, statement_end = ?
        WHERE id = ? AND overdraft_used <= ? AND (? = 'postpaid' OR overdraft_used = 0)`,
      [b.billing, b.overdraftLimit, b.statementStart, b.statementEnd, id, b.overdraftLimit, b.billing],
    );
    return n === 1;
  }

  async setStatementPeriod(id: string, start: number | null, end: number | null): Promise<void> {
    await this.db.run('UPDATE accounts SET statement_start = ?, statement_end = ? WHERE id = ?', [start, end, id]);
  }

  async insertStatement(st: StatementRecord): Promise<void> {
    const lines = JSON.stringify(st.lines.map((l) => ({ operation: l.operation, charges: l.charges, amount: l.amount.toString() })));
    await this.db.run(
      `INSERT INTO statements (id, account_id, period_start, period_end, lines, total, credits_applied, amount_due, closed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [st.id, st.accountId, st.periodStart, st.periodEnd, lines, st.total, st.creditsApplied, st.amountDue, st.closedAt],
    );
  }

  async statements(accountId: string): Promise<StatementRecord[]> {
    return (await this.db.all('SELECT * FROM statements WHERE account_id = ? ORDER BY period_start, id', [accountId])).map(statement);
  }

  statement(id: string): Promise<StatementRecord | undefined> {
    return this.one('SELECT * FROM statements WHERE id = ?', [id], statement);
  }

  async endGrant(grantId: string, expected: bigint, at: number): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE grants SET remaining = 0, expires_at = CASE WHEN expires_at IS NULL OR expires_at > ? THEN ? ELSE expires_at END
        WHERE id = ? AND remaining = ?`,
      [at, at, grantId, expected],
    );
    return n === 1;
  }

  async lapsedGrants(accountId: string, at: number): Promise<GrantRecord[]> {
    const rows = await this.db.all(
      'SELECT * FROM grants WHERE account_id = ? AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, id',
      [accountId, at],
    );
    return rows.map(grant);
  }

  async capturedUsage(accountId: string, from: number, to: number): Promise<StatementLine[]> {
    const rows = await this.db.all(
      `SELECT operation, COUNT(*) AS n, COALESCE(SUM(captured - refunded), 0) AS amount FROM charges
        WHERE account_id = ? AND status = 'captured' AND resolved_at >= ? AND resolved_at < ? GROUP BY operation ORDER BY operation`,
      [accountId, from, to],
    );
    return rows.map((r) => ({ operation: r.operation as string, charges: num(r.n), amount: int(r.amount) }));
  }

  async creditsApplied(accountId: string, from: number, to: number): Promise<bigint> {
    const rows = await this.db.all(
      `SELECT COALESCE(SUM(d.amount - d.refunded), 0) AS n FROM draws d JOIN charges c ON c.id = d.charge_id
        WHERE c.account_id = ? AND c.status = 'captured' AND c.resolved_at >= ? AND c.resolved_at < ? AND d.grant_id IS NOT NULL`,
      [accountId, from, to],
    );
    return int(rows[0]!.n);
  }

  async heldOverdraft(accountId: string): Promise<bigint> {
    const rows = await this.db.all(
      `SELECT COALESCE(SUM(d.amount), 0) AS n FROM draws d JOIN charges c ON c.id = d.charge_id
        WHERE c.account_id = ? AND c.status = 'held' AND d.grant_id IS NULL`,
      [accountId],
    );
    return int(rows[0]!.n);
  }

  async logSums(accountId: string): Promise<Map<string | null, bigint>> {
    const rows = await this.db.all('SELECT grant_id, SUM(amount) AS n FROM entries WHERE account_id = ? GROUP BY grant_id', [accountId]);
    return new Map(rows.map((r) => [(r.grant_id as string | null) ?? null, int(r.n)]));
  }

  async auditAccountIds(afterId: string, limit: number): Promise<string[]> {
    return (await this.db.all('SELECT id FROM accounts WHERE id > ? ORDER BY id LIMIT ?', [afterId, limit])).map((r) => r.id as string);
  }

  async adjustOverdraft(accountId: string, delta: bigint): Promise<boolean> {
    const n = await this.db.run(
      'UPDATE accounts SET overdraft_used = overdraft_used + ? WHERE id = ? AND overdraft_used + ? BETWEEN 0 AND overdraft_limit',
      [delta, accountId, delta],
    );
    return n === 1;
  }

  async insertGrant(g: GrantRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO grants (id, account_id, kind, amount, remaining, priority, effective_at, expires_at, created_at, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [g.id, g.accountId, g.kind, g.amount, g.remaining, g.priority, g.effectiveAt, g.expiresAt, g.createdAt, g.source],
    );
  }

  async grants(accountId: string): Promise<GrantRecord[]> {
    return (await this.db.all('SELECT * FROM grants WHERE account_id = ? ORDER BY created_at, id', [accountId])).map(grant);
  }

  grant(id: string): Promise<GrantRecord | undefined> {
    return this.one('SELECT * FROM grants WHERE id = ?', [id], grant);
  }

  async spendableGrants(accountId: string, at: number): Promise<GrantRecord[]> {
    // Unordered: every caller puts them in the pack's spend order (inSpendOrder), a total order.
    const rows = await this.db.all(
      `SELECT * FROM grants WHERE account_id = ? AND remaining > 0 AND effective_at <= ?
         AND (expires_at IS NULL OR expires_at > ?)`,
      [accountId, at, at],
    );
    return rows.map(grant);
  }

  async takeFromGrant(grantId: string, amount: bigint, at: number): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE grants SET remaining = remaining - ? WHERE id = ? AND remaining >= ? AND effective_at <= ?
         AND (expires_at IS NULL OR expires_at > ?)`,
      [amount, grantId, amount, at, at],
    );
    return n === 1;
  }

  async drawFromGrant(chargeId: string, grantId: string, amount: bigint, at: number): Promise<number | undefined> {
    if (this.db.dialect === 'sqlite') {
      if (!(await this.takeFromGrant(grantId, amount, at))) return undefined;
      return this.insertDraw(chargeId, grantId, amount);
    }
    // One round trip: the draw is recorded only if the grant could give the credits.
    const rows = await this.db.all(
      `WITH g AS (UPDATE grants SET remaining = remaining - ? WHERE id = ? AND remaining >= ? AND effective_at <= ?
           AND (expires_at IS NULL OR expires_at > ?) RETURNING id)
       INSERT INTO draws (charge_id, grant_id, amount, refunded) SELECT ?, id, ?, 0 FROM g RETURNING id`,
      [amount, grantId, amount, at, at, chargeId, amount],
    );
    return rows.length ? num(rows[0]!.id) : undefined;
  }

  async returnToGrant(grantId: string, amount: bigint): Promise<boolean> {
    const n = await this.db.run('UPDATE grants SET remaining = remaining + ? WHERE id = ? AND remaining + ? <= amount', [amount, grantId, amount]);
    return n === 1;
  }

  async emptyGrant(grantId: string, expected: bigint, into: string): Promise<boolean> {
    const n = await this.db.run('UPDATE grants SET remaining = 0, rolled_into = ? WHERE id = ? AND remaining = ? AND rolled_into IS NULL', [into, grantId, expected]);
    return n === 1;
  }

  async growGrant(grantId: string, amount: bigint): Promise<boolean> {
    const n = await this.db.run('UPDATE grants SET amount = amount + ?, remaining = remaining + ? WHERE id = ? AND ? > 0', [amount, amount, grantId, amount]);
    return n === 1;
  }

  async insertCharge(c: ChargeRecord, usageBucket: number): Promise<void> {
    await this.db.run(
      `INSERT INTO charges (id, account_id, pack, operation, version, input, status, held, captured, refunded, created_at, expires_at, resolved_at, usage_bucket)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [c.id, c.accountId, c.pack, c.operation, c.version, c.input, c.status, c.held, c.captured, c.refunded, c.createdAt, c.expiresAt, c.resolvedAt, usageBucket],
    );
  }

  charge(id: string): Promise<ChargeRecord | undefined> {
    return this.one('SELECT * FROM charges WHERE id = ?', [id], charge);
  }

  async chargeWithDraws(id: string): Promise<ChargeWithDraws | undefined> {
    const rows = await this.db.all(CHARGE_WITH_DRAWS, [id]);
    if (!rows.length) return undefined;
    const draws: DrawRecord[] = [];
    for (const r of rows) {
      if (r.draw_id === null || r.draw_id === undefined) continue;
      draws.push({
        id: num(r.draw_id), chargeId: id, grantId: (r.draw_grant_id as string | null) ?? null, amount: int(r.draw_amount), refunded: int(r.draw_refunded),
        grantKind: (r.grant_kind as string | null) ?? null, grantExpiresAt: numOrNull(r.grant_expires_at),
      });
    }
    return { charge: charge(rows[0]!), draws };
  }

  async resolveCharge(id: string, status: Exclude<ChargeStatus, 'held'>, captured: bigint | null, at: number): Promise<boolean> {
    const n = await this.db.run(
      "UPDATE charges SET status = ?, captured = ?, resolved_at = ? WHERE id = ? AND status = 'held'",
      [status, captured, at, id],
    );
    return n === 1;
  }

  async addRefund(id: string, amount: bigint): Promise<boolean> {
    const n = await this.db.run(
      "UPDATE charges SET refunded = refunded + ? WHERE id = ? AND status = 'captured' AND refunded + ? <= captured",
      [amount, id, amount],
    );
    return n === 1;
  }

  async expiredHolds(accountId: string, at: number): Promise<ChargeRecord[]> {
    return (await this.db.all("SELECT * FROM charges WHERE account_id = ? AND status = 'held' AND expires_at <= ? ORDER BY created_at", [accountId, at])).map(charge);
  }

  async accountsWithExpiredHolds(at: number, limit: number): Promise<string[]> {
    const rows = await this.db.all("SELECT DISTINCT account_id FROM charges WHERE status = 'held' AND expires_at <= ? LIMIT ?", [at, limit]);
    return rows.map((r) => r.account_id as string);
  }

  async insertDraw(chargeId: string, grantId: string | null, amount: bigint): Promise<number> {
    return this.db.insertId('INSERT INTO draws (charge_id, grant_id, amount, refunded) VALUES (?, ?, ?, 0)', [chargeId, grantId, amount]);
  }

  async draws(chargeId: string): Promise<DrawRecord[]> {
    return (await this.db.all(DRAWS, [chargeId])).map(draw);
  }

  async shrinkDraw(id: number, amount: bigint): Promise<boolean> {
    return (await this.db.run('UPDATE draws SET amount = amount - ? WHERE id = ? AND amount - ? >= refunded', [amount, id, amount])) === 1;
  }

  async refundDraw(id: number, amount: bigint): Promise<boolean> {
    return (await this.db.run('UPDATE draws SET refunded = refunded + ? WHERE id = ? AND refunded + ? <= amount', [amount, id, amount])) === 1;
  }

  async appendEntry(e: Omit<EntryRecord, 'seq'>): Promise<void> {
    const row = [e.accountId, e.at, e.kind, e.amount, e.moved, e.grantId, e.chargeId, e.memo];
    // The log is append-only and read back in a write transaction only by the statements that
    // name it, so its rows can travel with the next statement.
    if (this.db.deferInsert) this.db.deferInsert(ENTRY_INSERT, row);
    else await this.db.run(`${ENTRY_INSERT} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, row);
  }

  async entries(accountId: string, afterSeq: number, limit: number): Promise<EntryRecord[]> {
    return (await this.db.all('SELECT * FROM entries WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?', [accountId, afterSeq, limit])).map(entry);
  }

  async claimDay(accountId: string, day: string): Promise<boolean> {
    return (await this.db.run('INSERT INTO daily_claims (account_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING', [accountId, day])) === 1;
  }

  async countCharges(accountId: string, operation: string | null, since: number): Promise<number> {
    return (await this.counted(accountId, operation, since)).requests;
  }

  async countRecentCharges(accountId: string, operation: string, since: number): Promise<number> {
    // charges_counted: an index range over the window, whatever the account's history.
    const rows = await this.db.all(
      "SELECT COUNT(*) AS n FROM charges WHERE account_id = ? AND operation = ? AND created_at >= ? AND status IN ('held', 'captured')",
      [accountId, operation, since],
    );
    return num(rows[0]!.n);
  }

  usage(accountId: string, since: number): Promise<UsageCounts> {
    return this.counted(accountId, null, since);
  }

  /**
   * Held or captured charges created at or after `since` (of one operation, or all), from the
   * running totals: the 'all' rows for all time, else the buckets that start at or after
   * `since`. A bucket spans at most a local day, so only those starting within two days
   * before `since` could hold charges after it; if one does (the zone changed, or `since` is
   * no bucket boundary), the log is counted instead.
   */
  private async counted(accountId: string, operation: string | null, since: number): Promise<UsageCounts> {
    const op = operation === null ? '' : ' AND operation = ?';
    const opParam = operation === null ? [] : [operation];
    if (since <= 0) {
      const rows = await this.db.all(
        `SELECT COALESCE(SUM(requests), 0) AS n, COALESCE(SUM(spend), 0) AS spend FROM usage_counters WHERE account_id = ? AND span = 'all' AND start = 0${op}`,
        [accountId, ...opParam],
      );
      return { requests: num(rows[0]!.n), spend: int(rows[0]!.spend) };
    }
    const rows = await this.db.all(
      `SELECT COALESCE(SUM(CASE WHEN start >= ? THEN requests ELSE 0 END), 0) AS n, COALESCE(SUM(CASE WHEN start >= ? THEN spend ELSE 0 END), 0) AS spend,
          COALESCE(MAX(CASE WHEN start < ? AND last_at >= ? THEN 1 ELSE 0 END), 0) AS straddles
        FROM usage_counters WHERE account_id = ? AND span = 'bucket' AND start >= ?${op}`,
      [since, since, since, since, accountId, since - BUCKET_HORIZON_MS, ...opParam],
    );
    if (num(rows[0]!.straddles) === 0) return { requests: num(rows[0]!.n), spend: int(rows[0]!.spend) };
    return this.scanned(accountId, operation, since);
  }

  /** The same figures summed from the charges themselves. */
  private async scanned(accountId: string, operation: string | null, since: number): Promise<UsageCounts> {
    const rows = await this.db.all(
      `SELECT COUNT(*) AS n, COALESCE(SUM(COALESCE(captured, 0) - refunded), 0) AS spend FROM charges
        WHERE account_id = ? AND created_at >= ? AND status IN ('held', 'captured')${operation === null ? '' : ' AND operation = ?'}`,
      [accountId, since, ...(operation === null ? [] : [operation])],
    );
    return { requests: num(rows[0]!.n), spend: int(rows[0]!.spend) };
  }

  async usageDrift(accountId: string): Promise<UsageDrift[]> {
    const stored = await this.db.all(
      'SELECT span, start, operation, requests, spend FROM usage_counters WHERE account_id = ? AND (requests <> 0 OR spend <> 0)', [accountId],
    );
    const scanned = await this.db.all(
      `SELECT 'all' AS span, 0 AS start, operation, COUNT(*) AS requests, SUM(COALESCE(captured, 0) - refunded) AS spend FROM charges
         WHERE account_id = ? AND status IN ('held', 'captured') GROUP BY operation
       UNION ALL
       SELECT 'bucket' AS span, usage_bucket AS start, operation, COUNT(*) AS requests, SUM(COALESCE(captured, 0) - refunded) AS spend FROM charges
         WHERE account_id = ? AND status IN ('held', 'captured') GROUP BY usage_bucket, operation`,
      [accountId, accountId],
    );
    const keyOf = (r: Row) => `${r.span as string}|${num(r.start)}|${r.operation as string}`;
    const log = new Map(scanned.map((r) => [keyOf(r), r]));
    const drift: UsageDrift[] = [];
    const seen = new Set<string>();
    for (const r of stored) {
      const k = keyOf(r);
      seen.add(k);
      const l = log.get(k);
      const want = { requests: l ? num(l.requests) : 0, spend: l ? int(l.spend) : 0n };
      if (num(r.requests) !== want.requests || int(r.spend) !== want.spend) {
        drift.push({ span: r.span as 'all' | 'bucket', start: num(r.start), operation: r.operation as string, stored: { requests: num(r.requests), spend: int(r.spend) }, log: want });
      }
    }
    for (const [k, l] of log) {
      if (seen.has(k) || (num(l.requests) === 0 && int(l.spend) === 0n)) continue;
      drift.push({ span: l.span as 'all' | 'bucket', start: num(l.start), operation: l.operation as string, stored: { requests: 0, spend: 0n }, log: { requests: num(l.requests), spend: int(l.spend) } });
    }
    return drift;
  }

  async insertApiKey(k: ApiKeyRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO api_keys (id, secret_hash, scope, accounts, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [k.id, k.secretHash, k.scope, JSON.stringify(k.accounts), k.label, k.createdAt, k.revokedAt],
    );
  }

  async revokeApiKey(id: string, at: number): Promise<ApiKeyRecord | undefined> {
    await this.db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id]);
    return this.one('SELECT * FROM api_keys WHERE id = ?', [id], apiKey);
  }
}
