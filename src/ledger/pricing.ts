// What the ledger needs from the engine: pack metadata, quotes, input names and the pack's
// ledger policy. The quote and pack types are the engine's own; this interface only narrows
// the engine to the calls the ledger makes and adds the ledger policy (see pack-policies.ts).
import type { PackInfo, QuoteRequest, QuoteResult } from '../engine/index.ts';
import type { CheckedPack } from '../check/model.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';

export interface PricingEngine {
  packs(): PackInfo[];
  quote(request: QuoteRequest): QuoteResult;
  /** The operation's input names in the version in force now. */
  inputNames(pack: string, operation: string): readonly string[];
  ledgerPolicy(pack: string): LedgerPolicy | undefined;
  /** The pack as checked when the engine loaded it (its `source:` marks, for explanations). */
  checkedPack(pack: string): CheckedPack;
}
