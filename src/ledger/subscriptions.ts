// Plans and periods: subscribing starts period 1 with its allowance; each period end
// renews (a new allowance, leftovers expiring or rolling over as the grant kind says, on the
// plan a downgrade left pending) or, after a cancellation or at the end of a fixed term,
// returns the account to the default plan. Renewals happen lazily, the first time the account
// is touched after a period ends, dated at the period start. Upgrades and downgrades are the
// pack's rules: what they grant, take back, and when they take effect.
import { chargeEvents } from './events/record.ts';
import type { GrantKind, PlanChange } from '../rules/ledger-policy.ts';
import { evaluateFormula } from '../engine/formula.ts';
import { toJsonData } from '../value.ts';
import { accountInputs, evaluate, withAccountInputs } from './account-inputs.ts';
import { addMonths } from './calendar.ts';
import { LedgerError } from './errors.ts';
import { grantEvent, outputAmount } from './grants.ts';
import { asDecimal, fromMinor, ruleAmount } from './money.ts';
import { addGrant, entry, grantKind, recordExpiries } from './postings.ts';
import { release } from './charges.ts';
import type { GrantRecord } from './records.ts';
import type { Scope } from './scope.ts';
import { inSpendOrder } from './spend-order.ts';
import { closeDueStatements } from './statements.ts';
import type { SubscriptionState } from './store/store.ts';

// An account untouched for years catches up at most this many periods at once.
const MAX_CATCH_UP = 120;

function plans(s: Scope) {
  const p = s.policy.plans;
  if (!p) throw new LedgerError('not_supported', `pack '${s.pack.name}' has no plans`);
  return p;
}

async function setSubscription(s: Scope, next: SubscriptionState): Promise<void> {
  await s.tx.updateSubscription(s.account.id, next);
  s.account = { ...s.account, ...next };
}

/** Brings the account up to `now`: due periods renewed or ended, expired holds released
 *  and expired grants written to the log (when the lock found some), due statements closed. */
export async function settle(s: Scope, due: { holdsExpired: boolean; grantsLapsed: boolean }): Promise<void> {
  const periodEnd = s.account.periodEnd;
  // Renewals first: a hold that timed out after its grant rolled over returns its credits to
  // the grant they rolled into, which must exist by then.
  for (let i = 0; i < MAX_CATCH_UP && s.account.periodEnd !== null && s.account.periodEnd <= s.now; i++) {
    const ended = s.account.periodEnd;
    if (s.account.cancelAtPeriodEnd) {
      await endSubscription(s);
      break;
    }
    await startPeriod(s, s.account.periodIndex + 1, ended, s.account.pendingPlan ?? s.account.plan);
  }
  if (due.holdsExpired) {
    for (const c of await s.tx.expiredHolds(s.account.id, s.now)) {
      const open = { record: c, draws: await s.tx.draws(c.id) };
      await release(s, open, 'expired');
      // A hold that times out is released too: subscribers see it as charge.released with status expired.
      await chargeEvents(s, open, ['charge.released']);
    }
  }
  // Renewals may have made grants that ended since (periods caught up on).
  if (due.grantsLapsed || s.account.periodEnd !== periodEnd) await recordExpiries(s);
  await closeDueStatements(s);
}

async function endSubscription(s: Scope): Promise<void> {
  await setSubscription(s, {
    plan: plans(s).default, periodIndex: 0, periodStart: null, periodEnd: null, periodAnchor: null, cancelAtPeriodEnd: false,
    subscriptionMonths: s.account.subscriptionMonths, pendingPlan: null,
  });
}

async function startPeriod(s: Scope, index: number, start: number, plan: string | null): Promise<void> {
  const previousEnd = s.account.periodEnd;
  const previousPlan = s.account.plan;
  // Period n ends n months after the first period's start, each clamped to its month's length:
  // a subscription started on the 31st ends on Feb 28 and then on Mar 31, never drifting.
  // Without an anchor (a subscription older than it) each period is a month after the last.
  const anchor = index === 1 ? start : s.account.periodAnchor;
  const end = anchor !== null ? addMonths(anchor, index, s.zone) : addMonths(start, 1, s.zone);
  await setSubscription(s, {
    // A fixed-term plan's period ends its subscription unless renewed on request.
    plan, periodIndex: index, periodStart: start, periodEnd: end, periodAnchor: anchor, cancelAtPeriodEnd: plans(s).fixedTerm.includes(plan ?? ''),
    // Over the account's lifetime: a re-subscription continues the count, so month 1 (and a
    // first-month offer that reads it) comes once per account.
    subscriptionMonths: s.account.subscriptionMonths + 1, pendingPlan: null,
  });
  const allowance = plans(s).allowance;
  if (!allowance || (allowance.plans && !allowance.plans.includes(plan ?? ''))) return;
  const { grants } = await grantEvent(s, 'plan allowance', allowance, {}, { at: start, source: `${plan} period ${index}` });
  if (previousEnd !== null) await rollOver(s, previousEnd, previousPlan, grants);
}

/** Carries the leftovers of last period's grants into this period's grant of the same kind,
 *  for kinds whose policy is to roll over (all of it, or up to the kind's cap); the rest
 *  expires with its period (an `expire` entry). */
async function rollOver(s: Scope, previousEnd: number, previousPlan: string | null, fresh: GrantRecord[]): Promise<void> {
  for (const g of await s.tx.grants(s.account.id)) {
    const kind = s.policy.grantKinds.get(g.kind);
    if (!kind || kind.rollover === 'none' || g.expiresAt !== previousEnd || g.rolledInto !== null) continue;
    const allowance = fresh.find((f) => f.kind === g.kind);
    if (!allowance) continue;
    const cap = kind.rollover === 'all' ? g.remaining : rolloverCap(s, kind, previousPlan, allowance.amount, g.remaining);
    const carry = cap < g.remaining ? cap : g.remaining;
    // Credits held across the renewal may still come back to g: it is linked to the grant
    // that carries it on (the rollover grant, or with nothing carried the new allowance).
    const successor = carry > 0n ? await addGrant(s, g.kind, carry, `rollover of ${g.id}`, { effectiveAt: previousEnd }) : undefined;
    if (!(await s.tx.emptyGrant(g.id, g.remaining, (successor ?? allowance).id))) throw new Error(`grant ${g.id} changed during rollover`);
    if (carry > 0n) await entry(s, 'rollover', -carry, carry, g.id, null, `carried into the new period (grant ${successor!.id})`);
    const lapsed = g.remaining - carry;
    if (lapsed > 0n) {
      await s.tx.appendEntry({
        accountId: s.account.id, at: previousEnd, kind: 'expire', amount: -lapsed, moved: lapsed, grantId: g.id, chargeId: null,
        memo: `expired with its period: beyond the rollover cap of ${fromMinor(cap, s.pack.decimals)}`,
      });
    }
  }
}

/** The most of a kind carried over, by the kind's `rollover.max` formula; `plan` is the plan the
 *  leftover was granted under (the period that ended). */
function rolloverCap(s: Scope, kind: GrantKind, plan: string | null, allowance: bigint, leftover: bigint): bigint {
  const d = s.pack.decimals;
  const formula = (kind.rollover as { max: string }).max;
  const value = evaluateFormula(formula, {
    allowance: exactNumber(fromMinor(allowance, d)), leftover: exactNumber(fromMinor(leftover, d)), plan: plan ?? '',
  }, `${s.policy.file}: grant_kinds.${kind.name}.rollover.max`);
  const cap = asDecimal(value);
  if (!cap) throw new LedgerError('not_supported', `grant_kinds.${kind.name}.rollover.max is not an amount`);
  return cap.isNegative() ? 0n : ruleAmount(cap, d, 'down', `grant_kinds.${kind.name}.rollover.max`);
}

/** Amounts are bound as JSON numbers; every amount within MAX_AMOUNT_MINOR has at most 15 digits, which a double keeps exactly. */
function exactNumber(text: string): number {
  const n = Number(text);
  if (String(n) !== text) throw new Error(`${text} does not pass through a JSON number exactly`);
  return n;
}

export async function subscribe(s: Scope, plan: string): Promise<void> {
  const p = plans(s);
  if (!p.names.includes(plan)) throw new LedgerError('invalid_request', `unknown plan '${plan}'`, { plans: p.names });
  if (plan === p.default) throw new LedgerError('invalid_request', `'${plan}' is the plan of accounts without a subscription`);
  if (s.account.periodIndex > 0) throw new LedgerError('invalid_request', `account '${s.account.id}' already subscribes to ${s.account.plan}; upgrade or cancel instead`);
  await startPeriod(s, 1, s.now, plan);
}

/** Ends the subscription as the pack says: at the period's end (the plan lasts until then),
 *  or now, when the period's credits lapse at once. */
export async function cancel(s: Scope): Promise<void> {
  if (s.account.periodIndex === 0) throw new LedgerError('invalid_request', `account '${s.account.id}' has no subscription to cancel`);
  if (plans(s).cancel === 'period_end') {
    await setSubscription(s, { ...s.account, cancelAtPeriodEnd: true, pendingPlan: null });
    return;
  }
  const end = s.account.periodEnd;
  for (const g of await s.tx.grants(s.account.id)) {
    if (g.expiresAt === null || g.expiresAt !== end) continue;
    // Its expiry moves to now, so credits a hold gives back later lapse (or are reissued) as for any expired grant.
    if (!(await s.tx.endGrant(g.id, g.remaining, s.now))) throw new Error(`grant ${g.id} changed while cancelling`);
    if (g.remaining > 0n) await entry(s, 'lapse', -g.remaining, g.remaining, g.id, null, 'the subscription was cancelled with immediate effect');
  }
  await endSubscription(s);
}

/** Undoes a cancellation at the period's end, or renews a fixed-term plan for one more period. */
export async function renew(s: Scope): Promise<void> {
  if (s.account.periodIndex === 0) throw new LedgerError('invalid_request', `account '${s.account.id}' has no subscription to renew; subscribe instead`);
  if (!s.account.cancelAtPeriodEnd) throw new LedgerError('invalid_request', `the subscription of account '${s.account.id}' renews already`);
  await setSubscription(s, { ...s.account, cancelAtPeriodEnd: false });
}

/**
 * Moves to another plan by the pack's upgrade or downgrade rule: its operation, given the old
 * and the new plan (and the account's inputs), may refuse the change, and its outputs are what
 * is granted or taken back. Effective now, or (`effective: period_end`) at the next renewal,
 * which then starts on the new plan.
 */
export async function changePlan(s: Scope, direction: 'upgrade' | 'downgrade', plan: string): Promise<Record<string, unknown>> {
  const p = plans(s);
  const rule = p[direction];
  if (!rule) throw new LedgerError('not_supported', `pack '${s.pack.name}' has no ${direction} rule`);
  if (!p.names.includes(plan)) throw new LedgerError('invalid_request', `unknown plan '${plan}'`, { plans: p.names });
  if (s.account.periodIndex === 0) throw new LedgerError('invalid_request', `account '${s.account.id}' has no subscription to ${direction}; subscribe instead`);
  if (plan === s.account.plan) throw new LedgerError('invalid_request', `account '${s.account.id}' is on ${plan} already`);
  if (plan === p.default) throw new LedgerError('invalid_request', `'${plan}' is the plan of accounts without a subscription: cancel instead`);
  const { outputs, json } = await evaluateChange(s, rule, plan);
  if (rule.effective === 'period_end') {
    await setSubscription(s, { ...s.account, pendingPlan: plan });
    return json;
  }
  for (const g of rule.grants) {
    const amount = outputAmount(s, outputs[g.output], `${rule.operation}.${g.output}`);
    if (amount > 0n) await addGrant(s, g.kind, amount, `${direction} to ${plan}`);
  }
  for (const t of rule.takeBack) await takeBack(s, t.kind, outputAmount(s, outputs[t.output], `${rule.operation}.${t.output}`), `${direction} to ${plan}`);
  await setSubscription(s, { ...s.account, plan, pendingPlan: null, cancelAtPeriodEnd: p.fixedTerm.includes(plan) });
  return json;
}

async function evaluateChange(s: Scope, rule: PlanChange, plan: string) {
  const declared = s.engine.inputNames(s.pack.name, rule.operation);
  const request = { [rule.fromInput]: s.account.plan, [rule.toInput]: plan };
  const input = withAccountInputs(request, await accountInputs(s.tx, s.account, s.policy, s.zone, s.now, declared));
  const { outputs } = evaluate(s.engine, s.pack.name, rule.operation, input, s.now);
  return { outputs, json: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, toJsonData(v)])) };
}

/** Takes up to `amount` from the account's live grants of a kind, in spend order (a `lapse` entry each). */
async function takeBack(s: Scope, kind: string, amount: bigint, why: string): Promise<void> {
  grantKind(s, kind);
  let left = amount;
  const live = inSpendOrder((await s.tx.spendableGrants(s.account.id, s.now)).filter((g) => g.kind === kind), s.policy.spendOrder);
  for (const g of live) {
    if (left === 0n) break;
    const take = g.remaining < left ? g.remaining : left;
    if (!(await s.tx.takeFromGrant(g.id, take, s.now))) throw new Error(`grant ${g.id} cannot give back ${take}`);
    await entry(s, 'lapse', -take, take, g.id, null, `taken back by the ${why}`);
    left -= take;
  }
}
