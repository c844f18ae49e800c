// A call to another operation: a misspelt input is one mistake (not also a missing one); a missing input says how to pass it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { checkPaths } from '../../src/cli/check.ts';

function check(call: string): { code: string; message: string; hint?: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'operation-calls-'));
  writeFileSync(join(dir, 'pack.yaml'), 'pack: t\nunit: credits\nversions:\n  - version: "1"\n    effective: 2026-01-01T00:00:00Z\n');
  writeFileSync(join(dir, 'ops.yaml'), `operations:
  render:
    inputs:
      width: { type: integer, min: 64, max: 2048 }
      height: { type: integer, min: 64, max: 2048 }
    cells:
      cost: CEIL(width * height / 100_000)
    outputs: [cost]
  batch:
    inputs:
      count: { type: integer, min: 1, max: 8 }
    cells:
      cost: ${JSON.stringify(`count * ${call}.cost`)}
    outputs: [cost]
`);
  return checkPaths([dir]).diagnostics.map((d) => ({ code: d.code, message: d.message, hint: d.hint }));
}

test.each([
  ['render({widht: 512, height: 512})', [{ code: 'unknown-input', message: "operation render has no input 'widht'", hint: 'did you mean "width"?' }]],
  ['render({height: 512})', [{ code: 'missing-input', message: "operation render needs input 'width', which has no default", hint: 'pass it in the record, e.g. render({width: …})' }]],
  ['render({widht: 512})', [
    { code: 'unknown-input', message: "operation render has no input 'widht'", hint: 'did you mean "width"?' },
    { code: 'missing-input', message: "operation render needs input 'height', which has no default", hint: 'pass it in the record, e.g. render({height: …})' },
  ]],
  ['render({colour: 1, width: 512, height: 512})', [{ code: 'unknown-input', message: "operation render has no input 'colour'", hint: 'inputs: width, height' }]],
])('%s', (call, want) => {
  expect(check(call)).toEqual(want);
});
