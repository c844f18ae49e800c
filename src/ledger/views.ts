// What callers get back: plain JSON with amounts as decimal strings and times as ISO text.
// Mutation results are stored as-is for idempotent replay, so they must stay plain data.
import type { AccountRecord, ChargeRecord, DrawRecord, EntryRecord, GrantRecord, StatementRecord } from './records.ts';
import { fromMinor, UNLIMITED_OVERDRAFT } from './money.ts';

const iso = (t: number | null) => (t === null ? null : isoTime(t));

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * Epoch ms as `Date.prototype.toISOString` writes it, several times quicker (each charge
 * shows three times): the civil date from the day number by Howard Hinnant's
 * days-from-civil inverse, for years 1970–9999; other times go to Date.
 */
export function isoTime(t: number): string {
  if (!(Number.isSafeInteger(t) && t >= 0 && t < 253402300800000)) return new Date(t).toISOString();
  const days = Math.floor(t / 86400000);
  let rest = t - days * 86400000;
  const hours = Math.floor(rest / 3600000);
  rest -= hours * 3600000;
  const minutes = Math.floor(rest / 60000);
  rest -= minutes * 60000;
  const seconds = Math.floor(rest / 1000);
  const ms = rest - seconds * 1000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${three(ms)}Z`;
}

export interface GrantView {
  id: string;
  kind: string;
  amount: string;
  remaining: string;
  effective_at: string;
  expires_at: string | null;
  source: string;
}

export interface BalanceByKind {
  kind: string;
  remaining: string;
  grants: { id: string; remaining: string; expires_at: string | null }[];
}

export interface AccountView {
  id: string;
  pack: string;
  unit: 'credits' | 'usd';
  plan: string | null;
  billing: 'prepaid' | 'postpaid';
  time_zone: string;
  /** Spendable credits minus what the overdraft owes. */
  balance: string;
  /** What a charge could take now: spendable credits plus the overdraft room (null: unlimited). */
  available: string | null;
  /** null: a postpaid account without a cap. */
  overdraft_limit: string | null;
  overdraft_used: string;
  balances: BalanceByKind[];
  subscription: {
    plan: string | null; period: number; period_start: string | null; period_end: string | null; cancel_at_period_end: boolean;
    /** Whether the subscription starts another period at period_end. */
    renews: boolean;
    /** The plan a downgrade moves to at period_end. */
    pending_plan: string | null;
  } | null;
  /** A postpaid account's open statement period. */
  statement_period: { start: string; end: string } | null;
  created_at: string;
  /** The caller's metadata, as given ({} when none). */
  metadata: Record<string, unknown>;
}

/** What a charge took from one grant (grant null: the overdraft), all its draws together. */
export interface DrawView {
  grant: string | null;
  kind: string | null;
  /** The grant's expiry (null: never, or the overdraft). */
  expires_at: string | null;
  /** Drawn and still taken: what the hold reserves from it, or after capture what was captured. */
  amount: string;
  refunded: string;
}

/** none: nothing refunded; partial: some of the captured amount; full: all of it. */
export type RefundStatus = 'none' | 'partial' | 'full';

export interface ChargeView {
  id: string;
  account: string;
  pack: string;
  operation: string;
  version: string;
  input: Record<string, unknown>;
  status: ChargeRecord['status'];
  /** The amount the hold reserved; a capture above or below it leaves it as it was. */
  held: string;
  captured: string | null;
  refunded: string;
  refund_status: RefundStatus;
  draws: DrawView[];
  created_at: string;
  expires_at: string;
  resolved_at: string | null;
  metadata: Record<string, unknown>;
}

export interface EntryView {
  seq: number;
  at: string;
  kind: EntryRecord['kind'];
  /** What the entry moved, as its kind says (never negative): summed per kind, that kind's total. */
  amount: string;
  /** The signed change to the grant's remaining credits (grant null: to the balance through the
   *  overdraft); summed per grant, the grant's remaining. */
  balance_change: string;
  grant: string | null;
  charge: string | null;
  memo: string | null;
}

export function grantView(g: GrantRecord, decimals: number): GrantView {
  return {
    id: g.id, kind: g.kind, amount: fromMinor(g.amount, decimals), remaining: fromMinor(g.remaining, decimals),
    effective_at: iso(g.effectiveAt)!, expires_at: iso(g.expiresAt), source: g.source,
  };
}

/** `spendable` in spend order: balances list the kinds in the order they are spent. */
export function accountView(a: AccountRecord, unit: 'credits' | 'usd', decimals: number, spendable: GrantRecord[]): AccountView {
  const byKind = new Map<string, GrantRecord[]>();
  for (const g of spendable) byKind.set(g.kind, [...(byKind.get(g.kind) ?? []), g]);
  const total = spendable.reduce((s, g) => s + g.remaining, 0n);
  const balances = [...byKind].map(([kind, gs]) => ({
    kind,
    remaining: fromMinor(gs.reduce((s, g) => s + g.remaining, 0n), decimals),
    grants: gs.map((g) => ({ id: g.id, remaining: fromMinor(g.remaining, decimals), expires_at: iso(g.expiresAt) })),
  }));
  const unlimited = a.overdraftLimit === UNLIMITED_OVERDRAFT;
  return {
    id: a.id, pack: a.pack, unit, plan: a.plan, billing: a.billing, time_zone: a.timeZone,
    balance: fromMinor(total - a.overdraftUsed, decimals),
    available: unlimited ? null : fromMinor(total + a.overdraftLimit - a.overdraftUsed, decimals),
    overdraft_limit: unlimited ? null : fromMinor(a.overdraftLimit, decimals),
    overdraft_used: fromMinor(a.overdraftUsed, decimals),
    balances,
    subscription: a.periodIndex > 0
      ? {
        plan: a.plan, period: a.periodIndex, period_start: iso(a.periodStart), period_end: iso(a.periodEnd), cancel_at_period_end: a.cancelAtPeriodEnd,
        renews: !a.cancelAtPeriodEnd, pending_plan: a.pendingPlan,
      }
      : null,
    statement_period: a.statementStart !== null && a.statementEnd !== null ? { start: iso(a.statementStart)!, end: iso(a.statementEnd)! } : null,
    created_at: iso(a.createdAt)!,
    metadata: metadataOf(a.metadata),
  };
}

const metadataOf = (json: string | null | undefined): Record<string, unknown> => (json ? JSON.parse(json) as Record<string, unknown> : {});

/**
 * A charge's draws summed per grant, in the order each grant was first drawn on. The stored
 * draws stay one row per take (a hold, then a capture above it, may take from one grant twice).
 */
export function perGrant(draws: DrawRecord[]): DrawRecord[] {
  const byGrant = new Map<string | null, DrawRecord>();
  for (const d of draws) {
    const seen = byGrant.get(d.grantId);
    byGrant.set(d.grantId, seen ? { ...seen, amount: seen.amount + d.amount, refunded: seen.refunded + d.refunded } : d);
  }
  return [...byGrant.values()];
}

function refundStatus(c: ChargeRecord): RefundStatus {
  if (c.refunded === 0n || c.captured === null) return 'none';
  return c.refunded === c.captured ? 'full' : 'partial';
}

export function chargeView(c: ChargeRecord, draws: DrawRecord[], decimals: number): ChargeView {
  return {
    id: c.id, account: c.accountId, pack: c.pack, operation: c.operation, version: c.version,
    input: JSON.parse(c.input) as Record<string, unknown>, status: c.status,
    held: fromMinor(c.held, decimals), captured: c.captured === null ? null : fromMinor(c.captured, decimals),
    refunded: fromMinor(c.refunded, decimals), refund_status: refundStatus(c),
    // A grant whose draws were all given back (a release, a smaller capture) no longer shows.
    draws: perGrant(draws).filter((d) => d.amount > 0n).map((d) => ({
      grant: d.grantId, kind: d.grantKind, expires_at: iso(d.grantExpiresAt),
      amount: fromMinor(d.amount, decimals), refunded: fromMinor(d.refunded, decimals),
    })),
    created_at: iso(c.createdAt)!, expires_at: iso(c.expiresAt)!, resolved_at: iso(c.resolvedAt), metadata: metadataOf(c.metadata),
  };
}

export function entryView(e: EntryRecord, decimals: number): EntryView {
  const moved = e.moved ?? (e.amount < 0n ? -e.amount : e.amount);
  return {
    seq: e.seq, at: iso(e.at)!, kind: e.kind, amount: fromMinor(moved, decimals), balance_change: fromMinor(e.amount, decimals),
    grant: e.grantId, charge: e.chargeId, memo: e.memo,
  };
}

export interface StatementView {
  id: string;
  account: string;
  period_start: string;
  period_end: string;
  /** Per operation, the charges captured in the period and their amount (captured less refunded). */
  lines: { operation: string; charges: number; amount: string }[];
  total: string;
  /** What the period's charges took from grants (net of refunds). */
  credits_applied: string;
  /** What the overdraft owed for the period's usage: billed, and settled in the ledger by the close. */
  amount_due: string;
  closed_at: string;
}

export function statementView(st: StatementRecord, decimals: number): StatementView {
  return {
    id: st.id, account: st.accountId, period_start: iso(st.periodStart)!, period_end: iso(st.periodEnd)!,
    lines: st.lines.map((l) => ({ operation: l.operation, charges: l.charges, amount: fromMinor(l.amount, decimals) })),
    total: fromMinor(st.total, decimals), credits_applied: fromMinor(st.creditsApplied, decimals), amount_due: fromMinor(st.amountDue, decimals),
    closed_at: iso(st.closedAt)!,
  };
}
