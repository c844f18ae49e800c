// Joins the engine with each pack's ledger.yaml: the PricingEngine the ledger runs on.
// Policies are checked against the pack's operations, inputs and outputs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, PreparedQuote } from '../engine/index.ts';
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
  // The ledger prices the same few operations over and over: each is resolved once
  // (engine.prepare) and then only picks the version in force. Only operations that exist
  // are kept, so the caches stay as small as the packs.
  const prepared = new Map<string, PreparedQuote>();
  const quoter = (pack: string, operation: string): PreparedQuote => {
    const key = `${pack}\u0000${operation}`;
    let p = prepared.get(key);
    if (!p) {
      p = engine.prepare(pack, operation);
      prepared.set(key, p);
    }
    return p;
  };
  // A pack with one version declares the same inputs at every time it is in force.
  const singleVersion = new Set(engine.packs().filter((p) => p.versions.length === 1).map((p) => p.name));
  const inputNames = new Map<string, string[]>();
  return {
    packs: () => engine.packs(),
    quote: (r) => quoter(r.pack, r.operation).quote(r.input, r),
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
    ledgerPolicy: (pack) => policies.get(pack),
  };
}
