// Every pack under rules/ with its regression cases (tests/*.yaml), run through the engine,
// so `npm test` fails when a rule change breaks a pinned price.
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { runRegression } from '../../src/engine/regression.ts';

const rulesDir = fileURLToPath(new URL('../../rules', import.meta.url));

test('every regression case of every pack under rules/ passes', () => {
  const run = runRegression(Engine.load(rulesDir));
  const problems = [
    ...run.diagnostics.map((d) => d.format()),
    ...run.results.filter((r) => !r.passed).map((r) => `${r.file}:${r.line}: ${r.name} (${r.pack} ${r.operation})\n  ${r.failure!.split('\n').join('\n  ')}`),
  ];
  expect(problems, problems.join('\n\n')).toEqual([]);
  expect(new Set(run.results.map((r) => r.pack)).size, 'packs with regression cases').toBeGreaterThanOrEqual(4);
});
