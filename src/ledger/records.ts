// Rows as the store keeps them. Amounts are integer minor units of the pack's `decimals`;
// times are epoch milliseconds.
import type { BillingMode } from '../rules/ledger-policy.ts';

export interface AccountRecord {
  id: string;
  pack: string;
  plan: string | null;
  billing: BillingMode;
  overdraftLimit: bigint;
  overdraftUsed: bigint;
  timeZone: string;
  /** 1 in the first subscription period, 0 when not subscribed. */
  periodIndex: number;
  periodStart: number | null;
  periodEnd: number | null;
  /** The start of the current subscription's first period (null when unknown or not subscribed). */
  periodAnchor: number | null;
  cancelAtPeriodEnd: boolean;
  /** The plan a downgrade moves to when the period ends (null: none pending). */
  pendingPlan: string | null;
  /** A postpaid account's open statement period (null when prepaid). */
  statementStart: number | null;
  statementEnd: number | null;
  /** Subscription periods started over the account's lifetime, across re-subscriptions. */
  subscriptionMonths: number;
  createdAt: number;
  /** The caller's metadata object, JSON (null: none given). Written apart from the row (integration.ts). */
  metadata?: string | null;
}

export interface GrantRecord {
  id: string;
  accountId: string;
  kind: string;
  amount: bigint;
  remaining: bigint;
  priority: number;
  effectiveAt: number;
  expiresAt: number | null;
  createdAt: number;
  /** What created it: `topup`, `daily_claim`, `admin`, `refund of ch_…`, … */
  source: string;
  /** The grant this one's leftover rolled over into at a renewal, if it did. */
  rolledInto: string | null;
}

export type ChargeStatus = 'held' | 'captured' | 'released' | 'expired';

export interface ChargeRecord {
  id: string;
  accountId: string;
  pack: string;
  operation: string;
  version: string;
  /** The rule input as evaluated (request input plus account inputs), JSON. */
  input: string;
  status: ChargeStatus;
  held: bigint;
  captured: bigint | null;
  refunded: bigint;
  createdAt: number;
  expiresAt: number;
  resolvedAt: number | null;
  /** The caller's metadata object, JSON (null: none given). */
  metadata?: string | null;
}

/** How much of a charge one grant (or, with grantId null, the overdraft) covers. The grant's
 *  kind and expiry never change, so they are read with the draw (null for the overdraft). */
export interface DrawRecord {
  id: number;
  chargeId: string;
  grantId: string | null;
  amount: bigint;
  refunded: bigint;
  grantKind: string | null;
  grantExpiresAt: number | null;
}

export type EntryKind =
  | 'grant' | 'hold' | 'capture' | 'capture_return' | 'capture_extra' | 'release' | 'hold_expired'
  | 'refund' | 'forfeit' | 'rollover' | 'overdraft_payment' | 'settlement'
  | 'expire' | 'lapse' | 'period_close';

/**
 * One line of the append-only log. Two amounts, because a capture moves credits without
 * changing a balance (the hold already took them):
 * - `amount` (column `amount`) is the change to the grant's remaining credits, or with grantId
 *   null to the balance through the overdraft (negative = more owed): summed per grant, the
 *   log rebuilds every balance;
 * - `moved` is what the entry did, as its kind says: credits granted, reserved by a hold,
 *   captured, returned, released, refunded, forfeited, rolled over. Never negative. Summed per
 *   kind, it gives an auditor that kind's total. Null on entries written before migration 3,
 *   where `amount` alone was kept (their `moved` is its magnitude).
 */
export interface EntryRecord {
  seq: number;
  accountId: string;
  at: number;
  kind: EntryKind;
  amount: bigint;
  moved: bigint | null;
  grantId: string | null;
  chargeId: string | null;
  memo: string | null;
}

/** One operation's captured usage in a statement period. */
export interface StatementLine {
  operation: string;
  charges: number;
  /** Captured less refunded, minor units. */
  amount: bigint;
}

/** A closed period of a postpaid account. */
export interface StatementRecord {
  id: string;
  accountId: string;
  periodStart: number;
  periodEnd: number;
  lines: StatementLine[];
  total: bigint;
  /** What the period's charges took from grants (net of refunds). */
  creditsApplied: bigint;
  /** What the overdraft owed for captured usage, settled by the close. */
  amountDue: bigint;
  closedAt: number;
}

export type KeyScope = 'quote' | 'charge' | 'admin';

export interface ApiKeyRecord {
  id: string;
  secretHash: string;
  scope: KeyScope;
  /** Accounts the key may act on; admin keys act on all. */
  accounts: string[];
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}
