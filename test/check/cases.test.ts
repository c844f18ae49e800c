// The regression-case checker stays silent where a case may be right: an `error:` case may send
// a wrong input on purpose, a message with {name} can say anything, and without `at` a case may
// target any version.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkCaseFile, type CaseVersion } from '../../src/check/check-cases.ts';
import type { InputDecl } from '../../src/rules/model.ts';

const loc = { source: { file: 'x', text: '' }, span: { start: 0, end: 1 } };
const input = (name: string, kind: 'integer' | 'string', dflt?: string): InputDecl => ({ name, loc, type: { kind }, ...(dflt ? { default: dflt } : {}) });
const v1: CaseVersion = {
  effective: new Date('2026-01-01T00:00:00Z'),
  operations: new Map([['render', { inputs: [input('width', 'integer')], outputs: ['cost'], rejections: [{ message: 'width {width} is too large' }] }]]),
};
const v2: CaseVersion = {
  effective: new Date('2026-06-01T00:00:00Z'),
  operations: new Map([['render', { inputs: [input('width', 'integer'), input('tier', 'string', 'free')], outputs: ['cost', 'tax'], rejections: [{ message: 'too wide' }] }]]),
};

function problems(cases: string, versions = [v1, v2]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cases-'));
  const path = join(dir, 'cases.yaml');
  writeFileSync(path, `cases:\n${cases}`);
  const checked = checkCaseFile(path, versions);
  return [...checked.problems, ...checked.cases.flatMap((c) => c.problems)].map((e) => `${e.position?.line}:${e.position?.col} ${e.code}`);
}

describe('regression-case checks', () => {
  test('an error case may send an unknown or wrong input', () => {
    expect(problems('  - { name: a, operation: render, input: { widht: x }, error: unknown input }\n')).toEqual([]);
  });

  test('a message with a {name} in it may contain any text', () => {
    expect(problems('  - { name: a, operation: render, at: "2026-02-01T00:00:00Z", input: { width: 1 }, reject: "9000 is too large" }\n')).toEqual([]);
  });

  test('without at, a name of any version is accepted; with at, only the version in force then', () => {
    const c = (at: string) => `  - { name: a, operation: render, ${at}input: { width: 1, tier: pro }, expect: { tax: 1 } }\n`;
    expect(problems(c(''))).toEqual([]);
    const line = c('at: "2026-02-01T00:00:00Z", ');
    expect(problems(line)).toEqual([`2:${line.indexOf('tier') + 1} case-unknown-input`, `2:${line.indexOf('tax') + 1} case-unknown-output`]);
  });

  test('a rejection is checked against every version the case can run on', () => {
    expect(problems('  - { name: a, operation: render, input: { width: 1 }, reject: too wide }\n')).toEqual([]);
    const line = '  - { name: a, operation: render, input: { width: 1 }, reject: too tall }\n';
    expect(problems(line, [v2])).toEqual([`2:${line.indexOf('too tall') + 1} case-impossible-rejection`]);
  });

  test('a file that breaks the schema is reported as such, and no case is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cases-'));
    writeFileSync(join(dir, 'c.yaml'), 'cases:\n  - { name: a, operation: nope, input: { width: 1 } }\n');
    const checked = checkCaseFile(join(dir, 'c.yaml'), [v1]);
    expect({ schema: checked.problems.length > 0, cases: checked.cases.length }).toEqual({ schema: true, cases: 0 });
  });
});
