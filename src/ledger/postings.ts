// The moves that change balances, each paired with its entry in the log: granting credits,
// drawing a charge's amount from grants (and the overdraft), and crediting draws back.
import type { GrantKind } from '../rules/ledger-policy.ts';
import { addDays, endOfDay } from './calendar.ts';
import { LedgerError } from './errors.ts';
import { fromMinor } from './money.ts';
import type { DrawRecord, EntryKind, GrantRecord } from './records.ts';
import type { Scope } from './scope.ts';
import { inSpendOrder, planDraw, type DrawPlan } from './spend-order.ts';

export function grantKind(s: Scope, kind: string): GrantKind {
  const k = s.policy.grantKinds.get(kind);
  if (!k) throw new LedgerError('unknown_grant_kind', `pack '${s.pack.name}' has no grant kind '${kind}'`, { known: [...s.policy.grantKinds.keys()] });
  return k;
}

/** When a grant of this kind made at `at` expires, per the pack's policy. */
export function expiryOf(s: Scope, kind: GrantKind, at: number): number | null {
  switch (kind.expires.kind) {
    case 'never': return null;
    case 'end_of_day': return endOfDay(at, s.zone);
    case 'days': return addDays(at, kind.expires.days);
    case 'end_of_period':
      if (s.account.periodEnd === null) throw new LedgerError('not_supported', `grant kind '${kind.name}' lasts until the end of the subscription period, and account '${s.account.id}' has no subscription`);
      return s.account.periodEnd;
  }
}

export async function addGrant(
  s: Scope, kindName: string, amount: bigint, source: string,
  opts: { effectiveAt?: number; expiresAt?: number | null } = {},
): Promise<GrantRecord | undefined> {
  const kind = grantKind(s, kindName);
  if (amount === 0n) return undefined;
  const effectiveAt = opts.effectiveAt ?? s.now;
  const g: GrantRecord = {
    id: s.newId('gr'), accountId: s.account.id, kind: kind.name, amount, remaining: amount, priority: kind.priority,
    effectiveAt, expiresAt: opts.expiresAt !== undefined ? opts.expiresAt : expiryOf(s, kind, effectiveAt),
    createdAt: s.now, source,
  };
  await s.tx.insertGrant(g);
  await entry(s, 'grant', amount, amount, g.id, null, source);
  return g;
}

/** Appends to the log: `change` to the grant's (or overdraft's) balance, `moved` what the
 *  entry did as its kind says (see EntryRecord). */
export function entry(
  s: Scope, kind: EntryKind, change: bigint, moved: bigint, grantId: string | null, chargeId: string | null, memo: string | null = null,
): Promise<void> {
  return s.tx.appendEntry({ accountId: s.account.id, at: s.now, kind, amount: change, moved, grantId, chargeId, memo });
}

/**
 * How `amount` would be taken now: from the account's grants in spend order, then the
 * overdraft; `insufficient_credits` when they fall short. Only reads, so a charge refused
 * for want of credits has written nothing.
 */
export async function planDraws(s: Scope, amount: bigint): Promise<DrawPlan> {
  if (amount === 0n) return { fromGrants: [], fromOverdraft: 0n };
  const grants = inSpendOrder(await s.tx.spendableGrants(s.account.id, s.now), s.policy.spendOrder);
  const room = s.account.overdraftLimit - s.account.overdraftUsed;
  const plan = planDraw(amount, grants, room);
  if (!plan) {
    const spendable = grants.reduce((sum, g) => sum + g.remaining, 0n);
    const d = s.pack.decimals;
    throw new LedgerError('insufficient_credits', `out of credits: this needs ${fromMinor(amount, d)} and account '${s.account.id}' has ${fromMinor(spendable + room, d)} available`, {
      needed: fromMinor(amount, d), available: fromMinor(spendable + room, d),
    });
  }
  return plan;
}

/** Takes `amount` for a charge (see planDraws); returns the draws made. */
export async function draw(s: Scope, chargeId: string, amount: bigint, kind: EntryKind): Promise<DrawRecord[]> {
  return takeDraws(s, chargeId, await planDraws(s, amount), kind);
}

/** Carries out a plan of planDraws, each take conditional in the database; returns the draws made. */
export async function takeDraws(s: Scope, chargeId: string, plan: DrawPlan, kind: EntryKind): Promise<DrawRecord[]> {
  const made: DrawRecord[] = [];
  for (const { grant, amount: take } of plan.fromGrants) {
    if (!(await s.tx.takeFromGrant(grant.id, take, s.now))) throw new LedgerError('insufficient_credits', `grant ${grant.id} can no longer cover ${fromMinor(take, s.pack.decimals)}`);
    const id = await s.tx.insertDraw(chargeId, grant.id, take);
    made.push({ id, chargeId, grantId: grant.id, amount: take, refunded: 0n, grantKind: grant.kind, grantExpiresAt: grant.expiresAt });
    await entry(s, kind, -take, take, grant.id, chargeId);
  }
  if (plan.fromOverdraft > 0n) {
    if (!(await s.tx.adjustOverdraft(s.account.id, plan.fromOverdraft))) throw new LedgerError('insufficient_credits', 'the overdraft limit was reached');
    s.account = { ...s.account, overdraftUsed: s.account.overdraftUsed + plan.fromOverdraft };
    const id = await s.tx.insertDraw(chargeId, null, plan.fromOverdraft);
    made.push({ id, chargeId, grantId: null, amount: plan.fromOverdraft, refunded: 0n, grantKind: null, grantExpiresAt: null });
    await entry(s, kind, -plan.fromOverdraft, plan.fromOverdraft, null, chargeId);
  }
  return made;
}

/**
 * Credits `amount` drawn from one grant (d names it) back where it came from. A grant that
 * has expired meanwhile gets nothing: the entry of `kind` still says what was returned or
 * refunded (changing no balance), and the pack either forfeits the credits or reissues them
 * as a new grant.
 */
export async function creditBack(s: Scope, d: DrawRecord, amount: bigint, kind: EntryKind): Promise<void> {
  if (amount === 0n) return;
  if (d.grantId === null) {
    if (!(await s.tx.adjustOverdraft(s.account.id, -amount))) throw new Error(`overdraft of ${s.account.id} would go below zero`);
    s.account = { ...s.account, overdraftUsed: s.account.overdraftUsed - amount };
    await entry(s, kind, amount, amount, null, d.chargeId);
    return;
  }
  const grantId = d.grantId;
  const expiresAt = d.grantExpiresAt;
  if (expiresAt === null || expiresAt > s.now) {
    // The UPDATE's condition (remaining + amount <= amount) is the invariant, not this code.
    if (!(await s.tx.returnToGrant(grantId, amount))) throw new Error(`grant ${grantId} would exceed its amount`);
    await entry(s, kind, amount, amount, grantId, d.chargeId);
    return;
  }
  const expired = `grant expired ${new Date(expiresAt).toISOString()}`;
  const policy = s.policy.expiredGrantCredit;
  switch (policy.action) {
    case 'forfeit':
      await entry(s, kind, 0n, amount, grantId, d.chargeId, `${expired}: forfeited`);
      await entry(s, 'forfeit', 0n, amount, grantId, d.chargeId, `not credited back: ${expired}`);
      return;
    case 'reissue':
      await entry(s, kind, 0n, amount, grantId, d.chargeId, `${expired}: reissued as a new ${policy.kind} grant`);
      await addGrant(s, policy.kind, amount, `${kind} of ${d.chargeId} (grant ${grantId} expired)`);
      return;
  }
}
