// `credits test --watch` runs scenarios, which answer asynchronously: a run finishes before the
// next starts, and stopping waits for the run under way. No test here waits for a set time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { watchPaths } from '../../src/cli/watch.ts';

test('stopping a watch waits for the asynchronous run under way and returns its exit code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'credits-watch-async-'));
  try {
    let finish: (code: number) => void = () => {};
    const started: string[] = [];
    const io = { out: (s: string) => started.push(s), err: (s: string) => started.push(s) };
    const stop = new AbortController();
    const watching = watchPaths([dir], io, () => {
      started.push('run');
      return new Promise<number>((resolve) => { finish = resolve; });
    }, { signal: stop.signal });
    expect(started).toEqual(['run']);
    stop.abort();
    let stopped = false;
    void watching.then(() => { stopped = true; });
    await new Promise((r) => setImmediate(r)); // every pending promise callback has run
    expect(stopped).toBe(false);
    finish(1);
    expect(await watching).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
