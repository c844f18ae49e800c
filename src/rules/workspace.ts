// Finds the packs under the paths a user names and reads each one. Checking them is the
// checker's part (check/check-paths.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RuleError } from '../../grammar/diagnostic.ts';
import { isPackDir, loadPack, type LoadResult } from './load-pack.ts';

/** Pack folders at or directly under each path. */
export function findPackDirs(paths: string[]): { dirs: string[]; problems: RuleError[] } {
  const dirs: string[] = [];
  const problems: RuleError[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) {
      problems.push(new RuleError('not-found', `${p}: no such file or folder`));
      continue;
    }
    if (!statSync(abs).isDirectory()) {
      problems.push(new RuleError('not-a-pack', `${p}: not a folder; give a pack folder (with pack.yaml) or a folder of packs`));
      continue;
    }
    if (isPackDir(abs)) dirs.push(abs);
    else {
      const subs = readdirSync(abs).sort().map((n) => join(abs, n)).filter((d) => statSync(d).isDirectory() && isPackDir(d));
      if (subs.length === 0) problems.push(new RuleError('not-a-pack', `${p}: no pack here (a pack is a folder with pack.yaml)`));
      dirs.push(...subs);
    }
  }
  return { dirs: [...new Set(dirs)], problems };
}

/** Every pack at or under the paths, read but not checked, in folder order; `problems` are the paths' own. */
export function loadPacks(paths: string[]): { loaded: LoadResult[]; problems: RuleError[] } {
  const { dirs, problems } = findPackDirs(paths);
  return { loaded: dirs.map(loadPack), problems };
}
