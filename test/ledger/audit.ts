// The auditor's check, shared by the ledger tests: every balance rebuilt from the log.
import { expect } from 'vitest';
import { Decimal } from '../../src/decimal.ts';
import type { Ledger } from '../../src/ledger/ledger.ts';

/**
 * Rebuilds every grant's remaining and the overdraft from the entry log (balance changes
 * summed per grant), and checks what an auditor sums per kind (amounts moved) against the
 * grants and charges: granted, reserved, captured, returned, refunded; and the running usage
 * totals against a count of the charges.
 */
export async function auditLog(ledger: Ledger, accountId: string): Promise<void> {
  const { entries } = await ledger.entries(accountId, 0, 10_000);
  const sum = (es: typeof entries, field: 'amount' | 'balance_change' = 'amount') => es.reduce((s, e) => s.plus(e[field]), new Decimal(0)).toFixed();
  const grants = await ledger.grants(accountId);
  for (const g of grants) {
    const own = entries.filter((e) => e.grant === g.id);
    expect(sum(own, 'balance_change'), `grant ${g.id} rebuilt from the log`).toBe(g.remaining);
    expect(sum(own.filter((e) => e.kind === 'grant')), `grant ${g.id} granted`).toBe(g.amount);
  }
  const account = await ledger.account(accountId);
  const owed = entries.filter((e) => e.grant === null).reduce((s, e) => s.minus(e.balance_change), new Decimal(0));
  expect(owed.toFixed()).toBe(account.overdraft_used);
  // Expiries are entries too: the whole log sums to the balance.
  expect(sum(entries, 'balance_change'), `the log of ${accountId} sums to its balance`).toBe(account.balance);
  for (const e of entries) {
    expect(new Decimal(e.amount).isNegative(), `entry ${e.seq} moved a negative amount`).toBe(false);
    expect([e.amount, `-${e.amount}`, '0'], `entry ${e.seq} changes a balance by what it moved, or nothing`).toContain(e.balance_change);
  }
  // The running usage totals (usage_counters) count what the charges say, bucket by bucket.
  expect(await ledger.store.read((tx) => tx.usageDrift(accountId)), `usage counters of ${accountId}`).toEqual([]);
  for (const id of new Set(entries.flatMap((e) => (e.charge ? [e.charge] : [])))) {
    const c = await ledger.charge(id);
    const of = (...kinds: string[]) => sum(entries.filter((e) => e.charge === id && kinds.includes(e.kind)));
    expect(of('hold'), `${id} reserved`).toBe(c.held);
    expect(of('refund'), `${id} refunded`).toBe(c.refunded);
    if (c.status === 'captured') {
      expect(of('capture'), `${id} captured`).toBe(c.captured);
      expect(new Decimal(of('hold', 'capture_extra')).minus(of('capture_return')).toFixed(), `${id} reserved = captured + returned`).toBe(c.captured);
    } else if (c.status !== 'held') {
      expect(of('capture'), `${id} captured nothing`).toBe('0');
      expect(of('release', 'hold_expired'), `${id} returned`).toBe(c.held);
    }
  }
}

