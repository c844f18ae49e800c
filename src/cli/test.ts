import { Engine, PackErrors } from '../engine/engine.ts';
import { runRegression } from '../engine/regression.ts';
import { printDiagnostics, type CliIo } from './output.ts';

/** Exit code: 0 when every case passes, 1 otherwise. */
export function testCommand(paths: string[], io: CliIo): number {
  let engine: Engine;
  try {
    engine = Engine.load(paths);
  } catch (e) {
    if (!(e instanceof PackErrors)) throw e;
    printDiagnostics(e.diagnostics, io);
    io.out('0 passed, 0 failed (the packs have errors; run credits check)');
    return 1;
  }
  const run = runRegression(engine);
  printDiagnostics(run.diagnostics, io);
  for (const r of run.results.filter((x) => !x.passed)) {
    io.out(`${r.file}:${r.line}:${r.col}: FAIL ${r.name} (${r.pack} ${r.operation})\n  ${r.failure!.split('\n').join('\n  ')}`);
  }
  const passed = run.results.filter((r) => r.passed).length;
  const failed = run.results.length - passed + run.diagnostics.filter((d) => d.severity === 'error').length;
  io.out(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}
