// A pack as uploaded for an impact diff: the live pack's folder with some files' text
// replaced or added, loaded from a temporary copy (nothing of the live folder is written).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { RuleError } from '../../grammar/diagnostic.ts';
import { Engine, PackErrors } from '../engine/index.ts';

export interface UploadedFile {
  /** Relative to the pack's folder, e.g. `generate_image.yaml` or `v2/render.yaml`. */
  path: string;
  text: string;
}

/** Why `path` can't be uploaded into a pack folder, or undefined. */
export function notAnUploadPath(path: string): string | undefined {
  const rel = relative('/pack', resolve('/pack', path));
  if (isAbsolute(path) || rel === '' || rel.startsWith('..')) return `'${path}' is not a path inside the pack's folder; give it relative to the folder, e.g. 'generate_image.yaml'`;
  if (!/\.(ya?ml|csv)$/.test(path)) return `'${path}' is not a rule file: a pack's files end in .yaml, .yml or .csv`;
  return undefined;
}

export type UploadedPack =
  | { engine: Engine; cleanup(): void }
  /** The rules have errors; `folder` is where they were loaded from, to show their files relative to it. */
  | { errors: RuleError[]; folder: string };

/** Loads the pack at `dir` with `files` written over it. */
export function loadUploadedPack(dir: string, files: readonly UploadedFile[]): UploadedPack {
  const tmp = mkdtempSync(join(tmpdir(), 'credits-impact-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const folder = join(tmp, basename(dir));
    cpSync(dir, folder, { recursive: true });
    for (const f of files) {
      const to = join(folder, f.path);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, f.text);
    }
    try {
      return { engine: Engine.load(folder), cleanup };
    } catch (e) {
      if (!(e instanceof PackErrors)) throw e;
      cleanup();
      return { errors: e.diagnostics, folder };
    }
  } catch (e) {
    cleanup();
    throw e;
  }
}
