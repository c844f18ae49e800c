// Versioned schema migrations, one list per dialect, applied in order at start.
// Append a new version; never edit one that has shipped.

export interface Migration {
  version: number;
  sql: string;
}

const sqliteV1 = `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  pack TEXT NOT NULL,
  plan TEXT,
  billing TEXT NOT NULL CHECK (billing IN ('prepaid', 'postpaid')),
  overdraft_limit INTEGER NOT NULL CHECK (overdraft_limit >= 0),
  overdraft_used INTEGER NOT NULL CHECK (overdraft_used >= 0 AND overdraft_used <= overdraft_limit),
  time_zone TEXT NOT NULL,
  period_index INTEGER NOT NULL CHECK (period_index >= 0),
  period_start INTEGER,
  period_end INTEGER,
  cancel_at_period_end INTEGER NOT NULL CHECK (cancel_at_period_end IN (0, 1)),
  created_at INTEGER NOT NULL,
  CHECK (billing = 'postpaid' OR overdraft_limit = 0)
) STRICT;

CREATE TABLE grants (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
  priority INTEGER NOT NULL,
  effective_at INTEGER NOT NULL,
  expires_at INTEGER,
  created_at INTEGER NOT NULL,
  source TEXT NOT NULL
) STRICT;
CREATE INDEX grants_by_account ON grants (account_id, remaining);

CREATE TABLE charges (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  pack TEXT NOT NULL,
  operation TEXT NOT NULL,
  version TEXT NOT NULL,
  input TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('held', 'captured', 'released', 'expired')),
  held INTEGER NOT NULL CHECK (held >= 0),
  captured INTEGER CHECK (captured >= 0),
  refunded INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= COALESCE(captured, 0)),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  resolved_at INTEGER,
  CHECK ((status = 'captured') = (captured IS NOT NULL)),
  CHECK ((status = 'held') = (resolved_at IS NULL))
) STRICT;
CREATE INDEX charges_by_account ON charges (account_id, created_at);
CREATE INDEX charges_held ON charges (account_id, expires_at) WHERE status = 'held';
CREATE INDEX charges_held_by_expiry ON charges (expires_at) WHERE status = 'held';

-- A hold resolves once: after it leaves 'held' its status and captured amount are final.
CREATE TRIGGER charges_resolve_once BEFORE UPDATE OF status, captured, held ON charges
WHEN OLD.status <> 'held' AND (NEW.status IS NOT OLD.status OR NEW.captured IS NOT OLD.captured OR NEW.held IS NOT OLD.held)
BEGIN SELECT RAISE(ABORT, 'hold_already_resolved'); END;

CREATE TABLE draws (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  charge_id TEXT NOT NULL REFERENCES charges (id),
  grant_id TEXT REFERENCES grants (id),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  refunded INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= amount)
) STRICT;
CREATE INDEX draws_by_charge ON draws (charge_id);

CREATE TABLE entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  grant_id TEXT REFERENCES grants (id),
  charge_id TEXT REFERENCES charges (id),
  memo TEXT
) STRICT;
CREATE INDEX entries_by_account ON entries (account_id, seq);
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;

CREATE TABLE daily_claims (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  day TEXT NOT NULL,
  PRIMARY KEY (account_id, day)
) STRICT;

CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  response TEXT,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL CHECK (scope IN ('quote', 'charge', 'admin')),
  accounts TEXT NOT NULL,
  label TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;

CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
`;

const postgresV1 = `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  pack TEXT NOT NULL,
  plan TEXT,
  billing TEXT NOT NULL CHECK (billing IN ('prepaid', 'postpaid')),
  overdraft_limit BIGINT NOT NULL CHECK (overdraft_limit >= 0),
  overdraft_used BIGINT NOT NULL CHECK (overdraft_used >= 0 AND overdraft_used <= overdraft_limit),
  time_zone TEXT NOT NULL,
  period_index INTEGER NOT NULL CHECK (period_index >= 0),
  period_start BIGINT,
  period_end BIGINT,
  cancel_at_period_end INTEGER NOT NULL CHECK (cancel_at_period_end IN (0, 1)),
  created_at BIGINT NOT NULL,
  CHECK (billing = 'postpaid' OR overdraft_limit = 0)
);

CREATE TABLE grants (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  remaining BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
  priority INTEGER NOT NULL,
  effective_at BIGINT NOT NULL,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  source TEXT NOT NULL
);
CREATE INDEX grants_by_account ON grants (account_id, remaining);

CREATE TABLE charges (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  pack TEXT NOT NULL,
  operation TEXT NOT NULL,
  version TEXT NOT NULL,
  input TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('held', 'captured', 'released', 'expired')),
  held BIGINT NOT NULL CHECK (held >= 0),
  captured BIGINT CHECK (captured >= 0),
  refunded BIGINT NOT NULL CHECK (refunded >= 0 AND refunded <= COALESCE(captured, 0)),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  resolved_at BIGINT,
  CHECK ((status = 'captured') = (captured IS NOT NULL)),
  CHECK ((status = 'held') = (resolved_at IS NULL))
);
CREATE INDEX charges_by_account ON charges (account_id, created_at);
CREATE INDEX charges_held ON charges (account_id, expires_at) WHERE status = 'held';
CREATE INDEX charges_held_by_expiry ON charges (expires_at) WHERE status = 'held';

-- A hold resolves once: after it leaves 'held' its status and captured amount are final.
CREATE FUNCTION charges_resolve_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'held' AND (NEW.status IS DISTINCT FROM OLD.status OR NEW.captured IS DISTINCT FROM OLD.captured OR NEW.held IS DISTINCT FROM OLD.held) THEN
    RAISE EXCEPTION 'hold_already_resolved';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER charges_resolve_once BEFORE UPDATE ON charges FOR EACH ROW EXECUTE FUNCTION charges_resolve_once();

CREATE TABLE draws (
  id BIGSERIAL PRIMARY KEY,
  charge_id TEXT NOT NULL REFERENCES charges (id),
  grant_id TEXT REFERENCES grants (id),
  amount BIGINT NOT NULL CHECK (amount >= 0),
  refunded BIGINT NOT NULL CHECK (refunded >= 0 AND refunded <= amount)
);
CREATE INDEX draws_by_charge ON draws (charge_id);

CREATE TABLE entries (
  seq BIGSERIAL PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL,
  grant_id TEXT REFERENCES grants (id),
  charge_id TEXT REFERENCES charges (id),
  memo TEXT
);
CREATE INDEX entries_by_account ON entries (account_id, seq);
CREATE FUNCTION entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'entries are append-only'; END $$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries FOR EACH ROW EXECUTE FUNCTION entries_append_only();

CREATE TABLE daily_claims (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  day TEXT NOT NULL,
  PRIMARY KEY (account_id, day)
);

CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  response TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL CHECK (scope IN ('quote', 'charge', 'admin')),
  accounts TEXT NOT NULL,
  label TEXT,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);

CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

// v2: a resolved hold is final as a whole. v1 refused changing its status or amounts but let
// the same values be written again with a new resolved_at: a second capture of the same
// amount, or a second release, went through. Now any write of those columns is refused.
const sqliteV2 = `
DROP TRIGGER charges_resolve_once;
CREATE TRIGGER charges_resolve_once BEFORE UPDATE OF status, held, captured, resolved_at ON charges
WHEN OLD.status <> 'held'
BEGIN SELECT RAISE(ABORT, 'hold_already_resolved'); END;
`;

// v2 on PostgreSQL, besides the hold trigger above (a column-list trigger, as on SQLite):
// - TRUNCATE fires no row trigger, so v1 let it empty the entry log.
// - A BIGINT column rounds a numeric or float value assigned to it (1.5 is stored as 2,
//   remaining - 0.5 as remaining), where SQLite's STRICT INTEGER refuses it. Amounts become
//   NUMERIC (exact, no rounding on assignment) that must have no fractional digits, so a
//   fraction is refused rather than rounded. Values still read back as integer text.
const postgresV2 = `
DROP TRIGGER charges_resolve_once ON charges;
DROP FUNCTION charges_resolve_once();
CREATE TRIGGER entries_append_only_truncate BEFORE TRUNCATE ON entries
  FOR EACH STATEMENT EXECUTE FUNCTION entries_append_only();

ALTER TABLE accounts ALTER COLUMN overdraft_limit TYPE NUMERIC, ALTER COLUMN overdraft_used TYPE NUMERIC,
  ADD CONSTRAINT accounts_whole_units CHECK (scale(overdraft_limit) = 0 AND scale(overdraft_used) = 0);
ALTER TABLE grants ALTER COLUMN amount TYPE NUMERIC, ALTER COLUMN remaining TYPE NUMERIC,
  ADD CONSTRAINT grants_whole_units CHECK (scale(amount) = 0 AND scale(remaining) = 0);
ALTER TABLE charges ALTER COLUMN held TYPE NUMERIC, ALTER COLUMN captured TYPE NUMERIC, ALTER COLUMN refunded TYPE NUMERIC,
  ADD CONSTRAINT charges_whole_units CHECK (scale(held) = 0 AND scale(captured) = 0 AND scale(refunded) = 0);
ALTER TABLE draws ALTER COLUMN amount TYPE NUMERIC, ALTER COLUMN refunded TYPE NUMERIC,
  ADD CONSTRAINT draws_whole_units CHECK (scale(amount) = 0 AND scale(refunded) = 0);
ALTER TABLE entries ALTER COLUMN amount TYPE NUMERIC,
  ADD CONSTRAINT entries_whole_units CHECK (scale(amount) = 0);

-- After the type changes: a trigger naming columns pins their types.
CREATE FUNCTION hold_already_resolved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'hold_already_resolved'; END $$;
CREATE TRIGGER charges_resolve_once BEFORE UPDATE OF status, held, captured, resolved_at ON charges
  FOR EACH ROW WHEN (OLD.status <> 'held') EXECUTE FUNCTION hold_already_resolved();
`;

// v3: an entry also records what it moved (see EntryRecord): a capture takes nothing from a
// balance but moves the captured credits, so one signed column couldn't say both. `amount`
// keeps its meaning (the balance change; the log still rebuilds every balance), and an entry
// changes a balance by all it moved, or by nothing (a capture, a forfeit, a credit back to
// an expired grant). NULL on the entries written before.
const sqliteV3 = `
ALTER TABLE entries ADD COLUMN moved INTEGER CHECK (moved >= 0 AND (amount = 0 OR amount = moved OR amount = -moved));
`;

const postgresV3 = `
ALTER TABLE entries ADD COLUMN moved NUMERIC,
  ADD CONSTRAINT entries_moved_whole_units CHECK (scale(moved) = 0),
  ADD CONSTRAINT entries_moved_bounds CHECK (moved >= 0 AND (amount = 0 OR amount = moved OR amount = -moved));
`;

// v4:
// - grants.rolled_into: the grant a period grant's leftover was carried into at renewal, so
//   credits that come back to it later (a hold released or captured for less, a refund) go on
//   to that successor instead of lapsing with the expired grant.
// - accounts.subscription_months: subscription periods started over the account's lifetime
//   (a re-subscription doesn't start again at 1, so a first-month offer is given once).
// - accounts.period_anchor: the start of the subscription's first period; period n ends n
//   months after it (clamped per month), so a subscription started on the 31st ends on the
//   last day of short months and on the 31st again after them. Unknown (NULL) for the
//   subscriptions running when this applies, except those in their first period.
const sqliteV4 = `
ALTER TABLE grants ADD COLUMN rolled_into TEXT REFERENCES grants (id);
ALTER TABLE accounts ADD COLUMN subscription_months INTEGER NOT NULL DEFAULT 0 CHECK (subscription_months >= 0);
ALTER TABLE accounts ADD COLUMN period_anchor INTEGER;
UPDATE accounts SET subscription_months = period_index, period_anchor = CASE WHEN period_index = 1 THEN period_start END;
`;

const postgresV4 = `
ALTER TABLE grants ADD COLUMN rolled_into TEXT REFERENCES grants (id);
ALTER TABLE accounts ADD COLUMN subscription_months INTEGER NOT NULL DEFAULT 0 CHECK (subscription_months >= 0),
  ADD COLUMN period_anchor BIGINT;
UPDATE accounts SET subscription_months = period_index, period_anchor = CASE WHEN period_index = 1 THEN period_start END;
`;

// v5 (subscription lifecycle, postpaid statements):
// - accounts.pending_plan: the plan a downgrade moves to at the period's end (NULL: none).
// - accounts.statement_start / statement_end: a postpaid account's open statement period;
//   NULL for prepaid accounts. At statement_end the period closes into a statement.
// - statements: closed periods of postpaid accounts, each with its usage lines (JSON) and
//   totals in minor units; amount_due is what the overdraft owed and the close settled.
const sqliteV5 = `
ALTER TABLE accounts ADD COLUMN pending_plan TEXT;
ALTER TABLE accounts ADD COLUMN statement_start INTEGER;
ALTER TABLE accounts ADD COLUMN statement_end INTEGER;
CREATE TABLE statements (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  period_start INTEGER NOT NULL,
  period_end INTEGER NOT NULL CHECK (period_end >= period_start),
  lines TEXT NOT NULL,
  total INTEGER NOT NULL CHECK (total >= 0),
  credits_applied INTEGER NOT NULL CHECK (credits_applied >= 0),
  amount_due INTEGER NOT NULL CHECK (amount_due >= 0),
  closed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX statements_by_account ON statements (account_id, period_start);
`;

const postgresV5 = `
ALTER TABLE accounts ADD COLUMN pending_plan TEXT, ADD COLUMN statement_start BIGINT, ADD COLUMN statement_end BIGINT;
CREATE TABLE statements (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL CHECK (period_end >= period_start),
  lines TEXT NOT NULL,
  total NUMERIC NOT NULL CHECK (total >= 0 AND scale(total) = 0),
  credits_applied NUMERIC NOT NULL CHECK (credits_applied >= 0 AND scale(credits_applied) = 0),
  amount_due NUMERIC NOT NULL CHECK (amount_due >= 0 AND scale(amount_due) = 0),
  closed_at BIGINT NOT NULL
);
CREATE INDEX statements_by_account ON statements (account_id, period_start);
`;

// v6 (integration: webhooks, lists, metadata):
// - accounts.metadata, charges.metadata: the caller's JSON object, stored and returned as given.
// - charges_by_time: GET /v1/charges pages all accounts' charges newest first.
// - events: the outbox. A ledger change writes its events in its own transaction, with the
//   account's balance after it (minor units, computed by the INSERT itself); the webhook worker
//   fans each one out into deliveries (one per subscribed endpoint) and marks it dispatched.
// - webhook_endpoints: where to deliver; the secret is kept (it signs every delivery) and shown once.
// - webhook_deliveries / webhook_attempts: each event's delivery to an endpoint, and every try.
// - webhook_alerts: edge-triggered notices already given (an account below an endpoint's
//   threshold, a grant announced as expiring), so each is sent once.
const sqliteV6 = `
ALTER TABLE accounts ADD COLUMN metadata TEXT;
ALTER TABLE charges ADD COLUMN metadata TEXT;
CREATE INDEX charges_by_time ON charges (created_at, id);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  account_id TEXT,
  at INTEGER NOT NULL,
  data TEXT NOT NULL,
  balance INTEGER,
  dispatched INTEGER NOT NULL DEFAULT 0 CHECK (dispatched IN (0, 1))
) STRICT;
CREATE INDEX events_undispatched ON events (seq) WHERE dispatched = 0;
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  accounts TEXT NOT NULL,
  balance_below TEXT,
  expiring_within_days INTEGER CHECK (expiring_within_days > 0),
  description TEXT,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  next_attempt_at INTEGER,
  last_response_status INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  UNIQUE (endpoint_id, event_id)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at, id);
CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  response_status INTEGER,
  error TEXT,
  PRIMARY KEY (delivery_id, attempt)
) STRICT;
CREATE TABLE webhook_alerts (
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
  subject TEXT NOT NULL,
  PRIMARY KEY (endpoint_id, subject)
) STRICT;
`;

const postgresV6 = `
ALTER TABLE accounts ADD COLUMN metadata TEXT;
ALTER TABLE charges ADD COLUMN metadata TEXT;
CREATE INDEX charges_by_time ON charges (created_at, id);
CREATE TABLE events (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  account_id TEXT,
  at BIGINT NOT NULL,
  data TEXT NOT NULL,
  balance NUMERIC CHECK (scale(balance) = 0),
  dispatched INTEGER NOT NULL DEFAULT 0 CHECK (dispatched IN (0, 1))
);
CREATE INDEX events_undispatched ON events (seq) WHERE dispatched = 0;
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  accounts TEXT NOT NULL,
  balance_below TEXT,
  expiring_within_days INTEGER CHECK (expiring_within_days > 0),
  description TEXT,
  created_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  next_attempt_at BIGINT,
  last_response_status INTEGER,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at, id);
CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
  attempt INTEGER NOT NULL,
  at BIGINT NOT NULL,
  response_status INTEGER,
  error TEXT,
  PRIMARY KEY (delivery_id, attempt)
);
CREATE TABLE webhook_alerts (
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
  subject TEXT NOT NULL,
  PRIMARY KEY (endpoint_id, subject)
);
`;

// v7 (cost flat as history grows): running usage totals, kept by triggers on charges so every
// write path (hold, capture, release, timeout, refund) updates them in its own transaction.
// - usage_counters: per account and operation, held or captured charges and their spend
//   (captured less refunded): one 'all' row (all time), and one 'bucket' row per local day,
//   split where a subscription period starts (charges.usage_bucket, chosen by the ledger when
//   it inserts the charge), so every calendar counter (today, this month, this period) is a
//   sum over the buckets from its start. last_at, the newest charge counted, lets a read see
//   that a bucket straddles its start (after a time-zone change) and count from the log then.
// - Existing charges are backfilled into UTC-day buckets.
// - charges_counted: rolling windows count held and captured charges in an index range.
// - charges_captured: a statement's captured usage by resolution time, within its period.
const sqliteV7 = `
ALTER TABLE charges ADD COLUMN usage_bucket INTEGER;
UPDATE charges SET usage_bucket = created_at - created_at % 86400000;
CREATE TABLE usage_counters (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  span TEXT NOT NULL CHECK (span IN ('all', 'bucket')),
  start INTEGER NOT NULL,
  operation TEXT NOT NULL,
  last_at INTEGER NOT NULL,
  requests INTEGER NOT NULL CHECK (requests >= 0),
  spend INTEGER NOT NULL,
  PRIMARY KEY (account_id, span, start, operation)
) STRICT, WITHOUT ROWID;
INSERT INTO usage_counters (account_id, span, start, operation, last_at, requests, spend)
  SELECT account_id, 'all', 0, operation, MAX(created_at), COUNT(*), SUM(COALESCE(captured, 0) - refunded)
  FROM charges WHERE status IN ('held', 'captured') GROUP BY account_id, operation;
INSERT INTO usage_counters (account_id, span, start, operation, last_at, requests, spend)
  SELECT account_id, 'bucket', usage_bucket, operation, MAX(created_at), COUNT(*), SUM(COALESCE(captured, 0) - refunded)
  FROM charges WHERE status IN ('held', 'captured') GROUP BY account_id, usage_bucket, operation;
CREATE TRIGGER usage_on_insert AFTER INSERT ON charges WHEN NEW.status IN ('held', 'captured')
BEGIN
  INSERT INTO usage_counters (account_id, span, start, operation, last_at, requests, spend)
  VALUES (NEW.account_id, 'all', 0, NEW.operation, NEW.created_at, 1, COALESCE(NEW.captured, 0) - NEW.refunded),
    (NEW.account_id, 'bucket', COALESCE(NEW.usage_bucket, NEW.created_at - NEW.created_at % 86400000), NEW.operation, NEW.created_at, 1,
      COALESCE(NEW.captured, 0) - NEW.refunded)
  ON CONFLICT (account_id, span, start, operation) DO UPDATE SET requests = requests + 1, spend = spend + excluded.spend,
    last_at = MAX(last_at, excluded.last_at);
END;
CREATE TRIGGER usage_on_update AFTER UPDATE OF status, captured, refunded ON charges
BEGIN
  UPDATE usage_counters SET
    requests = requests + (NEW.status IN ('held', 'captured')) - (OLD.status IN ('held', 'captured')),
    spend = spend + (CASE WHEN NEW.status IN ('held', 'captured') THEN COALESCE(NEW.captured, 0) - NEW.refunded ELSE 0 END)
      - (CASE WHEN OLD.status IN ('held', 'captured') THEN COALESCE(OLD.captured, 0) - OLD.refunded ELSE 0 END)
  WHERE account_id = NEW.account_id AND operation = NEW.operation AND OLD.status IN ('held', 'captured')
    AND ((span = 'all' AND start = 0) OR (span = 'bucket' AND start = COALESCE(NEW.usage_bucket, NEW.created_at - NEW.created_at % 86400000)));
END;
CREATE INDEX charges_counted ON charges (account_id, operation, created_at) WHERE status IN ('held', 'captured');
CREATE INDEX charges_captured ON charges (account_id, resolved_at) WHERE status = 'captured';
`;

const postgresV7 = `
ALTER TABLE charges ADD COLUMN usage_bucket BIGINT;
UPDATE charges SET usage_bucket = created_at - created_at % 86400000;
CREATE TABLE usage_counters (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  span TEXT NOT NULL CHECK (span IN ('all', 'bucket')),
  start BIGINT NOT NULL,
  operation TEXT NOT NULL,
  last_at BIGINT NOT NULL,
  requests BIGINT NOT NULL CHECK (requests >= 0),
  spend NUMERIC NOT NULL CHECK (scale(spend) = 0),
  PRIMARY KEY (account_id, span, start, operation)
);
INSERT INTO usage_counters (account_id, span, start, operation, last_at, requests, spend)
  SELECT account_id, 'all', 0, operation, MAX(created_at), COUNT(*), SUM(COALESCE(captured, 0) - refunded)
  FROM charges WHERE status IN ('held', 'captured') GROUP BY account_id, operation;
INSERT INTO usage_counters (account_id, span, start, operation, last_at, requests, spend)
  SELECT account_id, 'bucket', usage_bucket, operation, MAX(created_at), COUNT(*), SUM(COALESCE(captured, 0) - refunded)
  FROM charges WHERE status IN ('held', 'captured') GROUP BY account_id, usage_bucket, operation;
CREATE FUNCTION usage_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  dn BIGINT := 0;
  ds NUMERIC := 0;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IN ('held', 'captured') THEN
    dn := -1;
    ds := -(COALESCE(OLD.captured, 0) - OLD.refunded);
  END IF;
  IF NEW.status IN ('held', 'captured') THEN
    dn := dn + 1;
    ds := ds + COALESCE(NEW.captured, 0) - NEW.refunded;
  END IF;
  IF dn = 0 AND ds = 0 THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' THEN
    -- Counted at its insert (nothing becomes counted later), so its rows exist.
    UPDATE usage_counters SET requests = requests + dn, spend = spend + ds
      WHERE account_id = NEW.account_id AND operation = NEW.operation
        AND ((span = 'all' AND start = 0) OR (span = 'bucket' AND start = COALESCE(NEW.usage_bucket, NEW.created_at - NEW.created_at % 86400000)));
    RETURN NULL;
  END IF;
  INSERT INTO usage_counters AS u (account_id, span, start, operation, last_at, requests, spend)
  VALUES (NEW.account_id, 'all', 0, NEW.operation, NEW.created_at, dn, ds),
    (NEW.account_id, 'bucket', COALESCE(NEW.usage_bucket, NEW.created_at - NEW.created_at % 86400000), NEW.operation, NEW.created_at, dn, ds)
  ON CONFLICT (account_id, span, start, operation) DO UPDATE SET requests = u.requests + EXCLUDED.requests, spend = u.spend + EXCLUDED.spend,
    last_at = GREATEST(u.last_at, EXCLUDED.last_at);
  RETURN NULL;
END $$;
CREATE TRIGGER usage_on_insert AFTER INSERT ON charges FOR EACH ROW WHEN (NEW.status IN ('held', 'captured')) EXECUTE FUNCTION usage_count();
CREATE TRIGGER usage_on_update AFTER UPDATE OF status, captured, refunded ON charges FOR EACH ROW EXECUTE FUNCTION usage_count();
CREATE INDEX charges_counted ON charges (account_id, operation, created_at) WHERE status IN ('held', 'captured');
CREATE INDEX charges_captured ON charges (account_id, resolved_at) WHERE status = 'captured';
`;

// Migration 8: the webhook worker looks up grants about to expire (credits.expiring) across
// all accounts on every run; without an index that is a scan of every grant ever made.
const grantsExpiring = `
CREATE INDEX grants_expiring ON grants (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
`;

export const migrations: Record<'sqlite' | 'postgres', Migration[]> = {
  sqlite: [{ version: 1, sql: sqliteV1 }, { version: 2, sql: sqliteV2 }, { version: 3, sql: sqliteV3 }, { version: 4, sql: sqliteV4 }, { version: 5, sql: sqliteV5 }, { version: 6, sql: sqliteV6 }, { version: 7, sql: sqliteV7 }, { version: 8, sql: grantsExpiring }],
  postgres: [{ version: 1, sql: postgresV1 }, { version: 2, sql: postgresV2 }, { version: 3, sql: postgresV3 }, { version: 4, sql: postgresV4 }, { version: 5, sql: postgresV5 }, { version: 6, sql: postgresV6 }, { version: 7, sql: postgresV7 }, { version: 8, sql: grantsExpiring }],
};
