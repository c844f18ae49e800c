// Everything one ledger transaction works with: the locked account, its pack and policy.
import type { PackInfo } from '../engine/index.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';
import type { PricingEngine } from './pricing.ts';
import type { AccountRecord } from './records.ts';
import type { WriteTx } from './store/store.ts';

export interface Scope {
  tx: WriteTx;
  now: number;
  account: AccountRecord;
  pack: PackInfo;
  policy: LedgerPolicy;
  engine: PricingEngine;
  /** The zone days and months are counted in: the account's, or the pack's fixed one. */
  zone: string;
  /** ids.ts's newId: with an account, the id carries its affinity. */
  newId: (prefix: string, account?: string) => string;
}
