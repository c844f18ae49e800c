// Joins the engine with each pack's ledger.yaml: the PricingEngine the ledger runs on.
// Policies are checked against the pack's operations, inputs and outputs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine/index.ts';
import { PackErrors } from '../engine/index.ts';
import { loadLedgerPolicy, type LedgerPolicy, type PackOperations } from '../rules/ledger-policy.ts';
import type { PricingEngine } from './pricing.ts';

export function withLedgerPolicies(engine: Engine): PricingEngine {
  const policies = new Map<string, LedgerPolicy>();
  for (const pack of engine.packs()) {
    const path = join(pack.dir, 'ledger.yaml');
    if (!existsSync(path)) continue;
    const operations: PackOperations = {};
    for (const name of pack.operations) {
      const { op } = engine.operation(pack.name, name);
      operations[name] = { inputs: op.inputs.map((i) => i.name), outputs: [...op.outputs] };
    }
    const { policy, errors } = loadLedgerPolicy(path, operations);
    if (!policy) throw new PackErrors(errors);
    policies.set(pack.name, policy);
  }
  return {
    packs: () => engine.packs(),
    quote: (r) => engine.quote(r),
    inputNames: (pack, operation) => engine.inputNames(pack, operation),
    ledgerPolicy: (pack) => policies.get(pack),
  };
}
