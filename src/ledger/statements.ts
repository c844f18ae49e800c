// Postpaid billing: an account's usage is billed per statement period (a calendar month in
// its zone). Closing a period writes a statement — usage lines by operation, the total, the
// credits applied, the amount due — and settles what the overdraft owes for captured usage
// (a `period_close` entry): the amount due is now the statement's, outside the ledger.
// Periods close lazily when the account is first touched after their end, or on request.
import { addMonths, startOfMonth } from './calendar.ts';
import { LedgerError } from './errors.ts';
import { fromMinor, parseAmount, UNLIMITED_OVERDRAFT } from './money.ts';
import { recordEvents } from './events/record.ts';
import type { StatementRecord } from './records.ts';
import { statementView } from './views.ts';
import type { Scope } from './scope.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';

// An account untouched for years closes at most this many periods at once.
const MAX_CATCH_UP = 120;

/** The end of the statement period open at `at`: the start of the next local month. */
export function statementEnd(at: number, zone: string): number {
  return addMonths(startOfMonth(at, zone), 1, zone);
}

/** A postpaid account's overdraft cap on a plan, as ledger.yaml declares it (or as given). */
export function postpaidLimit(policy: LedgerPolicy, plan: string | null, decimals: number, given?: string): bigint {
  const byPlan = policy.billing.postpaidLimitByPlan;
  const text = given ?? (byPlan ? byPlan.get(plan ?? '') ?? '0' : policy.billing.postpaidOverdraftLimit);
  return text === 'unlimited' ? UNLIMITED_OVERDRAFT : parseAmount(text, decimals, 'overdraft_limit');
}

/** What the overdraft owes for captured usage: what open holds take from it is not usage yet,
 *  so it stays owed until they resolve (a release then gives it back to the overdraft). */
export async function billedOverdraft(s: Scope): Promise<bigint> {
  const held = await s.tx.heldOverdraft(s.account.id);
  return s.account.overdraftUsed > held ? s.account.overdraftUsed - held : 0n;
}

export async function closeDueStatements(s: Scope): Promise<void> {
  if (s.account.billing === 'postpaid' && s.account.statementStart === null) {
    // A postpaid account from before statements (migration 5): its first period starts now.
    const end = statementEnd(s.now, s.zone);
    await s.tx.setStatementPeriod(s.account.id, s.now, end);
    s.account = { ...s.account, statementStart: s.now, statementEnd: end };
  }
  for (let i = 0; i < MAX_CATCH_UP && s.account.statementEnd !== null && s.account.statementEnd <= s.now; i++) {
    await closePeriod(s, s.account.statementEnd);
  }
}

/** Closes the open statement period now, on request: it takes in everything up to and including
 *  this instant (periods are [start, end) in the store), so it ends a millisecond after now. */
export function closePeriodNow(s: Scope): Promise<StatementRecord> {
  return closePeriod(s, s.now + 1);
}

/** Closes the open statement period at `end` (its scheduled end, or just after now on request). */
async function closePeriod(s: Scope, end: number): Promise<StatementRecord> {
  const a = s.account;
  if (a.billing !== 'postpaid' || a.statementStart === null) {
    throw new LedgerError('not_supported', `account '${a.id}' is prepaid: it has no statement period to close`);
  }
  const start = a.statementStart;
  const lines = await s.tx.capturedUsage(a.id, start, end);
  const total = lines.reduce((sum, l) => sum + l.amount, 0n);
  const creditsApplied = await s.tx.creditsApplied(a.id, start, end);
  const due = await billedOverdraft(s);
  const st: StatementRecord = { id: s.newId('st'), accountId: a.id, periodStart: start, periodEnd: end, lines, total, creditsApplied, amountDue: due, closedAt: s.now };
  if (due > 0n) {
    if (!(await s.tx.adjustOverdraft(a.id, -due))) throw new Error(`overdraft of ${a.id} changed while closing its period`);
    s.account = { ...s.account, overdraftUsed: a.overdraftUsed - due };
    await s.tx.appendEntry({
      accountId: a.id, at: Math.min(end, s.now), kind: 'period_close', amount: due, moved: due, grantId: null, chargeId: null,
      memo: `statement ${st.id}: ${fromMinor(due, s.pack.decimals)} due`,
    });
  }
  await s.tx.insertStatement(st);
  await recordEvents(s, [{ type: 'statement.closed', data: { statement: statementView(st, s.pack.decimals) } }]);
  const next = statementEnd(end, s.zone);
  await s.tx.setStatementPeriod(a.id, end, next);
  s.account = { ...s.account, statementStart: end, statementEnd: next };
  return st;
}
