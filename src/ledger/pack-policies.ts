// The engine as the ledger uses it: quotes, input names and each pack's ledger policy.
import type { Engine } from '../engine/index.ts';
import type { PricingEngine } from './pricing.ts';

export function withLedgerPolicies(engine: Engine): PricingEngine {
  // A pack with one version declares the same inputs at every time it is in force.
  const singleVersion = new Set(engine.packs().filter((p) => p.versions.length === 1).map((p) => p.name));
  const inputNames = new Map<string, string[]>();
  return {
    packs: () => engine.packs(),
    // engine.quote keeps one prepared quoter per operation: nothing to cache here.
    quote: (r) => engine.quote(r),
    checkedPack: (pack) => engine.checkedPack(pack),
    inputNames: (pack, operation) => {
      if (!singleVersion.has(pack)) return engine.inputNames(pack, operation);
      const key = `${pack}\u0000${operation}`;
      let names = inputNames.get(key);
      if (!names) {
        names = engine.inputNames(pack, operation);
        inputNames.set(key, names);
      }
      return names;
    },
    // Each pack's ledger.yaml was loaded and checked with the pack (Engine.load).
    ledgerPolicy: (pack) => engine.ledgerPolicy(pack),
  };
}
