// `credits export-jsonlogic <pack> <operation> [--at ISO]`: an operation as JSON Logic, on stdout.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RuleError } from '../../grammar/diagnostic.ts';
import { hasErrors, loadWorkspace } from '../check/check-paths.ts';
import type { CheckedPack, CheckedVersion } from '../check/model.ts';
import { exportJsonLogic, type JsonLogicExport } from '../compile/jsonlogic.ts';
import { didYouMean } from '../suggest.ts';
import { parseTime, printDiagnostics, usageError } from './output.ts';

/** A pack folder as given, or a pack name under ./rules. */
function packPath(pack: string): string {
  if (existsSync(pack)) return pack;
  const named = join('rules', pack);
  if (existsSync(named)) return named;
  const known = existsSync('rules') ? readdirSync('rules').filter((n) => existsSync(join('rules', n, 'pack.yaml'))) : [];
  throw new RuleError('unknown-pack', `unknown pack '${pack}': not a folder, nor a pack under rules/`, undefined, undefined,
    didYouMean(pack, known) ?? (known.length ? `packs: ${known.join(', ')}` : undefined));
}

function versionAt(pack: CheckedPack, at: Date): CheckedVersion {
  const inForce = pack.versions.filter((v) => v.decl.effective.getTime() <= at.getTime())
    .sort((a, b) => a.decl.effective.getTime() - b.decl.effective.getTime());
  const found = inForce[inForce.length - 1];
  if (!found) throw new RuleError('no-version-in-force', `pack '${pack.decl.name}' has no version in force at ${at.toISOString()}`);
  return found;
}

/** The export, or a RuleError naming what's unknown; undefined (diagnostics printed) when the pack has errors. */
function exportOf(pack: string, operation: string, at: Date): JsonLogicExport | undefined {
  const ws = loadWorkspace([packPath(pack)]);
  if (ws.packs.length > 1) throw new RuleError('not-a-pack', `${pack} holds ${ws.packs.length} packs; name one of them`);
  if (hasErrors(ws.diagnostics) || ws.packs.length === 0) {
    printDiagnostics(ws.diagnostics.filter((d) => d.severity === 'error'));
    return undefined;
  }
  const checked = ws.packs[0]!;
  const version = versionAt(checked, at);
  const op = version.operations.get(operation);
  if (!op) {
    throw new RuleError('unknown-operation', `pack '${checked.decl.name}' (version ${version.decl.version}) has no operation '${operation}'`, undefined, undefined,
      didYouMean(operation, version.operations.keys()) ?? `operations: ${[...version.operations.keys()].join(', ')}`);
  }
  return exportJsonLogic(op, { pack: checked.decl.name, version: version.decl.version, unit: checked.decl.unit });
}

export function exportJsonLogicCommand(pack: string, operation: string, o: { at?: string }): void {
  let at: Date;
  try {
    at = parseTime(o.at) ?? new Date();
  } catch (e) {
    usageError(e);
  }
  try {
    const exported = exportOf(pack, operation, at);
    if (exported) console.log(JSON.stringify(exported, null, 2));
    else process.exitCode = 1;
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    console.error(e.format());
    process.exitCode = 1;
  }
}
