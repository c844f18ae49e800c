import { hasErrors, loadWorkspace } from '../check/check-paths.ts';
import { plural, printDiagnostics } from './output.ts';

export function checkCommand(paths: string[]): void {
  const ws = loadWorkspace(paths);
  const { errors, warnings } = printDiagnostics(ws.diagnostics);
  const ops = ws.packs.reduce((n, p) => n + p.versions.reduce((m, v) => m + v.operations.size, 0), 0);
  const names = ws.packs.map((p) => p.decl.name).sort().join(', ');
  console.log(`${plural(ws.packs.length, 'pack')}${names ? ` (${names})` : ''}, ${plural(ops, 'operation')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  process.exitCode = hasErrors(ws.diagnostics) ? 1 : 0;
}
