// `--watch`: run a command, then again after every change under its paths, in this process,
// so a re-run pays no start-up: the parser and the compiled schemas are already loaded.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { RuleError } from '../../grammar/diagnostic.ts';
import { UsageError, type CliIo } from './output.ts';

/** Editors save in bursts (write, rename, chmod): one re-run per burst. */
const SETTLE_MS = 60;

export interface WatchOptions {
  /** Stops watching; the promise then resolves with the last run's exit code. */
  signal?: AbortSignal;
}

export function watchPaths(paths: string[], io: CliIo, run: () => number | Promise<number>, options: WatchOptions = {}): Promise<number> {
  // A mistake that stops one run (a path that vanished mid-edit) is reported, and watching goes on.
  const runReporting = async (): Promise<number> => {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      io.err(e.format());
      return 1;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  let changed = new Set<string>();
  let watchers: FSWatcher[] = [];
  const onChange = (path: string, file: string | Buffer | null) => {
    if (file) changed.add(join(path, String(file)));
    clearTimeout(timer);
    timer = setTimeout(rerun, SETTLE_MS);
  };
  // Node 20's recursive watch on Linux loses a file in a subfolder once an editor (or sed -i)
  // saves it by renaming a new file over it; watching afresh after each burst keeps every file seen.
  function arm(): void {
    for (const w of watchers) w.close();
    watchers = [];
    for (const path of paths) {
      try {
        watchers.push(watch(path, { recursive: true }, (_event, file) => onChange(path, file)));
      } catch (e) {
        for (const w of watchers) w.close();
        throw new UsageError(`cannot watch '${path}': ${(e as Error).message}`);
      }
    }
  }
  arm();
  // A run that answers asynchronously (credits test's scenarios) finishes before the next starts.
  let code = 0;
  let runs = runReporting().then((c) => {
    code = c;
    io.err(`watching ${paths.join(', ')} for changes (Ctrl-C to stop)`);
  });
  function rerun(): void {
    // An editor's or sed's temporary files come and go within the burst: name what is still there.
    const files = [...changed].filter((f) => existsSync(f)).sort();
    changed = new Set();
    try {
      arm();
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      io.err(`error: ${e.message}`);
    }
    runs = runs.then(async () => {
      io.err(`\n— changed: ${files.join(', ') || 'files'}; running again —`);
      code = await runReporting();
    });
  }
  return new Promise((resolve) => {
    function stop(): void {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      process.off('SIGINT', stop);
      void runs.then(() => resolve(code));
    }
    if (options.signal?.aborted) return stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
  });
}
