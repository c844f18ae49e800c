import { hasErrors, loadWorkspace } from '../check/check-paths.ts';
import { compileAll, PackErrors } from '../engine/engine.ts';
import { plural, printDiagnostics } from './output.ts';

export function checkCommand(paths: string[]): void {
  const ws = loadWorkspace(paths);
  const diagnostics = [...ws.diagnostics];
  // A pack that checks clean is also compiled: that computes its shared cells, which can fail.
  if (!hasErrors(diagnostics)) {
    try {
      compileAll(ws.packs);
    } catch (e) {
      if (!(e instanceof PackErrors)) throw e;
      diagnostics.push(...e.diagnostics);
    }
  }
  const { errors, warnings } = printDiagnostics(diagnostics);
  const ops = ws.packs.reduce((n, p) => n + p.versions.reduce((m, v) => m + v.operations.size, 0), 0);
  const names = ws.packs.map((p) => p.decl.name).sort().join(', ');
  console.log(`${plural(ws.packs.length, 'pack')}${names ? ` (${names})` : ''}, ${plural(ops, 'operation')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  process.exitCode = hasErrors(diagnostics) ? 1 : 0;
}
