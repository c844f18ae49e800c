// The moves that change balances, each paired with its entry in the log: granting credits,
// drawing a charge's amount from grants (and the overdraft), and crediting draws back.
import type { GrantKind } from '../rules/ledger-policy.ts';
import { addDays, endOfDay } from './calendar.ts';
import { LedgerError } from './errors.ts';
import { fromMinor, MAX_BALANCE_MINOR } from './money.ts';
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
  await assertRoomFor(s, amount);
  const effectiveAt = opts.effectiveAt ?? s.now;
  const g: GrantRecord = {
    id: s.newId('gr'), accountId: s.account.id, kind: kind.name, amount, remaining: amount, priority: kind.priority,
    effectiveAt, expiresAt: opts.expiresAt !== undefined ? opts.expiresAt : expiryOf(s, kind, effectiveAt),
    createdAt: s.now, source, rolledInto: null,
  };
  await s.tx.insertGrant(g);
  await entry(s, 'grant', amount, amount, g.id, null, source);
  return g;
}

/** Refuses credits that would take the account's grants past MAX_BALANCE_MINOR in all. */
async function assertRoomFor(s: Scope, amount: bigint): Promise<void> {
  const held = (await s.tx.spendableGrants(s.account.id, s.now)).reduce((sum, g) => sum + g.remaining, 0n);
  if (held + amount > MAX_BALANCE_MINOR) {
    throw new LedgerError('invalid_amount', `account '${s.account.id}' would hold more than ${fromMinor(MAX_BALANCE_MINOR, s.pack.decimals)} in all`);
  }
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
    const id = await s.tx.drawFromGrant(chargeId, grant.id, take, s.now);
    if (id === undefined) throw new LedgerError('insufficient_credits', `grant ${grant.id} can no longer cover ${fromMinor(take, s.pack.decimals)}`);
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
    // What the overdraft took may have been billed since (a statement closed, a settlement):
    // the part still owed is paid down, the rest comes back as credits of billing.credit_kind.
    const owed = s.account.overdraftUsed;
    const back = owed < amount ? owed : amount;
    const billed = amount - back;
    const creditKind = s.policy.billing.creditKind;
    if (billed > 0n && !creditKind) {
      throw new LedgerError('not_supported', `${fromMinor(billed, s.pack.decimals)} of charge ${d.chargeId} was taken from the overdraft and billed already; pack '${s.pack.name}' names no billing.credit_kind to give it back as`);
    }
    if (back > 0n) {
      if (!(await s.tx.adjustOverdraft(s.account.id, -back))) throw new Error(`overdraft of ${s.account.id} would go below zero`);
      s.account = { ...s.account, overdraftUsed: owed - back };
      await entry(s, kind, back, back, null, d.chargeId);
    }
    if (billed > 0n) {
      await entry(s, kind, 0n, billed, null, d.chargeId, `billed already: given back as a new ${creditKind} grant`);
      await addGrant(s, creditKind!, billed, `${kind} of ${d.chargeId} (billed usage)`);
    }
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
  // A period grant that rolled over lives on in its successor: what comes back goes there.
  const successor = await rolledSuccessor(s, grantId);
  if (successor) {
    if (!(await s.tx.growGrant(successor.id, amount))) throw new Error(`grant ${successor.id} cannot take ${amount} more`);
    await entry(s, kind, 0n, amount, grantId, d.chargeId, `${expired}: carried into grant ${successor.id}, which its leftover rolled over into`);
    await entry(s, 'grant', amount, amount, successor.id, d.chargeId, `rollover of ${kind} of ${d.chargeId} (grant ${grantId} expired)`);
    return;
  }
  // A refund gives back credits the account paid for and lost to a failure: the pack's
  // expired_grant_credit decides. A release, a capture's return or an expired hold gives back
  // credits that were never spent: held_credits.release_after_expiry decides (by default they
  // lapse, as they would have with their grant had they not been held).
  const policy = kind === 'refund' ? s.policy.expiredGrantCredit : s.policy.heldCredits.release;
  if (policy.action === 'reissue') {
    await entry(s, kind, 0n, amount, grantId, d.chargeId, `${expired}: reissued as a new ${policy.kind} grant`);
    await addGrant(s, policy.kind, amount, `${kind} of ${d.chargeId} (grant ${grantId} expired)`);
    return;
  }
  await entry(s, kind, 0n, amount, grantId, d.chargeId, `${expired}: forfeited`);
  await entry(s, 'forfeit', 0n, amount, grantId, d.chargeId, `not credited back: ${expired}`);
}

/**
 * Writes the expiry of every grant that expired with credits left into the log (an `expire`
 * entry dated when it expired, taking its remaining to zero), so the log sums to the balance.
 * Runs whenever the account is touched, before anything else is written.
 */
export async function recordExpiries(s: Scope): Promise<void> {
  for (const g of await s.tx.lapsedGrants(s.account.id, s.now)) {
    const at = g.expiresAt!;
    if (!(await s.tx.endGrant(g.id, g.remaining, at))) throw new Error(`grant ${g.id} changed while expiring`);
    await s.tx.appendEntry({
      accountId: s.account.id, at, kind: 'expire', amount: -g.remaining, moved: g.remaining, grantId: g.id, chargeId: null,
      memo: `expired ${new Date(at).toISOString()}`,
    });
  }
}

/** The live grant an expired grant's leftover rolled over into, following renewals in turn. */
async function rolledSuccessor(s: Scope, grantId: string): Promise<GrantRecord | undefined> {
  let g = await s.tx.grant(grantId);
  for (let i = 0; i < 1200 && g?.rolledInto; i++) {
    g = await s.tx.grant(g.rolledInto);
    if (g && (g.expiresAt === null || g.expiresAt > s.now)) return g;
  }
  return undefined;
}

/**
 * Pays a postpaid account's overdraft from credits it was just given (a top-up, an admin grant)
 * before they can be spent: what it owes is owed first. Two entries say so, one taking the
 * credits from the grant, one giving them to the overdraft. Returns the grant as it is left.
 */
export async function payOverdraft(s: Scope, g: GrantRecord): Promise<GrantRecord> {
  const owed = s.account.overdraftUsed;
  if (s.account.billing !== 'postpaid' || owed === 0n || g.remaining === 0n || g.effectiveAt > s.now) return g;
  const pay = owed < g.remaining ? owed : g.remaining;
  if (!(await s.tx.takeFromGrant(g.id, pay, s.now))) throw new Error(`grant ${g.id} cannot pay ${pay}`);
  if (!(await s.tx.adjustOverdraft(s.account.id, -pay))) throw new Error(`overdraft of ${s.account.id} is less than ${pay}`);
  s.account = { ...s.account, overdraftUsed: owed - pay };
  const memo = `paid down the overdraft from grant ${g.id}`;
  await entry(s, 'overdraft_payment', -pay, pay, g.id, null, memo);
  await entry(s, 'overdraft_payment', pay, pay, null, null, memo);
  return { ...g, remaining: g.remaining - pay };
}
