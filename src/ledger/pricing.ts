// What the ledger needs from the engine: pack metadata, quotes, input names and the pack's
// ledger policy. The engine facade (src/engine) satisfies it.
import type { LedgerPolicy } from '../rules/ledger-policy.ts';
import type { Value } from '../value.ts';

export interface PackInfo {
  name: string;
  title?: string;
  unit: 'credits' | 'usd';
  decimals: number;
  versions: { version: string; effective: string }[];
  operations: string[];
}

export interface QuoteRequest {
  pack: string;
  operation: string;
  input: Record<string, unknown>;
  at?: Date;
  explain?: boolean;
}

export interface QuoteResult {
  pack: string;
  operation: string;
  version: string;
  outputs: Record<string, Value>;
  rejections: { code?: string; message: string }[];
  trace?: { name: string; formula?: string; value: Value }[];
}

export interface PricingEngine {
  packs(): PackInfo[];
  quote(request: QuoteRequest): QuoteResult;
  inputNames(pack: string, operation: string): readonly string[];
  ledgerPolicy(pack: string): LedgerPolicy | undefined;
}
