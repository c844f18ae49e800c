// Rule inputs that come from the account rather than the request: its plan, its billing
// mode, its subscription month, and usage counters (charges of an operation this day/month).
import type { QuoteResult } from '../engine/index.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';
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
      case 'count':
        out[name] = await tx.countCharges(account.id, source.operation, startOfPeriod(now, source.per, zone));
        break;
    }
  }
  return out;
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
