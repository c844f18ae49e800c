// What `credits check` reports about the packs under some paths: the one pipeline behind the
// CLI (src/cli/check.ts) and POST /v1/check (check-edited.ts, the same over edited text).
import type { RuleError } from '../../grammar/diagnostic.ts';
import { checkPackCases } from '../check/check-cases.ts';
import { hasErrors, loadWorkspace, type Workspace } from '../check/check-paths.ts';
import type { CheckedPack } from '../check/model.ts';
import { checkProvenance, releaseProblems, unmarkedFigures } from '../check/provenance.ts';
import type { CompiledPack } from '../compile/compile-pack.ts';
import { compileAll, PackErrors } from './engine.ts';

export interface CheckPacksOptions {
  /** Also fail while an operation's result depends on an illustrative figure. */
  release?: boolean;
  /**
   * Checks of a layer above this one, run beside the regression cases on each pack whose
   * files could all be read: the ledger scenarios (src/scenarios/check.ts).
   */
  packChecks?: readonly ((pack: CheckedPack) => RuleError[])[];
}

export interface PacksCheck {
  ws: Workspace;
  /** In no particular order. */
  diagnostics: RuleError[];
  /** The packs compiled, when they check clean. */
  compiled?: CompiledPack[];
}

export function checkPacks(paths: string[], o: CheckPacksOptions = {}): PacksCheck {
  const ws = loadWorkspace(paths);
  const diagnostics = [...ws.diagnostics];
  // A pack missing a rule file's definitions would make its cases' names look unknown.
  for (const p of ws.packs) if (!ws.incomplete.has(p)) diagnostics.push(...checkPackCases(p), ...(o.packChecks ?? []).flatMap((check) => check(p)));
  for (const p of ws.packs) diagnostics.push(...checkProvenance(p), ...(o.release ? [...releaseProblems(p), ...unmarkedFigures(p)] : []));
  if (hasErrors(diagnostics)) return { ws, diagnostics };
  // A pack that checks clean is also compiled: that computes its shared cells, which can fail.
  try {
    return { ws, diagnostics, compiled: compileAll(ws.packs) };
  } catch (e) {
    if (!(e instanceof PackErrors)) throw e;
    return { ws, diagnostics: [...diagnostics, ...e.diagnostics] };
  }
}
