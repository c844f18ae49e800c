// The integration statements (outbox, webhooks, lists, metadata) in the SQL both SQLite and
// PostgreSQL accept, run inside the transaction of the SqlTx that owns them.
import type { DrawRecord } from '../records.ts';
import type {
  AttemptRecord, BalanceAt, ChargeFilter, DeliveryRecord, DeliveryStatus, EventRecord, ExpiringGrant, IntegrationWrites, Position, WebhookEndpointRecord,
} from './integration.ts';
import { charge, draw, grant, int, num, numOrNull, type Param, type Row, type SqlRunner } from './sql-tx.ts';
import type { ChargeWithDraws } from './store.ts';

const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

function event(r: Row): EventRecord {
  return {
    seq: num(r.seq), id: r.id as string, type: r.type as string, accountId: textOrNull(r.account_id), at: num(r.at), data: r.data as string,
    balance: r.balance === null || r.balance === undefined ? null : int(r.balance), pack: textOrNull(r.account_pack),
  };
}

// The balance as the account shows it: spendable grants (grants_by_account) minus the overdraft owed.
const BALANCE = `(SELECT COALESCE(SUM(remaining), 0) FROM grants WHERE account_id = ? AND remaining > 0 AND effective_at <= ?
  AND (expires_at IS NULL OR expires_at > ?)) - ?`;

function endpoint(r: Row): WebhookEndpointRecord {
  return {
    id: r.id as string, url: r.url as string, secret: r.secret as string,
    events: JSON.parse(r.events as string) as string[], accounts: JSON.parse(r.accounts as string) as string[],
    balanceBelow: textOrNull(r.balance_below), expiringWithinDays: numOrNull(r.expiring_within_days), description: textOrNull(r.description),
    createdAt: num(r.created_at), deletedAt: numOrNull(r.deleted_at),
  };
}

function delivery(r: Row): DeliveryRecord {
  return {
    id: r.id as string, endpointId: r.endpoint_id as string, eventId: r.event_id as string, eventType: r.event_type as string,
    payload: r.payload as string, status: r.status as DeliveryStatus, attempts: num(r.attempts), nextAttemptAt: numOrNull(r.next_attempt_at),
    lastResponseStatus: numOrNull(r.last_response_status), lastError: textOrNull(r.last_error),
    createdAt: num(r.created_at), deliveredAt: numOrNull(r.delivered_at),
  };
}

function attempt(r: Row): AttemptRecord {
  return { deliveryId: r.delivery_id as string, attempt: num(r.attempt), at: num(r.at), responseStatus: numOrNull(r.response_status), error: textOrNull(r.error) };
}

const DRAWS_OF = (n: number) => `SELECT d.id, d.charge_id, d.grant_id, d.amount, d.refunded, g.kind AS grant_kind, g.expires_at AS grant_expires_at
  FROM draws d LEFT JOIN grants g ON g.id = d.grant_id WHERE d.charge_id IN (${marks(n)}) ORDER BY d.id`;

export class IntegrationSql implements IntegrationWrites {
  constructor(private readonly db: SqlRunner) {}

  async accountIds(filter: { pack?: string; ids?: string[] }, afterId: string | null, limit: number): Promise<string[]> {
    if (filter.ids && filter.ids.length === 0) return [];
    const where = ['id > ?'];
    const params: Param[] = [afterId ?? ''];
    if (filter.pack !== undefined) {
      where.push('pack = ?');
      params.push(filter.pack);
    }
    if (filter.ids) {
      where.push(`id IN (${marks(filter.ids.length)})`);
      params.push(...filter.ids);
    }
    const rows = await this.db.all(`SELECT id FROM accounts WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, limit]);
    return rows.map((r) => r.id as string);
  }

  async charges(filter: ChargeFilter, before: Position | null, limit: number): Promise<ChargeWithDraws[]> {
    if (filter.accounts && filter.accounts.length === 0) return [];
    const where: string[] = [];
    const params: Param[] = [];
    if (filter.accounts) {
      where.push(`account_id IN (${marks(filter.accounts.length)})`);
      params.push(...filter.accounts);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.from !== undefined) {
      where.push('created_at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('created_at < ?');
      params.push(filter.to);
    }
    if (before) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(before.at, before.at, before.id);
    }
    const rows = await this.db.all(
      `SELECT * FROM charges ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
      [...params, limit],
    );
    const charges = rows.map(charge);
    if (!charges.length) return [];
    const byCharge = new Map<string, DrawRecord[]>(charges.map((c) => [c.id, []]));
    for (const r of await this.db.all(DRAWS_OF(charges.length), charges.map((c) => c.id))) {
      const d = draw(r);
      byCharge.get(d.chargeId)!.push(d);
    }
    return charges.map((c) => ({ charge: c, draws: byCharge.get(c.id)! }));
  }

  async grants(accountId: string, after: Position | null, limit: number) {
    const rows = await this.db.all(
      `SELECT * FROM grants WHERE account_id = ? AND (created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT ?`,
      [accountId, after?.at ?? -1, after?.at ?? -1, after?.id ?? '', limit],
    );
    return rows.map(grant);
  }

  async endpoints(): Promise<WebhookEndpointRecord[]> {
    return (await this.db.all('SELECT * FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY created_at, id', [])).map(endpoint);
  }

  async endpoint(id: string): Promise<WebhookEndpointRecord | undefined> {
    const rows = await this.db.all('SELECT * FROM webhook_endpoints WHERE id = ? AND deleted_at IS NULL', [id]);
    return rows.length ? endpoint(rows[0]!) : undefined;
  }

  async deliveries(endpointId: string, before: Position | null, limit: number) {
    const rows = await this.db.all(
      `SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
        ORDER BY created_at DESC, id DESC LIMIT ?`,
      [endpointId, before?.at ?? Number.MAX_SAFE_INTEGER, before?.at ?? Number.MAX_SAFE_INTEGER, before?.id ?? '', limit],
    );
    const deliveries = rows.map(delivery);
    if (!deliveries.length) return [];
    const attempts = (await this.db.all(
      `SELECT * FROM webhook_attempts WHERE delivery_id IN (${marks(deliveries.length)}) ORDER BY delivery_id, attempt`,
      deliveries.map((d) => d.id),
    )).map(attempt);
    return deliveries.map((d) => ({ delivery: d, attempts: attempts.filter((a) => a.deliveryId === d.id) }));
  }

  async appendEvents(events: Omit<EventRecord, 'seq' | 'balance' | 'pack'>[], b: BalanceAt): Promise<void> {
    if (!events.length) return;
    // One round trip for the change's events and the balance they carry.
    const rows = events.map(() => `(?, ?, ?, ?, ?, ${BALANCE}, 0)`).join(', ');
    const params = events.flatMap((e) => [e.id, e.type, e.accountId, e.at, e.data, b.accountId, b.at, b.at, b.overdraftUsed]);
    await this.db.run(`INSERT INTO events (id, type, account_id, at, data, balance, dispatched) VALUES ${rows}`, params);
  }

  async setChargeMetadata(chargeId: string, metadata: string): Promise<void> {
    await this.db.run('UPDATE charges SET metadata = ? WHERE id = ?', [metadata, chargeId]);
  }

  async setAccountMetadata(accountId: string, metadata: string): Promise<void> {
    await this.db.run('UPDATE accounts SET metadata = ? WHERE id = ?', [metadata, accountId]);
  }

  async insertEndpoint(e: WebhookEndpointRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO webhook_endpoints (id, url, secret, events, accounts, balance_below, expiring_within_days, description, created_at, deleted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [e.id, e.url, e.secret, JSON.stringify(e.events), JSON.stringify(e.accounts), e.balanceBelow, e.expiringWithinDays, e.description, e.createdAt, e.deletedAt],
    );
  }

  async deleteEndpoint(id: string, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE webhook_endpoints SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL', [at, id])) === 1;
  }

  async lockDispatch(): Promise<void> {
    // SQLite has one writer already.
    if (this.db.dialect === 'postgres') await this.db.all("SELECT pg_advisory_xact_lock(hashtext('credit-rules-webhook-dispatch'))", []);
  }

  async undispatchedEvents(limit: number): Promise<EventRecord[]> {
    return (await this.db.all(
      'SELECT e.*, a.pack AS account_pack FROM events e LEFT JOIN accounts a ON a.id = e.account_id WHERE e.dispatched = 0 ORDER BY e.seq LIMIT ?',
      [limit],
    )).map(event);
  }

  async markDispatched(seqs: number[]): Promise<void> {
    if (seqs.length) await this.db.run(`UPDATE events SET dispatched = 1 WHERE seq IN (${marks(seqs.length)})`, seqs);
  }

  async insertDelivery(d: DeliveryRecord): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, last_response_status, last_error, created_at, delivered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      [d.id, d.endpointId, d.eventId, d.eventType, d.payload, d.status, d.attempts, d.nextAttemptAt, d.lastResponseStatus, d.lastError, d.createdAt, d.deliveredAt],
    );
    return n === 1;
  }

  async claimAlert(endpointId: string, subject: string): Promise<boolean> {
    return (await this.db.run('INSERT INTO webhook_alerts (endpoint_id, subject) VALUES (?, ?) ON CONFLICT DO NOTHING', [endpointId, subject])) === 1;
  }

  async clearAlert(endpointId: string, subject: string): Promise<void> {
    await this.db.run('DELETE FROM webhook_alerts WHERE endpoint_id = ? AND subject = ?', [endpointId, subject]);
  }

  async expiringGrants(endpointId: string, from: number, to: number, accounts: string[], limit: number): Promise<ExpiringGrant[]> {
    // grants_expiring: an index range over the window, not every grant ever made.
    const rows = await this.db.all(
      `SELECT g.*, a.pack AS account_pack FROM grants g JOIN accounts a ON a.id = g.account_id
        WHERE g.remaining > 0 AND g.expires_at IS NOT NULL AND g.expires_at > ? AND g.expires_at <= ?${accounts.length ? ` AND g.account_id IN (${marks(accounts.length)})` : ''}
          AND NOT EXISTS (SELECT 1 FROM webhook_alerts w WHERE w.endpoint_id = ? AND w.subject = 'grant:' || g.id)
        ORDER BY g.expires_at, g.id LIMIT ?`,
      [from, to, ...accounts, endpointId, limit],
    );
    return rows.map((r) => ({ grant: grant(r), pack: r.account_pack as string }));
  }

  async dueDeliveries(at: number, limit: number) {
    const rows = await this.db.all(
      `SELECT d.*, e.id AS e_id, e.url AS e_url, e.secret AS e_secret, e.events AS e_events, e.accounts AS e_accounts, e.balance_below AS e_balance_below,
          e.expiring_within_days AS e_expiring_within_days, e.description AS e_description, e.created_at AS e_created_at, e.deleted_at AS e_deleted_at
        FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND e.deleted_at IS NULL ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      [at, limit],
    );
    return rows.map((r) => ({
      delivery: delivery(r),
      endpoint: endpoint(Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith('e_')).map(([k, v]) => [k.slice(2), v]))),
    }));
  }

  async leaseDelivery(id: string, expected: number, until: number): Promise<boolean> {
    return (await this.db.run("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?", [until, id, expected])) === 1;
  }

  async recordAttempt(a: AttemptRecord, outcome: { status: DeliveryStatus; nextAttemptAt: number | null }): Promise<void> {
    await this.db.run(
      'INSERT INTO webhook_attempts (delivery_id, attempt, at, response_status, error) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [a.deliveryId, a.attempt, a.at, a.responseStatus, a.error],
    );
    await this.db.run(
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_response_status = ?, last_error = ?, delivered_at = ?
        WHERE id = ? AND status = 'pending'`,
      [outcome.status, a.attempt, outcome.nextAttemptAt, a.responseStatus, a.error, outcome.status === 'delivered' ? a.at : null, a.deliveryId],
    );
  }
}
