// `credits test` and `credits check` point at the same key of a wrong regression case, and a
// case whose names the operation doesn't have is not run (so it fails once, where it is wrong).
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { checkPaths } from '../../src/cli/check.ts';
import { Engine } from '../../src/engine/engine.ts';
import { runRegression } from '../../src/engine/regression.ts';

const mistake = (folder: string) => fileURLToPath(new URL(`../check/mistakes/${folder}/pack`, import.meta.url));
const where = (d: { code: string; position?: { line: number; col: number } }) => ({ code: d.code, line: d.position?.line, col: d.position?.col });

test.each(['202-case-unknown-input', '205-case-expect-unknown-output', '203-case-input-wrong-type', '201-case-unknown-operation'])(
  '%s: credits test reports it where credits check does, and does not run the case',
  (folder) => {
    const checked = checkPaths([mistake(folder)]).diagnostics.map(where);
    const run = runRegression(Engine.load(mistake(folder)));
    expect({ diagnostics: run.diagnostics.map(where), ran: run.results.length }).toEqual({ diagnostics: checked, ran: 0 });
  },
);

test('a rejection no constraint gives is found by credits check; credits test fails it at the reject key', () => {
  const folder = mistake('206-case-impossible-rejection');
  const checked = checkPaths([folder]).diagnostics.map(where);
  const run = runRegression(Engine.load(folder));
  expect(checked).toEqual([{ code: 'case-impossible-rejection', line: 5, col: 13 }]);
  expect(run.results.map((r) => ({ passed: r.passed, line: r.line, col: r.col }))).toEqual([{ passed: false, line: 5, col: 13 }]);
});
