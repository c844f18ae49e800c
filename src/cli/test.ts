import { Engine, PackErrors } from '../engine/engine.ts';
import { runRegression } from '../engine/regression.ts';
import { printDiagnostics } from './output.ts';

export function testCommand(paths: string[]): void {
  let engine: Engine;
  try {
    engine = Engine.load(paths);
  } catch (e) {
    if (!(e instanceof PackErrors)) throw e;
    printDiagnostics(e.diagnostics);
    console.log('0 passed, 0 failed (the packs have errors; run credits check)');
    process.exitCode = 1;
    return;
  }
  const run = runRegression(engine);
  printDiagnostics(run.diagnostics);
  for (const r of run.results.filter((x) => !x.passed)) {
    console.log(`${r.file}:${r.line}: FAIL ${r.name} (${r.pack} ${r.operation})\n  ${r.failure!.split('\n').join('\n  ')}`);
  }
  const passed = run.results.filter((r) => r.passed).length;
  const failed = run.results.length - passed + run.diagnostics.filter((d) => d.severity === 'error').length;
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
