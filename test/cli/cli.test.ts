// The `credits` command as a user runs it: exit codes, the --json shape, and the output of
// `check` and `test`. Each process costs about half a second to start, so the commands are
// started once, side by side, and the tests read their results.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function credits(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli/credits.js', ...args], { cwd: repoRoot }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const commands = {
  accepted: ['quote', 'rules/pixai', 'train_lora', '--input', '{"architecture": "SDXL", "tier": "free"}', '--json', '--explain'],
  rejected: ['quote', 'rules/pixai', 'generate_image', '--input', '{"width": 2048, "height": 2048, "tier": "free"}', '--json'],
  badInput: ['quote', 'rules/pixai', 'train_lora', '--input', '{"architecture": "SDXL", "teir": "free"}'],
  testRules: ['test', 'rules/'],
  testFailing: ['test', 'test/fixtures/failing-cases'],
  checkRules: ['check', 'rules/'],
} as const;

const runs = {} as Record<keyof typeof commands, Run>;

beforeAll(async () => {
  const names = Object.keys(commands) as (keyof typeof commands)[];
  const results = await Promise.all(names.map((n) => credits(...commands[n])));
  names.forEach((n, i) => { runs[n] = results[i]!; });
}, 60_000);

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

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

  test('prints each failing case with file:line, expected and actual, and exits 1', () => {
    const r = runs.testFailing;
    const file = 'test/fixtures/failing-cases/tests/cases.yaml';
    const lines = readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8').split('\n');
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    expect({ code: r.code, last: lastLine(r.stdout) }).toEqual({ code: 1, last: '1 passed, 2 failed' });
    expect(r.stdout).toContain(`${file}:${lineOf('a deliberately wrong expectation')}: FAIL a deliberately wrong expectation`);
    expect(r.stdout).toContain("output 'y': expected 41, got 42");
    expect(r.stdout).toContain(`${file}:${lineOf('a deliberately missing rejection')}: FAIL a deliberately missing rejection`);
    expect(r.stdout).toContain('expected a rejection "x must not be negative", got no rejection');
  });
});

describe('credits check', () => {
  test('on rules/ exits 0 with no errors', () => {
    const r = runs.checkRules;
    expect({ code: r.code, summary: r.stdout.match(/checked: 0 errors/)?.[0] }).toEqual({ code: 0, summary: 'checked: 0 errors' });
  });
});
