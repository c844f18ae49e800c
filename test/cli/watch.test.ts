// `credits check --watch` / `credits test --watch`: a change under the watched folder runs the
// command again in the same process. The test waits for file events, never for a set time.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { checkCommand } from '../../src/cli/check.ts';
import { watchPaths } from '../../src/cli/watch.ts';

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
  const runs: number[] = [];
  const watching = watchPaths([pack], io, () => {
    const code = checkCommand([pack], io);
    runs.push(code);
    return code;
  }, { signal: stop.signal });
  expect(runs).toEqual([0]);

  const file = join(pack, 'price.yaml');
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, good.replace('rate: 1.5', 'rate: 1.5 +'));
  await vi.waitFor(() => expect(runs.at(-1)).toBe(1), { timeout: 120_000, interval: 20 });
  expect(out.join('\n')).toContain('price.yaml');

  writeFileSync(file, good);
  await vi.waitFor(() => expect(runs.at(-1)).toBe(0), { timeout: 120_000, interval: 20 });
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
  let runs = 0;
  const watching = watchPaths([pack], io, () => { runs++; return 0; }, { signal: stop.signal });
  const file = join(pack, 'tests', 'cases.yaml');
  for (let save = 1; save <= 3; save++) {
    const temporary = join(pack, 'tests', `.cases.yaml.${save}`);
    writeFileSync(temporary, `${readFileSync(file, 'utf8')}\n`);
    renameSync(temporary, file);
    await vi.waitFor(() => expect(runs).toBe(1 + save), { timeout: 120_000, interval: 20 });
  }
  stop.abort();
  await watching;
});

test('a path that does not exist is a usage error, not a crash', () => {
  expect(() => watchPaths(['no/such/folder'], { out: () => {}, err: () => {} }, () => 0)).toThrow(/cannot watch 'no\/such\/folder'/);
});
