// `credits check --watch` / `credits test --watch`: a change under the watched folder runs the
// command again in the same process. The tests wait for the runs themselves, never for a set
// time: a watcher that stops seeing changes hangs the run until vitest's hung-run limit.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { checkCommand } from '../../src/cli/check.ts';
import { watchPaths } from '../../src/cli/watch.ts';

/** A command that records its exit codes; `until(p)` resolves once a run leaves `p` true. */
function recorded(command: () => number) {
  const codes: number[] = [];
  let waiting: { holds: () => boolean; resolve: () => void } | undefined;
  return {
    codes,
    run(): number {
      const code = command();
      codes.push(code);
      if (waiting?.holds()) waiting.resolve();
      return code;
    },
    until(holds: () => boolean): Promise<void> {
      return holds() ? Promise.resolve() : new Promise((resolve) => { waiting = { holds, resolve }; });
    },
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test('a saved mistake is reported by the next run, and its fix by the one after', async () => {
  const pack = mkdtempSync(join(tmpdir(), 'credits-watch-'));
  dirs.push(pack);
  cpSync('test/fixtures/arith', pack, { recursive: true });
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  const stop = new AbortController();
  const runs = recorded(() => checkCommand([pack], io));
  const watching = watchPaths([pack], io, runs.run, { signal: stop.signal });
  expect(runs.codes).toEqual([0]);

  const file = join(pack, 'price.yaml');
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, good.replace('rate: 1.5', 'rate: 1.5 +'));
  await runs.until(() => runs.codes.at(-1) === 1);
  expect(out.join('\n')).toContain('price.yaml');

  writeFileSync(file, good);
  await runs.until(() => runs.codes.length > 2 && runs.codes.at(-1) === 0);
  expect(out.join('\n')).toMatch(/— changed: \S*price\.yaml; running again —/);

  stop.abort();
  expect(await watching).toBe(0);
});

test('a file in a subfolder saved by renaming a new file over it (as editors and sed -i do) is seen every time', async () => {
  const pack = mkdtempSync(join(tmpdir(), 'credits-watch-'));
  dirs.push(pack);
  cpSync('test/fixtures/failing-cases', pack, { recursive: true });
  const io = { out: () => {}, err: () => {} };
  const stop = new AbortController();
  const runs = recorded(() => 0);
  const watching = watchPaths([pack], io, runs.run, { signal: stop.signal });
  const file = join(pack, 'tests', 'cases.yaml');
  for (let save = 1; save <= 3; save++) {
    const temporary = join(pack, 'tests', `.cases.yaml.${save}`);
    writeFileSync(temporary, `${readFileSync(file, 'utf8')}\n`);
    renameSync(temporary, file);
    await runs.until(() => runs.codes.length >= 1 + save);
  }
  stop.abort();
  await watching;
});

test('a path that does not exist is a usage error, not a crash', () => {
  expect(() => watchPaths(['no/such/folder'], { out: () => {}, err: () => {} }, () => 0)).toThrow(/cannot watch 'no\/such\/folder'/);
});
