// Where a charge counts in the running usage totals (store: usage_counters): its local day,
// split where the account's subscription period starts, so every calendar counter a rule or
// the usage view reads (today, this month, this period) starts on a bucket boundary.
import { startOfDay } from './calendar.ts';
import type { AccountRecord } from './records.ts';

export function usageBucket(account: AccountRecord, at: number, zone: string): number {
  const day = startOfDay(at, zone);
  const period = account.periodIndex > 0 ? account.periodStart : null;
  return period !== null && period > day && period <= at ? period : day;
}
