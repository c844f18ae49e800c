// `credits check` on scenario files: the same loader as `credits test`, against the checked pack.
import type { RuleError } from '../../grammar/diagnostic.ts';
import type { CheckedPack } from '../check/model.ts';
import { checkScenarioFiles, type ScenarioPack } from './load.ts';

/** What the scenario loader checks a pack's files against: its operations' inputs in every version, its ledger policy. */
export function scenarioPackOf(pack: CheckedPack): ScenarioPack {
  const operations = new Map<string, string[]>();
  for (const v of pack.versions) {
    for (const [name, op] of v.operations) operations.set(name, [...new Set([...(operations.get(name) ?? []), ...op.decl.inputs.map((i) => i.name)])]);
  }
  const firstEffective = Math.min(...pack.versions.map((v) => v.decl.effective.getTime()));
  return { name: pack.decl.name, dir: pack.decl.dir, policy: pack.ledgerPolicy, firstEffective, operations };
}

export function checkPackScenarios(pack: CheckedPack): RuleError[] {
  return checkScenarioFiles(scenarioPackOf(pack));
}
