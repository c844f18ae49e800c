// Schema violations spoil only the parts they are in: the rest of the file is still read
// and checked, so one run reports the schema's complaints and the formulas' together.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadWorkspace } from '../../src/check/check-paths.ts';

const dir = join(import.meta.dirname, 'schema-and-formulas');

test('schema errors and formula errors of one file are reported in the same run', () => {
  const reported = loadWorkspace([dir]).diagnostics
    .sort((a, b) => a.position!.line - b.position!.line)
    .map((d) => `${d.position?.line}:${d.position?.col} ${d.code} ${d.message} | ${d.hint ?? ''}`);
  expect(reported).toEqual([
    expect.stringMatching(/^5:21 schema in input 'flag' of operation 'price', 'type' must be one of .* \| did you mean "boolean"\?$/),
    expect.stringMatching(/^6:14 schema input 'other' of operation 'price' must be one of .* \| did you mean "boolean"\?$/),
    expect.stringMatching(/^7:5 schema unknown field 'colour'/),
    expect.stringMatching(/^9:13 syntax expected an expression after '\*'/),
    expect.stringMatching(/^10:7 cycle .*b → c → b/),
    expect.stringMatching(/^12:10 unknown-function unknown function 'CIEL' \| did you mean "CEIL"\?$/),
    expect.stringMatching(/^13:10 schema cell 'e' of operation 'price' must be a formula or a number/),
  ]);
});
