// Runs the conformance table (formulas.yaml): every record is a formula with an expected
// value or error, evaluated exactly as `credits eval` does; then every record with a value
// again through the interpreter, the fast path and the JSON Logic export (the end of this
// file). The records are data; this file only reads them, runs them, and says what was
// expected and what came out.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSeq, parseDocument, type Node } from 'yaml';
import { describe, expect, test } from 'vitest';
import { RuleError } from '../../grammar/diagnostic.ts';
import { evaluateFormula } from '../../src/engine/formula.ts';
import { loadWorkspace } from '../../src/check/check-paths.ts';
import { compilePack } from '../../src/compile/compile-pack.ts';
import { exportJsonLogic } from '../../src/compile/jsonlogic.ts';
import { toJsonText } from '../../src/value.ts';
import { asJson, preview, withOperations } from '../jsonlogic/preview.ts';
import { credits, type CliRun } from '../cli/run.ts';

interface ExpectedError {
  code?: string;
  message?: string;
  hint?: string;
  col?: number;
}

interface Case {
  formula: string;
  input?: Record<string, unknown>;
  value?: string;
  error?: ExpectedError;
  cli?: boolean;
  line: number;
}

const tablePath = fileURLToPath(new URL('./formulas.yaml', import.meta.url));

/** The records of formulas.yaml grouped by their `# section` comment lines, in file order. */
function readTable(): { section: string; cases: Case[] }[] {
  const text = readFileSync(tablePath, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`formulas.yaml: ${doc.errors[0]!.message}`);
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const headers = text.split('\n').flatMap((l, i) => (/^# \S/.test(l) ? [{ line: i + 1, name: l.slice(2).trim() }] : []));
  const items = doc.get('cases', true) as Node;
  if (!isSeq(items)) throw new Error('formulas.yaml: `cases` must be a list');
  const sections: { section: string; cases: Case[] }[] = [];
  for (const item of items.items as Node[]) {
    const line = lineOf(item.range![0]);
    const record = (item as unknown as { toJSON(): Omit<Case, 'line'> }).toJSON();
    if (typeof record.formula !== 'string' || (record.value === undefined) === (record.error === undefined)) {
      throw new Error(`formulas.yaml:${line}: a record needs a formula and exactly one of value or error`);
    }
    if (record.value !== undefined && typeof record.value !== 'string') {
      throw new Error(`formulas.yaml:${line}: write value as JSON text in quotes, e.g. value: "0.3"`);
    }
    const section = headers.filter((h) => h.line < line).at(-1)?.name ?? '(no section)';
    if (sections.at(-1)?.section !== section) sections.push({ section, cases: [] });
    sections.at(-1)!.cases.push({ ...record, line });
  }
  return sections;
}

type Outcome = { value: string } | { error: { code: string; message: string; hint?: string; col?: number } };

function run(c: Case): Outcome {
  try {
    return { value: toJsonText(evaluateFormula(c.formula, c.input ?? {})) };
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    return { error: { code: e.code, message: e.message, hint: e.hint, col: e.position?.col } };
  }
}

/** The parts of an outcome the record pins, so a mismatch prints as expected vs actual. */
function comparable(c: Case, o: Outcome): unknown {
  if ('value' in o) return c.value !== undefined ? { value: o.value } : { value: o.value, note: 'expected an error' };
  if (c.error === undefined) return { error: o.error };
  const got: Record<string, unknown> = {};
  if (c.error.code !== undefined) got.code = o.error.code;
  if (c.error.message !== undefined) got.message = o.error.message.includes(c.error.message) ? c.error.message : o.error.message;
  if (c.error.hint !== undefined) got.hint = o.error.hint?.includes(c.error.hint) ? c.error.hint : o.error.hint;
  if (c.error.col !== undefined) got.col = o.error.col;
  return { error: got };
}

const table = readTable();

const title = (c: Case): string =>
  `${c.formula}${c.input ? ` with ${JSON.stringify(c.input)}` : ''} ${c.value !== undefined ? `gives ${c.value}` : `fails with ${c.error!.code ?? c.error!.message}`} (formulas.yaml:${c.line})`;

describe.each(table)('formula conformance: $section', ({ cases }) => {
  test.each(cases.map((c) => [title(c), c] as const))('%s', (_title, c) => {
    const outcome = run(c);
    expect(comparable(c, outcome), `formulas.yaml:${c.line}: ${c.formula}`).toEqual(c.value !== undefined ? { value: c.value } : { error: c.error });
  });
});

test('the conformance table has a record in every section and covers the language', () => {
  const names = table.map((s) => s.section);
  expect(names.length).toBeGreaterThanOrEqual(20);
  expect(table.filter((s) => s.cases.length === 0)).toEqual([]);
});

/** `credits eval`, in-process: the exit code and output. */
function cliEval(c: Case): Promise<CliRun> {
  return credits('eval', c.formula, ...(c.input ? ['--input', JSON.stringify(c.input)] : []));
}

test('credits eval prints the same value as the table on its last line, and fails with the column', async () => {
  const rows = table.flatMap((s) => s.cases).filter((c) => c.cli);
  expect(rows.length).toBeGreaterThanOrEqual(5);
  const results: CliRun[] = [];
  for (const c of rows) results.push(await cliEval(c));
  const got = results.map((r, i) => {
    const c = rows[i]!;
    if (c.value !== undefined) return { formula: c.formula, exit: r.code, last: r.stdout.trimEnd().split('\n').at(-1) };
    return { formula: c.formula, exit: r.code, mentions: [c.error!.message, `:${c.error!.col}:`].filter((s) => s && r.stderr.includes(s)) };
  });
  const want = rows.map((c) =>
    c.value !== undefined
      ? { formula: c.formula, exit: 0, last: c.value }
      : { formula: c.formula, exit: 1, mentions: [c.error!.message, `:${c.error!.col}:`] });
  expect(got).toEqual(want);
});

// The same records through the other two compilers. Each record with a value and plain inputs
// becomes an operation of one pack (its formula a cell, its inputs declared from their JSON
// types); the interpreter must give the table's value, the fast path (where it covers the
// operation and doesn't give up) the same, and the JSON Logic export (where it exports the
// operation) the same through json-logic-js.
/** How many records each compiler other than the interpreter ran when this was written: coverage may grow, not shrink. */
const FLOOR = { fast: 294, jsonLogic: 297 };

describe('the conformance table through every compiler', () => {
  const inputType = (v: unknown): string | undefined =>
    typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string'
    : typeof v === 'number' && Math.abs(v) < 1e9 ? (Number.isInteger(v) ? 'integer' : 'number') : undefined;
  const rows = table.flatMap((s) => s.cases).filter((c) =>
    c.value !== undefined && Object.values(c.input ?? {}).every((v) => inputType(v) !== undefined));
  const opName = (c: Case) => `row_${c.line}`;
  const dir = mkdtempSync(join(tmpdir(), 'credits-conformance-'));
  writeFileSync(join(dir, 'pack.yaml'), 'pack: conformance\nunit: credits\nversions:\n  - version: "1"\n    effective: 2020-01-01T00:00:00Z\n');
  const yaml = ['operations:'];
  for (const c of rows) {
    yaml.push(`  ${opName(c)}:`, '    inputs:');
    for (const [name, v] of Object.entries(c.input ?? {})) {
      const type = inputType(v)!;
      yaml.push(`      ${name}: { type: ${type}${type === 'integer' || type === 'number' ? ', min: -1_000_000_000, max: 1_000_000_000' : ''} }`);
    }
    if (!c.input || Object.keys(c.input).length === 0) yaml.pop();
    yaml.push('    cells:', `      result: ${JSON.stringify(c.formula)}`, '    outputs: [result]');
  }
  writeFileSync(join(dir, 'rows.yaml'), yaml.join('\n') + '\n');
  const workspace = loadWorkspace([dir]);
  const checked = workspace.packs[0]!;
  const version = checked.versions[0]!;
  const compiled = compilePack(checked).versions[0]!.operations;
  const tally = { interpreter: 0, fast: 0, jsonLogic: 0 };

  test.each(rows.map((c) => [title(c), c] as const))('%s', (_title, c) => {
    const op = compiled.get(opName(c))!;
    const input = c.input ?? {};
    const exact = op.evaluate(input, { trace: true }).outputs;
    expect(toJsonText(exact.result!), `interpreter, formulas.yaml:${c.line}`).toBe(c.value);
    tally.interpreter++;
    const before = op.fastPath.fallbacks;
    const fast = op.evaluate(input).outputs;
    if (op.fastPath.covered && op.fastPath.fallbacks === before) {
      expect(toJsonText(fast.result!), `fast path, formulas.yaml:${c.line}`).toBe(c.value);
      tally.fast++;
    }
    const exp = exportJsonLogic(version.operations.get(opName(c))!, { pack: 'conformance', version: '1', unit: 'credits' });
    if (exp.not_exported.length === 0) {
      const answer = withOperations(exp, () => preview(exp, input));
      if (answer.kind !== 'outside-exact-range') {
        expect(answer, `JSON Logic, formulas.yaml:${c.line}`).toEqual({ kind: 'accepted', outputs: asJson(exact) });
        tally.jsonLogic++;
      }
    }
  });

  test('every record ran through the interpreter, and most through the fast path and JSON Logic', () => {
    expect(workspace.diagnostics.filter((d) => d.severity === 'error').map((d) => d.format())).toEqual([]);
    expect(tally.interpreter).toBe(rows.length);
    expect(tally.fast).toBeGreaterThanOrEqual(FLOOR.fast);
    expect(tally.jsonLogic).toBeGreaterThanOrEqual(FLOOR.jsonLogic);
  });
});
