import type { RuleError } from '../../grammar/diagnostic.ts';
import { checkPackCases } from '../check/check-cases.ts';
import { hasErrors, loadWorkspace, type Workspace } from '../check/check-paths.ts';
import { compileAll, PackErrors } from '../engine/engine.ts';
import { plural, printDiagnostics, type CliIo } from './output.ts';

/** Everything `credits check` reports about the packs under `paths`, in no particular order. */
export function checkPaths(paths: string[]): { ws: Workspace; diagnostics: RuleError[] } {
  const ws = loadWorkspace(paths);
  const diagnostics = [...ws.diagnostics];
  // A pack missing a rule file's definitions would make its cases' names look unknown.
  for (const p of ws.packs) if (!ws.incomplete.has(p)) diagnostics.push(...checkPackCases(p));
  // A pack that checks clean is also compiled: that computes its shared cells, which can fail.
  if (!hasErrors(diagnostics)) {
    try {
      compileAll(ws.packs);
    } catch (e) {
      if (!(e instanceof PackErrors)) throw e;
      diagnostics.push(...e.diagnostics);
    }
  }
  return { ws, diagnostics };
}

/** Exit code: 1 when any pack has an error, else 0 (warnings alone pass). */
export function checkCommand(paths: string[], io: CliIo): number {
  const { ws, diagnostics } = checkPaths(paths);
  const { errors, warnings } = printDiagnostics(diagnostics, io);
  const ops = ws.packs.reduce((n, p) => n + p.versions.reduce((m, v) => m + v.operations.size, 0), 0);
  const names = ws.packs.map((p) => p.decl.name).sort().join(', ');
  io.out(`${plural(ws.packs.length, 'pack')}${names ? ` (${names})` : ''}, ${plural(ops, 'operation')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  return hasErrors(diagnostics) ? 1 : 0;
}
