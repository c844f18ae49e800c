// Finds a side of a diff as the user names it: a pack folder (`rules/pixai`), one version of
// it (`rules/pixai@2026.1`, or `@2` for the second version), or a pack folder at a git
// revision (`HEAD~1:rules/pixai`), written out of git into a temporary folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { RuleError } from '../../grammar/diagnostic.ts';
import { Engine, PackErrors } from '../engine/index.ts';
import { pinned, sideOf, type PackSide } from './pack-side.ts';

export interface LoadedSide {
  side: PackSide;
  /** The operations of every version. */
  operations: Set<string>;
  /** Removes what loading made (a git revision's temporary folder). */
  cleanup(): void;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** Splits `path@version`; a folder whose own name holds an '@' is taken whole. */
function splitVersion(spec: string, cwd: string): { path: string; version?: string } {
  const at = spec.lastIndexOf('@');
  if (at <= 0 || spec.slice(at).includes('/') || isDir(resolve(cwd, spec))) return { path: spec };
  return { path: spec.slice(0, at), version: spec.slice(at + 1) };
}

export function loadSide(spec: string, cwd = process.cwd()): LoadedSide {
  const { path, version } = splitVersion(spec, cwd);
  const git = /^([^:]+):(.+)$/.exec(path);
  let dir = resolve(cwd, path);
  let cleanup = () => {};
  let named = (e: PackErrors) => e;
  if (git && !isDir(dir)) {
    const out = fromGit(git[1]!, git[2]!, cwd);
    dir = out.dir;
    cleanup = out.cleanup;
    named = (e) => new PackErrors(e.diagnostics.map((d) => renamed(d, out.dir, path)));
  } else if (!isDir(dir)) {
    throw new RuleError('no-pack', `${spec}: no such pack folder`, undefined, undefined,
      'give a pack folder (rules/pixai), a version of it (rules/pixai@2026.1) or a git revision of it (HEAD~1:rules/pixai)');
  }
  try {
    const engine = Engine.load(dir);
    const packs = engine.packs();
    if (packs.length !== 1) {
      throw new RuleError('not-one-pack', `${spec} holds ${packs.length} packs${packs.length ? ` (${packs.map((p) => p.name).join(', ')})` : ''}`, undefined, undefined,
        'give one pack folder, e.g. rules/pixai');
    }
    const info = packs[0]!;
    const side = sideOf(engine, info.name, spec);
    const operations = new Set(info.versions.flatMap((v) => [...engine.version(info.name, new Date(v.effective)).operations.keys()]));
    return { side: version === undefined ? side : pinned(side, version), operations, cleanup };
  } catch (e) {
    cleanup();
    throw e instanceof PackErrors ? named(e) : e;
  }
}

/** A diagnostic of a revision's temporary copy, naming the file as `rev:path/file`. */
function renamed(d: RuleError, dir: string, label: string): RuleError {
  if (!d.source || !resolve(d.source.file).startsWith(dir)) return d;
  const file = `${label}/${relative(dir, resolve(d.source.file)).split('\\').join('/')}`;
  return new RuleError(d.code, d.message, { ...d.source, file }, d.span, d.hint, d.severity);
}

function git(args: string[], cwd: string): Buffer {
  return execFileSync('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Writes the folder `path` as it is at `rev` into a temporary folder. */
function fromGit(rev: string, path: string, cwd: string): { dir: string; cleanup: () => void } {
  const target = resolve(cwd, path);
  // The folder may be gone from the working tree; git is asked from its nearest existing parent.
  let near = target;
  while (!isDir(near) && dirname(near) !== near) near = dirname(near);
  let top: string;
  try {
    top = git(['rev-parse', '--show-toplevel'], near).toString().trim();
  } catch {
    throw new RuleError('not-in-git', `${rev}:${path}: ${near} is not in a git repository`, undefined, undefined, `a revision can only be read from a git repository; give the pack folder itself (${path}) to compare it as it is`);
  }
  try {
    git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], top);
  } catch {
    throw new RuleError('unknown-revision', `${rev}:${path}: unknown git revision '${rev}'`, undefined, undefined, 'e.g. HEAD, HEAD~1, main, a tag or a commit id');
  }
  const rel = relative(top, target).split('\\').join('/');
  const files = git(['ls-tree', '-r', '-z', '--name-only', rev, '--', rel || '.'], top).toString().split('\0').filter(Boolean);
  if (files.length === 0) throw new RuleError('no-pack', `${rev}:${path}: revision ${rev} has no folder '${rel}'`, undefined, undefined, `see which folders it has with: git ls-tree --name-only ${rev} -- ${dirname(rel) === '.' ? '.' : `${dirname(rel)}/`}`);
  const tmp = mkdtempSync(join(tmpdir(), 'credits-diff-'));
  const dir = join(tmp, basename(target));
  try {
    for (const f of files) {
      const to = join(dir, relative(rel, f));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, git(['cat-file', 'blob', `${rev}:${f}`], top));
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}
