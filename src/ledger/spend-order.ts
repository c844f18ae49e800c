// Which grants a charge draws on, in the order the pack's policy says.
import type { SpendKey } from '../rules/ledger-policy.ts';
import type { GrantRecord } from './records.ts';

const compare: Record<SpendKey, (a: GrantRecord, b: GrantRecord) => number> = {
  // Never-expiring grants (expiresAt null) come after every expiring one.
  soonest_expiry: (a, b) => (a.expiresAt === b.expiresAt ? 0 : a.expiresAt === null ? 1 : b.expiresAt === null ? -1 : a.expiresAt - b.expiresAt),
  priority: (a, b) => a.priority - b.priority,
  oldest: (a, b) => a.effectiveAt - b.effectiveAt,
};

export function inSpendOrder(grants: GrantRecord[], order: SpendKey[]): GrantRecord[] {
  return [...grants].sort((a, b) => {
    for (const key of order) {
      const c = compare[key](a, b);
      if (c !== 0) return c;
    }
    return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

export interface DrawPlan {
  fromGrants: { grant: GrantRecord; amount: bigint }[];
  fromOverdraft: bigint;
}

/** How `amount` is covered, or undefined when grants and overdraft together fall short. */
export function planDraw(amount: bigint, ordered: GrantRecord[], overdraftRoom: bigint): DrawPlan | undefined {
  const fromGrants: DrawPlan['fromGrants'] = [];
  let left = amount;
  for (const grant of ordered) {
    if (left === 0n) break;
    const take = grant.remaining < left ? grant.remaining : left;
    if (take > 0n) fromGrants.push({ grant, amount: take });
    left -= take;
  }
  if (left > overdraftRoom) return undefined;
  return { fromGrants, fromOverdraft: left };
}
