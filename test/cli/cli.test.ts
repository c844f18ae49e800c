// The `credits` command as a user runs it: exit codes, the --json shape, and the output of
// `check` and `test`. The commands run in-process (test/cli/run.ts); one smoke test starts the
// real bin, to prove the compiled build answers.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { credits, lastLine, type CliRun } from './run.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const commands = {
  accepted: ['quote', 'rules/pixai', 'train_lora', '--input', '{"architecture": "SDXL", "tier": "free"}', '--json', '--explain'],
  rejected: ['quote', 'rules/pixai', 'generate_image', '--input', '{"width": 2048, "height": 2048, "tier": "free"}', '--json'],
  badInput: ['quote', 'rules/pixai', 'train_lora', '--input', '{"architecture": "SDXL", "teir": "free"}'],
  testRules: ['test', 'rules/'],
  testFailing: ['test', 'test/fixtures/failing-cases'],
  checkRules: ['check', 'rules/'],
} as const;

const runs = {} as Record<keyof typeof commands, CliRun>;

beforeAll(async () => {
  const names = Object.keys(commands) as (keyof typeof commands)[];
  for (const n of names) runs[n] = await credits(...commands[n]);
});

describe('credits quote', () => {
  test('an accepted quote exits 0 and --json prints {outputs, rejections, version, trace}', () => {
    const r = runs.accepted;
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const json = JSON.parse(r.stdout);
    expect({ outputs: json.outputs, rejections: json.rejections, version: json.version }).toEqual({
      outputs: { cost: 75000, free_training: false, free_trainings_left: 0 },
      rejections: [],
      version: '2026.1',
    });
    expect(Array.isArray(json.trace)).toBe(true);
    expect(json.trace.find((t: { name: string }) => t.name === 'cost')).toMatchObject({ kind: 'cell', formula: 'IF(free_training, 0, price)', value: 75000 });
  });

  test('a rejected quote exits 2 and --json carries the message', () => {
    const r = runs.rejected;
    const json = JSON.parse(r.stdout);
    expect({ code: r.code, rejections: json.rejections, outputs: json.outputs }).toEqual({
      code: 2,
      rejections: [expect.objectContaining({ message: 'free accounts are limited to 1280×1280' })],
      outputs: {},
    });
  });

  test('bad input exits 1 with a message naming the input and a suggestion', () => {
    const r = runs.badInput;
    expect({ code: r.code, unknown: r.stderr.includes("unknown input 'teir'"), hint: r.stderr.includes('did you mean "tier"?') })
      .toEqual({ code: 1, unknown: true, hint: true });
  });
});

describe('credits test', () => {
  test('on rules/ ends with "N passed, 0 failed" and exits 0', () => {
    const r = runs.testRules;
    expect({ code: r.code, last: lastLine(r.stdout)?.replace(/^\d+ passed/, 'N passed') }).toEqual({ code: 0, last: 'N passed, 0 failed' });
    expect(Number(lastLine(r.stdout)!.split(' ')[0])).toBeGreaterThan(0);
  });

  test('prints each failing case at the key that failed (file:line:col), expected and actual, and exits 1', () => {
    const r = runs.testFailing;
    const file = 'test/fixtures/failing-cases/tests/cases.yaml';
    const lines = readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8').split('\n');
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    const at = (text: string) => `${lineOf(text)}:${lines[lineOf(text) - 1]!.indexOf(text) + 1}`;
    expect({ code: r.code, last: lastLine(r.stdout) }).toEqual({ code: 1, last: '1 passed, 2 failed' });
    expect(r.stdout).toContain(`${file}:${at('y: 41')}: FAIL a deliberately wrong expectation`);
    expect(r.stdout).toContain("output 'y': expected 41, got 42");
    expect(r.stdout).toContain(`${file}:${at('x must not be negative')}: FAIL a deliberately missing rejection`);
    expect(r.stdout).toContain('expected a rejection "x must not be negative", got no rejection');
  });
});

describe('credits check', () => {
  test('on rules/ exits 0 with no errors', () => {
    const r = runs.checkRules;
    expect({ code: r.code, summary: r.stdout.match(/checked: 0 errors/)?.[0] }).toEqual({ code: 0, summary: 'checked: 0 errors' });
  });
});

describe('credits eval', () => {
  test('a formula that starts with a minus sign is the formula, not an option', async () => {
    expect(await credits('eval', '-2 * -3')).toEqual({ code: 0, stdout: '6\n', stderr: '' });
    expect(await credits('eval', '-x', '--input', '{"x": 4}')).toEqual({ code: 0, stdout: '-4\n', stderr: '' });
  });

  test('bad --input JSON exits 1 with a usage error', async () => {
    const r = await credits('eval', '1', '--input', '{nope');
    expect({ code: r.code, error: r.stderr.startsWith('error: --input is not valid JSON') }).toEqual({ code: 1, error: true });
  });

  test('an unknown command exits 1 with the help', async () => {
    const r = await credits('chekc');
    expect({ code: r.code, unknown: r.stderr.includes("unknown command 'chekc'") }).toEqual({ code: 1, unknown: true });
  });
});

test('the installed bin runs the compiled build with plain node', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['src/cli/credits.js', 'eval', 'CEIL(600 * 2 * (1 + 6 * 0.02))'], { cwd: repoRoot });
  expect(stdout).toBe('1344\n');
});
