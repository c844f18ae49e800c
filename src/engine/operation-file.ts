// A pack's operations as its files say now: their descriptions, and which rule file defines
// each one with its text (what the playground's editor opens).
import { relative, resolve } from 'node:path';
import { RuleError } from '../../grammar/diagnostic.ts';
import { loadPack } from '../rules/load-pack.ts';
import { unknownOperation, versionInForce } from '../rules/version-in-force.ts';

export interface OperationFile {
  version: string;
  /** Relative to the pack's folder. */
  path: string;
  text: string;
}

/** The operations of the version in force at `at` (default now), with their descriptions. */
export function operationsInForce(dir: string, pack: string, at?: Date): { version: string; operations: { name: string; description: string | null }[] } {
  const version = versionInForce(pack, readPack(dir, pack).versions, (v) => v.effective, at);
  return { version: version.version, operations: version.operations.map((o) => ({ name: o.name, description: o.description ?? null })) };
}

function readPack(dir: string, pack: string) {
  const { pack: decl } = loadPack(dir);
  if (!decl) throw new RuleError('unknown-pack', `pack '${pack}' can't be read from ${dir}`, undefined, undefined, `run credits check ${dir} to see why`);
  return decl;
}

/** The file of the pack in folder `dir` that defines `operation` in the version in force at `at` (default now). */
export function operationFile(dir: string, pack: string, operation: string, at?: Date): OperationFile {
  const version = versionInForce(pack, readPack(dir, pack).versions, (v) => v.effective, at);
  const op = version.operations.find((o) => o.name === operation);
  if (!op) {
    throw unknownOperation(`pack '${pack}'`, version.version, operation, version.operations.map((o) => o.name));
  }
  // Diagnostics name files as displayPath does: relative to the working folder.
  const abs = resolve(op.loc.source.file);
  return { version: version.version, path: relative(dir, abs), text: op.loc.source.text };
}
