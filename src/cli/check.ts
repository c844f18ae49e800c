import type { RuleError } from '../../grammar/diagnostic.ts';
import { hasErrors, type Workspace } from '../check/check-paths.ts';
import { checkPacks } from '../engine/check-packs.ts';
import { checkPackScenarios } from '../scenarios/check.ts';
import { plural, printDiagnostics, type CliIo } from './output.ts';

export interface CheckOptions {
  /** Also fail while an operation's result depends on an illustrative figure. */
  release?: boolean;
}

/** Everything `credits check` reports about the packs under `paths`, in no particular order. */
export function checkPaths(paths: string[], o: CheckOptions = {}): { ws: Workspace; diagnostics: RuleError[] } {
  return checkPacks(paths, { release: o.release, packChecks: [checkPackScenarios] });
}

/** Exit code: 1 when any pack has an error, else 0 (warnings alone pass). */
export function checkCommand(paths: string[], io: CliIo, o: CheckOptions = {}): number {
  const { ws, diagnostics } = checkPaths(paths, o);
  const { errors, warnings } = printDiagnostics(diagnostics, io);
  const ops = ws.packs.reduce((n, p) => n + p.versions.reduce((m, v) => m + v.operations.size, 0), 0);
  const names = ws.packs.map((p) => p.decl.name).sort().join(', ');
  io.out(`${plural(ws.packs.length, 'pack')}${names ? ` (${names})` : ''}, ${plural(ops, 'operation')} checked${o.release ? ' for release' : ''}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  return hasErrors(diagnostics) ? 1 : 0;
}
