// Plans and periods: subscribing starts period 1 with its allowance; each period end
// renews (a new allowance, leftovers expiring or rolling over as the grant kind says) or,
// after a cancellation, returns the account to the default plan. Renewals happen lazily,
// the first time the account is touched after a period ends, dated at the period start.
import { addMonths } from './calendar.ts';
import { LedgerError } from './errors.ts';
import { grantEvent } from './grants.ts';
import { addGrant, entry } from './postings.ts';
import { release } from './charges.ts';
import type { Scope } from './scope.ts';
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

/** Brings the account up to `now`: expired holds released (when the lock found some), due
 *  periods renewed or ended. */
export async function settle(s: Scope, holdsExpired: boolean): Promise<void> {
  // Renewals first: a hold that timed out after its grant rolled over returns its credits to
  // the grant they rolled into, which must exist by then.
  for (let i = 0; i < MAX_CATCH_UP && s.account.periodEnd !== null && s.account.periodEnd <= s.now; i++) {
    const ended = s.account.periodEnd;
    if (s.account.cancelAtPeriodEnd) {
      await setSubscription(s, {
        plan: plans(s).default, periodIndex: 0, periodStart: null, periodEnd: null, periodAnchor: null, cancelAtPeriodEnd: false,
        subscriptionMonths: s.account.subscriptionMonths,
      });
      break;
    }
    await startPeriod(s, s.account.periodIndex + 1, ended, s.account.plan);
  }
  if (holdsExpired) {
    for (const c of await s.tx.expiredHolds(s.account.id, s.now)) await release(s, { record: c, draws: await s.tx.draws(c.id) }, 'expired');
  }
}

async function startPeriod(s: Scope, index: number, start: number, plan: string | null): Promise<void> {
  const previousEnd = s.account.periodEnd;
  // Period n ends n months after the first period's start, each clamped to its month's length:
  // a subscription started on the 31st ends on Feb 28 and then on Mar 31, never drifting.
  // Without an anchor (a subscription older than it) each period is a month after the last.
  const anchor = index === 1 ? start : s.account.periodAnchor;
  const end = anchor !== null ? addMonths(anchor, index, s.zone) : addMonths(start, 1, s.zone);
  await setSubscription(s, {
    plan, periodIndex: index, periodStart: start, periodEnd: end, periodAnchor: anchor, cancelAtPeriodEnd: false,
    // Over the account's lifetime: a re-subscription continues the count, so month 1 (and a
    // first-month offer that reads it) comes once per account.
    subscriptionMonths: s.account.subscriptionMonths + 1,
  });
  const allowance = plans(s).allowance;
  if (!allowance || (allowance.plans && !allowance.plans.includes(plan ?? ''))) return;
  const { grants } = await grantEvent(s, 'plan allowance', allowance, {}, { at: start, source: `${plan} period ${index}` });
  if (previousEnd !== null) await rollOver(s, previousEnd, grants);
}

/** Carries the leftovers of last period's grants into this period's grant of the same kind,
 *  for kinds whose policy is to roll over; other kinds just expire with their period. */
async function rollOver(s: Scope, previousEnd: number, fresh: { id: string; kind: string }[]): Promise<void> {
  for (const g of await s.tx.grants(s.account.id)) {
    const kind = s.policy.grantKinds.get(g.kind);
    if (kind?.rollover !== 'all' || g.expiresAt !== previousEnd || g.rolledInto !== null) continue;
    const allowance = fresh.find((f) => f.kind === g.kind);
    if (!allowance) continue;
    // Credits held across the renewal may still come back to g: it is linked to the grant
    // that carries it on (the rollover grant, or with nothing left over the new allowance).
    const successor = g.remaining > 0n ? await addGrant(s, g.kind, g.remaining, `rollover of ${g.id}`, { effectiveAt: previousEnd }) : undefined;
    if (!(await s.tx.emptyGrant(g.id, g.remaining, (successor ?? allowance).id))) throw new Error(`grant ${g.id} changed during rollover`);
    if (g.remaining > 0n) await entry(s, 'rollover', -g.remaining, g.remaining, g.id, null, `carried into the new period (grant ${successor!.id})`);
  }
}

export async function subscribe(s: Scope, plan: string): Promise<void> {
  const p = plans(s);
  if (!p.names.includes(plan)) throw new LedgerError('invalid_request', `unknown plan '${plan}'`, { plans: p.names });
  if (plan === p.default) throw new LedgerError('invalid_request', `'${plan}' is the plan of accounts without a subscription`);
  if (s.account.periodIndex > 0) throw new LedgerError('invalid_request', `account '${s.account.id}' already subscribes to ${s.account.plan}; upgrade or cancel instead`);
  await startPeriod(s, 1, s.now, plan);
}

export async function cancel(s: Scope): Promise<void> {
  if (s.account.periodIndex === 0) throw new LedgerError('invalid_request', `account '${s.account.id}' has no subscription to cancel`);
  await setSubscription(s, { ...s.account, cancelAtPeriodEnd: true });
}

/** Moves to another plan within the current period; the pack's upgrade rule says what it gives. */
export async function upgrade(s: Scope, plan: string): Promise<Record<string, unknown>> {
  const p = plans(s);
  if (!p.upgrade) throw new LedgerError('not_supported', `pack '${s.pack.name}' has no upgrade rule`);
  if (!p.names.includes(plan)) throw new LedgerError('invalid_request', `unknown plan '${plan}'`, { plans: p.names });
  if (s.account.periodIndex === 0) throw new LedgerError('invalid_request', `account '${s.account.id}' has no subscription to upgrade; subscribe instead`);
  const request = { [p.upgrade.fromInput]: s.account.plan, [p.upgrade.toInput]: plan };
  const { outputs } = await grantEvent(s, 'upgrade', { operation: p.upgrade.operation, grants: [] }, request);
  await setSubscription(s, { ...s.account, plan, cancelAtPeriodEnd: false });
  return outputs;
}
