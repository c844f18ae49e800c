// `credits check` on a pack whose files' text is given in memory (the playground's editor):
// the same diagnostics, nothing written, and the edited pack compiled so it can be quoted.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { RuleError } from '../../grammar/diagnostic.ts';
import type { CompiledPack } from '../compile/compile-pack.ts';
import { withFileOverlay } from '../rules/file-overlay.ts';
import { checkPacks, type CheckPacksOptions } from './check-packs.ts';
import type { QuoteResult } from './engine.ts';
import { unknownOperation, versionInForce } from '../rules/version-in-force.ts';

export interface EditedFile {
  /** Relative to the pack's folder, e.g. `generate_image.yaml`. */
  path: string;
  text: string;
}

export interface EditedPackCheck {
  diagnostics: RuleError[];
  /** The edited pack, when it has no errors. */
  compiled?: CompiledPack;
}

/** Why `path` can't be edited in pack folder `dir`, or undefined when it is one of the pack's files. */
export function notAPackFile(dir: string, path: string): string | undefined {
  const abs = resolve(dir, path);
  const rel = relative(dir, abs);
  if (isAbsolute(path) || rel.startsWith('..') || rel === '') return `'${path}' is not a path inside the pack's folder; give it relative to the folder, e.g. 'pack.yaml'`;
  if (!existsSync(abs) || !statSync(abs).isFile()) return `the pack has no file '${path}'; only its existing files can be edited`;
  return undefined;
}

/** checkPacks (what `credits check` reports) on pack folder `dir`, with these files' text in place of theirs. */
export function checkEditedPack(dir: string, files: readonly EditedFile[], o: CheckPacksOptions = {}): EditedPackCheck {
  const overlay = new Map(files.map((f) => [resolve(dir, f.path), f.text]));
  return withFileOverlay(overlay, () => {
    const { diagnostics, compiled } = checkPacks([dir], o);
    return { diagnostics, compiled: compiled?.[0] };
  });
}

/** A quote of a compiled pack's operation, with its trace; throws RuleError as the engine does. */
export function quoteCompiled(compiled: CompiledPack, operation: string, input: Record<string, unknown>, at?: Date): QuoteResult {
  const pack = compiled.pack.decl.name;
  const version = versionInForce(pack, compiled.versions, (v) => v.effective, at);
  const op = version.operations.get(operation);
  if (!op) {
    throw unknownOperation(`the edited pack '${pack}'`, version.version, operation, version.operations.keys());
  }
  const r = op.evaluate(input, { trace: true });
  return { pack, operation, version: version.version, unit: compiled.pack.decl.unit, outputs: r.outputs, rejections: r.rejections, trace: r.trace };
}
