// `credits check --watch` / `credits test --watch`: a change under the watched folder runs the
// command again in the same process. The test waits for file events, never for a set time.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  expect(out.join('\n')).toMatch(/— changed: price\.yaml; running again —/);

  stop.abort();
  expect(await watching).toBe(0);
});

test('a path that does not exist is a usage error, not a crash', () => {
  expect(() => watchPaths(['no/such/folder'], { out: () => {}, err: () => {} }, () => 0)).toThrow(/cannot watch 'no\/such\/folder'/);
});
