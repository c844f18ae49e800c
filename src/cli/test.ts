import { Engine, PackErrors } from '../engine/engine.ts';
import { runRegression } from '../engine/regression.ts';
import { runScenarios } from '../scenarios/run.ts';
import { printDiagnostics, type CliIo } from './output.ts';

/** Runs the regression cases and the ledger scenarios. Exit code: 0 when every one passes, 1 otherwise. */
export async function testCommand(paths: string[], io: CliIo): Promise<number> {
  let engine: Engine;
  try {
    engine = Engine.load(paths);
  } catch (e) {
    if (!(e instanceof PackErrors)) throw e;
    printDiagnostics(e.diagnostics, io);
    io.out('0 passed, 0 failed (the packs have errors; run credits check)');
    return 1;
  }
  const cases = runRegression(engine);
  const scenarios = await runScenarios(engine);
  const diagnostics = [...cases.diagnostics, ...scenarios.diagnostics];
  printDiagnostics(diagnostics, io);
  const results = [
    ...cases.results.map((r) => ({ ...r, about: `${r.pack} ${r.operation}` })),
    ...scenarios.results.map((r) => ({ ...r, about: `${r.pack} scenario${r.step ? `, ${r.step}` : ''}` })),
  ];
  for (const r of results.filter((x) => !x.passed)) {
    io.out(`${r.file}:${r.line}:${r.col}: FAIL ${r.name} (${r.about})\n  ${r.failure!.split('\n').join('\n  ')}`);
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed + diagnostics.filter((d) => d.severity === 'error').length;
  io.out(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}
