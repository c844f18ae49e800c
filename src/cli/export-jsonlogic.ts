// `credits export-jsonlogic <pack> <operation> [--at ISO]`: an operation as JSON Logic, on stdout.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RuleError } from '../../grammar/diagnostic.ts';
import { hasErrors, loadWorkspace } from '../check/check-paths.ts';
import { exportJsonLogic, type JsonLogicExport } from '../compile/jsonlogic.ts';
import { versionInForce } from '../rules/version-in-force.ts';
import { didYouMean } from '../suggest.ts';
import { parseTime, printDiagnostics, type CliIo } from './output.ts';

/** A pack folder as given, or a pack name under ./rules. */
function packPath(pack: string): string {
  if (existsSync(pack)) return pack;
  const named = join('rules', pack);
  if (existsSync(named)) return named;
  const known = existsSync('rules') ? readdirSync('rules').filter((n) => existsSync(join('rules', n, 'pack.yaml'))) : [];
  throw new RuleError('unknown-pack', `unknown pack '${pack}': not a folder, nor a pack under rules/`, undefined, undefined,
    didYouMean(pack, known) ?? (known.length ? `packs: ${known.join(', ')}` : undefined));
}

/** The export, or a RuleError naming what's unknown; undefined (diagnostics printed) when the pack has errors. */
function exportOf(pack: string, operation: string, at: Date, io: CliIo): JsonLogicExport | undefined {
  const ws = loadWorkspace([packPath(pack)]);
  if (ws.packs.length > 1) throw new RuleError('not-a-pack', `${pack} holds ${ws.packs.length} packs; name one of them`);
  if (hasErrors(ws.diagnostics) || ws.packs.length === 0) {
    printDiagnostics(ws.diagnostics.filter((d) => d.severity === 'error'), io);
    return undefined;
  }
  const checked = ws.packs[0]!;
  const version = versionInForce(checked.decl.name, checked.versions, (v) => v.decl.effective, at);
  const op = version.operations.get(operation);
  if (!op) {
    throw new RuleError('unknown-operation', `pack '${checked.decl.name}' (version ${version.decl.version}) has no operation '${operation}'`, undefined, undefined,
      didYouMean(operation, version.operations.keys()) ?? `operations: ${[...version.operations.keys()].join(', ')}`);
  }
  return exportJsonLogic(op, { pack: checked.decl.name, version: version.decl.version, unit: checked.decl.unit });
}

export function exportJsonLogicCommand(pack: string, operation: string, o: { at?: string }, io: CliIo): number {
  const at = parseTime(o.at) ?? new Date();
  const exported = exportOf(pack, operation, at, io);
  if (!exported) return 1;
  io.out(JSON.stringify(exported, null, 2));
  return 0;
}
