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
  {
    name: 'a rollover cap naming what the ledger does not bind, and plans the pack lacks',
    yaml: 'grant_kinds:\n  sub: { expires: end_of_period, priority: 1, rollover: { max: "MIN(alowance, 5000)" } }\nspend_order: [priority]\ncharges: { generate: cost }\n'
      + 'plans:\n  names: [free, pro]\n  default: free\n  fixed_term: [pr]\n  allowance: { grants: [{ kind: sub, input: credits }] }\n'
      + 'billing: { postpaid_overdraft_limit: { pro: unlimited, gold: "5" } }\n',
    want: [
      "ledger.yaml:2:64: error: unknown name 'alowance' in rollover.max",
      "ledger.yaml:8:16: error: unknown plan 'pr'",
      "ledger.yaml:10:56: error: unknown plan 'gold'",
    ],
  },
  {
    name: 'a plan change, refund usage and held-credit policy naming what the pack lacks',
    yaml: 'grant_kinds:\n  sub: { expires: never, priority: 1 }\nspend_order: [priority]\ncharges: { generate: cost }\n'
      + 'plans:\n  names: [free, pro]\n  default: free\n  downgrade: { operation: generate, from_input: tool, to_input: seconds, take_back: [{ kind: sb, output: costs }] }\n'
      + 'refund: { operation: refund, output: refund, outcome_input: outcome, charged_input: charged, usage_inputs: { seconds: delivered } }\n'
      + 'held_credits: { release_after_expiry: { reissue_as: refnd } }\n',
    want: [
      "ledger.yaml:10:53: error: unknown grant kind 'refnd'",
      "ledger.yaml:9:119: error: operation 'refund' has no input 'delivered'",
      "ledger.yaml:8:94: error: unknown grant kind 'sb'",
      "ledger.yaml:8:106: error: operation 'generate' has no output 'costs'",
    ],
  },
  {
    name: 'a plan change effective at the period end that would grant credits',
    yaml: 'grant_kinds:\n  sub: { expires: never, priority: 1 }\nspend_order: [priority]\ncharges: { generate: cost }\n'
      + 'plans:\n  names: [free, pro]\n  default: free\n  downgrade: { operation: generate, from_input: tool, to_input: seconds, grants: [{ kind: sub, output: cost }], effective: period_end }\n',
    want: ["ledger.yaml:8:124: error: a downgrade effective at the period's end grants and takes back nothing"],
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
