// Rule inputs that come from the account rather than the request: its plan, its billing
// mode, its subscription month, and usage counters (charges of an operation this day/month).
import type { QuoteResult } from '../engine/index.ts';
import type { AccountInput, LedgerPolicy } from '../rules/ledger-policy.ts';
import { monthsBetween, startOfPeriod } from './calendar.ts';
import { LedgerError } from './errors.ts';
import type { PricingEngine } from './pricing.ts';
import type { AccountRecord } from './records.ts';
import type { ReadTx } from './store/store.ts';

export async function accountInputs(
  tx: ReadTx, account: AccountRecord, policy: LedgerPolicy, zone: string, now: number, declared: readonly string[],
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of declared) {
    const source = policy.accountInputs.get(name);
    if (!source) continue;
    switch (source.from) {
      case 'plan':
        if (account.plan !== null) out[name] = account.plan;
        break;
      case 'billing':
        out[name] = account.billing;
        break;
      case 'subscription_period':
        // Subscribed: the month of subscription over the account's lifetime (a re-subscription
        // continues the count). Without a subscription, the month of the account's life.
        out[name] = account.periodIndex > 0 ? Math.max(account.subscriptionMonths, 1) : monthsBetween(account.createdAt, now, zone) + 1;
        break;
      case 'period_days':
        if (account.periodStart !== null && account.periodEnd !== null) out[name] = Math.max(1, Math.round((account.periodEnd - account.periodStart) / DAY_MS));
        break;
      case 'period_days_left':
        if (account.periodEnd !== null) out[name] = Math.max(0, Math.ceil((account.periodEnd - now) / DAY_MS));
        break;
      case 'count':
        out[name] = 'withinMs' in source
          ? await tx.countRecentCharges(account.id, source.operation, now - source.withinMs)
          : await tx.countCharges(account.id, source.operation, countSince(source, account, now, zone));
        break;
    }
  }
  return out;
}

const DAY_MS = 86_400_000;

/** Where a calendar usage counter starts: the current day, month, subscription period (the
 *  month without a subscription) or all time; each is a usage bucket boundary (usage-bucket.ts). */
function countSince(source: Extract<AccountInput, { from: 'count'; per: unknown }>, account: AccountRecord, now: number, zone: string): number {
  if (source.per === 'period') return account.periodStart !== null && account.periodIndex > 0 ? account.periodStart : startOfPeriod(now, 'month', zone);
  return startOfPeriod(now, source.per, zone);
}

/** The request's input with the account's values laid over it: the account is the authority. */
export function withAccountInputs(input: Record<string, unknown>, fromAccount: Record<string, unknown>): Record<string, unknown> {
  return { ...input, ...fromAccount };
}

export function zoneOf(policy: LedgerPolicy, account: AccountRecord): string {
  return policy.timeZone === 'account' ? account.timeZone : policy.timeZone;
}

/** Evaluates an operation; a rejection becomes a LedgerError carrying the rule's messages. */
export function evaluate(engine: PricingEngine, pack: string, operation: string, input: Record<string, unknown>, at: number): QuoteResult {
  const result = engine.quote({ pack, operation, input, at: new Date(at) });
  if (result.rejections.length) {
    throw new LedgerError('quote_rejected', result.rejections.map((r) => r.message).join('; '), { rejections: result.rejections });
  }
  return result;
}
