// The pack in broken-pack/ holds deliberate mistakes across several files. One check run
// must report every one of them at its place — file:line:col of the token — with a code
// frame whose caret is under that token, and a "did you mean" where there is a near name.
// Positions are found by searching the fixture for each mistake's text, so editing the
// fixture does not break the expectations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import type { RuleError } from '../../grammar/diagnostic.ts';
import { credits } from '../cli/run.ts';
import { loadWorkspace } from '../../src/check/check-paths.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const packDir = 'test/check/broken-pack';

interface Mistake {
  what: string;
  file: string;
  /** Text that occurs once in the file and contains the token. */
  anchor: string;
  /** The token the diagnostic points at (default: the anchor itself). */
  token?: string;
  code: string;
  message: string;
  hint?: string;
  severity?: 'error' | 'warning';
  /** YAML syntax errors are placed by the YAML parser: only the line is pinned. */
  lineOnly?: boolean;
}

const mistakes: Mistake[] = [
  { what: 'an unknown name with a near miss', file: 'render.yaml', anchor: 'area: widht', token: 'widht', code: 'unknown-name', message: "unknown name 'widht'", hint: 'did you mean "width"?' },
  { what: 'a table lookup of a column the table lacks', file: 'render.yaml', anchor: 'per_megapxel', code: 'unknown-field', message: "no field 'per_megapxel'", hint: 'did you mean "per_megapixel"?' },
  { what: 'an unknown function with a near miss', file: 'render.yaml', anchor: 'CIEL(', token: 'CIEL', code: 'unknown-function', message: "unknown function 'CIEL'", hint: 'did you mean "CEIL"?' },
  { what: 'a type mismatch (text plus a number)', file: 'render.yaml', anchor: 'tier + 1', token: 'tier', code: 'type-mismatch', message: "'+' needs numbers, but the left side is string" },
  { what: 'a cycle of three cells, printed whole', file: 'render.yaml', anchor: 'loop_a: loop_b', token: 'loop_a', code: 'cycle', message: 'loop_a → loop_b → loop_c → loop_a' },
  { what: 'a decision-table row with too few cells', file: 'render.yaml', anchor: `["'pro'", ">= 2048"]`, code: 'decision-row-shape', message: "this row of decision table 'speed' has 2 cells; it needs 3" },
  { what: 'a constraint message naming an unknown {name}', file: 'render.yaml', anchor: '{max_widht}', code: 'unknown-name', message: 'the message uses {max_widht}', hint: 'did you mean "max_width"?' },
  { what: 'an output naming nothing', file: 'render.yaml', anchor: 'cost, cots]', token: 'cots', code: 'unknown-output', message: "output 'cots' is not an input, cell or decision", hint: 'did you mean "cost"?' },
  { what: 'a shared cell defined in two files', file: 'render.yaml', anchor: 'house_fee: 5', token: 'house_fee', code: 'duplicate-name', message: "'house_fee' is defined twice" },
  { what: 'an unused cell (a warning)', file: 'render.yaml', anchor: 'forgotten: 42', token: 'forgotten', code: 'unused-cell', message: "cell 'forgotten' is never used", severity: 'warning' },
  { what: 'a cell with the name of an input', file: 'names.yaml', anchor: 'edge: 3', token: 'edge', code: 'duplicate-name', message: "'edge' is defined twice" },
  { what: 'an unknown function in a second file', file: 'names.yaml', anchor: 'MAXX(', token: 'MAXX', code: 'unknown-function', message: "unknown function 'MAXX'", hint: '"MAX"' },
  { what: 'an unknown name inside the arguments of that unknown function', file: 'names.yaml', anchor: 'margn', code: 'unknown-name', message: "unknown name 'margn'", hint: 'did you mean "margin"?' },
  { what: 'a table key written in a formula that the table lacks', file: 'names.yaml', anchor: "'anme'", code: 'unknown-key', message: "table 'models' has no row with key 'anme'", hint: 'did you mean "anime"?' },
  { what: 'an unused cell in a second file', file: 'names.yaml', anchor: 'spare: edge', token: 'spare', code: 'unused-cell', message: "cell 'spare' is never used", severity: 'warning' },
  { what: 'a misspelt field of an input declaration (schema)', file: 'upscale.yaml', anchor: 'defualt', code: 'schema', message: "unknown field 'defualt'", hint: 'did you mean "default"?' },
  { what: 'a mapping key indented wrongly (YAML)', file: 'indent.yaml', anchor: 'misaligned: 1', code: 'yaml-syntax', message: 'same column', lineOnly: true },
];

const fileText = (name: string): string => readFileSync(join(repoRoot, packDir, name), 'utf8');

/** 1-based line and column of `token` inside the single occurrence of `anchor` in `file`. */
function positionOf(file: string, anchor: string, token = anchor): { line: number; col: number } {
  const text = fileText(file);
  const at = text.indexOf(anchor);
  if (at < 0 || text.indexOf(anchor, at + 1) >= 0) throw new Error(`${file}: '${anchor}' must occur exactly once in the fixture`);
  const offset = at + anchor.indexOf(token);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

const place = (d: RuleError) => {
  const p = d.position;
  return p ? `${p.file.replace(/\\/g, '/').split('/').pop()}:${p.line}:${p.col}` : '(no position)';
};

let diagnostics: RuleError[];

beforeAll(() => {
  diagnostics = loadWorkspace([join(repoRoot, packDir)]).diagnostics;
});

describe('checking a pack with deliberate mistakes', () => {
  test.each(mistakes.map((m) => [m.what, m] as const))('reports %s at its token', (_what, m) => {
    const want = positionOf(m.file, m.anchor, m.token);
    const found = diagnostics.find((d) => d.code === m.code && d.message.includes(m.message) && d.position?.file.endsWith(m.file));
    expect(found, `no ${m.code} diagnostic containing "${m.message}" in ${m.file}; got:\n${diagnostics.map((d) => `${place(d)} ${d.code}: ${d.message}`).join('\n')}`).toBeDefined();
    const d = found!;
    const got = { line: d.position!.line, col: m.lineOnly ? want.col : d.position!.col, severity: d.severity, hint: m.hint && d.hint?.includes(m.hint) ? m.hint : d.hint };
    expect(got).toEqual({ ...want, severity: m.severity ?? 'error', hint: m.hint ?? d.hint });

    // The code frame: `N | source line`, then a caret under the token.
    const [head, sourceLine, caretLine] = d.format().split('\n');
    expect(head).toMatch(new RegExp(`${m.file.replace('.', '\\.')}:${d.position!.line}:${d.position!.col}: ${d.severity}: `));
    const gutter = `${d.position!.line} | `;
    expect(sourceLine).toBe(gutter + fileText(m.file).split('\n')[d.position!.line - 1]);
    expect(caretLine!.indexOf('^')).toBe(gutter.length + d.position!.col - 1);
    if (!m.lineOnly) expect(caretLine!.trimEnd().length - caretLine!.indexOf('^')).toBe(Math.max(1, (m.token ?? m.anchor).length));
  });

  test('reports nothing besides those mistakes (no follow-on errors)', () => {
    const wanted = mistakes.map((m) => `${m.file} ${m.code}`).sort();
    expect(diagnostics.map((d) => `${place(d).split(':')[0]} ${d.code}`).sort()).toEqual(wanted);
  });

  test('the duplicate definition points at the other one', () => {
    const d = diagnostics.find((x) => x.message.includes("'house_fee' is defined twice"))!;
    const other = positionOf('names.yaml', 'house_fee: 7', 'house_fee');
    expect(d.hint).toContain(`names.yaml:${other.line}:${other.col}`);
  });
});

test('credits check exits 1 and prints every error as file:line:col: error: message', async () => {
  const failure = await credits('check', packDir);
  expect(failure.code).toBe(1);
  const lines = failure.stderr.split('\n');
  const missing = mistakes.filter((m) => {
    const { line, col } = positionOf(m.file, m.anchor, m.token);
    const prefix = m.lineOnly ? `${packDir}/${m.file}:${line}:` : `${packDir}/${m.file}:${line}:${col}: ${m.severity ?? 'error'}: `;
    return !lines.some((l) => l.startsWith(prefix) && l.includes(m.message));
  }).map((m) => m.what);
  expect(missing).toEqual([]);
  const warnings = mistakes.filter((m) => m.severity === 'warning').length;
  expect(failure.stdout).toContain(`${mistakes.length - warnings} errors, ${warnings} warnings`);
});
