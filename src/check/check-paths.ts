// Checks the packs under the paths a user names, as rules/workspace.ts finds and reads them:
// the one entry point shared by `credits check`, `credits test`, the engine and the server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RuleError } from '../../grammar/diagnostic.ts';
import { loadLedgerPolicy, type LedgerPolicy, type PackOperations } from '../rules/ledger-policy.ts';
import { displayPath, LEDGER_FILE } from '../rules/load-pack.ts';
import { loadPacks } from '../rules/workspace.ts';
import { checkPack } from './check-pack.ts';
import { amountsMayNotBeWhole } from './whole-amounts.ts';
import { unreadableFiles, withoutMissingNames } from './unreadable-files.ts';
import type { CheckedPack } from './model.ts';

export interface Workspace {
  packs: CheckedPack[];
  diagnostics: RuleError[];
  /** Packs with a rule file that couldn't be read as YAML: what it defines is missing from them. */
  incomplete: Set<CheckedPack>;
}

export function loadWorkspace(paths: string[]): Workspace {
  const { loaded, problems } = loadPacks(paths);
  const diagnostics = [...problems];
  const packs: CheckedPack[] = [];
  const incomplete = new Set<CheckedPack>();
  for (const read of loaded) {
    diagnostics.push(...read.diagnostics);
    // A pack whose files have YAML or schema errors is still checked (what could be read
    // of it), so one run reports every problem; the errors keep it from being compiled.
    if (!read.pack) continue;
    const checked = checkPack(read.pack);
    const unreadable = unreadableFiles(read.diagnostics);
    if (unreadable.length) incomplete.add(checked.pack);
    diagnostics.push(...withoutMissingNames(checked.diagnostics, unreadable));
    const ledger = checkLedgerFile(checked.pack);
    diagnostics.push(...ledger.errors);
    if (ledger.policy) {
      checked.pack.ledgerPolicy = ledger.policy;
      if (!ledger.policy.roundingDeclared) diagnostics.push(...amountsMayNotBeWhole(checked.pack, ledger.policy));
    }
    packs.push(checked.pack);
  }
  const names = new Map<string, string>();
  for (const p of packs) {
    const other = names.get(p.decl.name);
    if (other) diagnostics.push(new RuleError('duplicate-pack', `two packs are named '${p.decl.name}': ${other} and ${p.decl.dir}`, p.decl.loc.source, p.decl.loc.span));
    names.set(p.decl.name, p.decl.dir);
  }
  return { packs, diagnostics, incomplete };
}

/** The pack's ledger.yaml, checked against its schema and against the operations it names. */
function checkLedgerFile(pack: CheckedPack): { policy?: LedgerPolicy; errors: RuleError[] } {
  const path = join(pack.decl.dir, LEDGER_FILE);
  if (!existsSync(path)) return { errors: [] };
  const latest = pack.versions.reduce((a, b) => (b.decl.effective > a.decl.effective ? b : a));
  const operations: PackOperations = {};
  for (const [name, op] of latest.operations) operations[name] = { inputs: op.decl.inputs.map((i) => i.name), outputs: op.outputs };
  return loadLedgerPolicy(path, operations, displayPath(path));
}

export function hasErrors(diagnostics: RuleError[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
