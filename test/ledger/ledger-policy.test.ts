import { describe, expect, it } from 'vitest';
import { parseLedgerPolicy, type PackOperations } from '../../src/rules/ledger-policy.ts';
import { packs } from './harness.ts';

const operations: PackOperations = {
  generate: { inputs: ['tool', 'seconds'], outputs: ['cost'] },
  refund: { inputs: ['outcome', 'charged'], outputs: ['refund'] },
};

const cases: { name: string; yaml: string; want: string[] }[] = [
  {
    name: 'a field the schema does not know',
    yaml: 'grant_kinds:\n  daily: { expires: end_of_day, priority: 1, rolover: none }\nspend_order: [priority]\ncharges: { generate: cost }\n',
    want: ["ledger.yaml:2:46: error: unknown field 'rolover' in grant kind 'daily' of ledger.yaml"],
  },
  {
    name: 'an unknown spend order key',
    yaml: 'grant_kinds:\n  daily: { expires: end_of_day, priority: 1 }\nspend_order: [cheapest]\ncharges: { generate: cost }\n',
    want: ["ledger.yaml:3:15: error: the 1st spend_order entry of ledger.yaml must be one of \"soonest_expiry\", \"priority\", \"oldest\""],
  },
  {
    name: 'an unknown operation, output and grant kind',
    yaml: 'grant_kinds:\n  daily: { expires: end_of_day, priority: 1 }\nspend_order: [priority]\ncharges: { generat: cost, generate: price }\n'
      + 'daily_claim:\n  operation: generate\n  grants:\n    - { kind: dayly, output: cost }\n',
    want: [
      "ledger.yaml:4:12: error: unknown operation 'generat'",
      "ledger.yaml:4:37: error: operation 'generate' has no output 'price'",
      "ledger.yaml:8:15: error: unknown grant kind 'dayly'",
    ],
  },
  {
    name: 'usage inputs the operation lacks, that come from the account, or of an operation not charged',
    yaml: 'grant_kinds:\n  daily: { expires: end_of_day, priority: 1 }\nspend_order: [priority]\ncharges: { generate: cost }\n'
      + 'account_inputs: { tool: plan }\nusage_inputs:\n  generate: [secs, tool]\n  refund: [charged]\n',
    want: [
      "ledger.yaml:7:14: error: operation 'generate' has no input 'secs'",
      "ledger.yaml:7:20: error: 'tool' comes from the account, so a capture's usage cannot set it",
      "ledger.yaml:8:3: error: 'refund' is not in charges, so it has no captures to take usage",
    ],
  },
];

describe('ledger.yaml', () => {
  it.each(cases)('reports $name with file:line:col', ({ yaml, want }) => {
    const { policy, errors } = parseLedgerPolicy(yaml, 'ledger.yaml', operations);
    expect(policy).toBeUndefined();
    expect(errors.map((e) => e.format().split('\n')[0])).toEqual(want);
  });

  it('gives a did-you-mean for a misspelt grant kind', () => {
    const { errors } = parseLedgerPolicy(cases[2]!.yaml, 'ledger.yaml', operations);
    expect(errors[2]!.format()).toContain('did you mean "daily"?');
  });

  it('loads the four bundled packs\' policies', () => {
    const engine = packs();
    for (const name of ['pixai', 'picsart', 'modelpix', 'pixelflow']) expect(engine.ledgerPolicy(name), name).toBeDefined();
    const modelpix = engine.ledgerPolicy('modelpix')!;
    expect(modelpix.expiredGrantCredit).toEqual({ action: 'reissue', kind: 'refund' });
    expect(engine.ledgerPolicy('picsart')!.grantKinds.get('subscription')).toMatchObject({ expires: { kind: 'end_of_period' }, rollover: 'none' });
    expect(modelpix.usageInputs.get('generate')).toEqual(['seconds']);
    expect(engine.ledgerPolicy('pixelflow')!.usageInputs.get('run_model')).toEqual(['gpu_seconds']);
    expect(engine.ledgerPolicy('pixai')!.usageInputs.size).toBe(0);
  });
});
