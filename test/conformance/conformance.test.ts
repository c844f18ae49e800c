// Runs the conformance table (formulas.yaml): every record is a formula with an expected
// value or error, evaluated exactly as `credits eval` does. The records are data; this file
// only reads them, runs them, and says what was expected and what came out.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSeq, parseDocument, type Node } from 'yaml';
import { describe, expect, test } from 'vitest';
import { RuleError } from '../../grammar/diagnostic.ts';
import { evaluateFormula } from '../../src/engine/formula.ts';
import { toJsonText } from '../../src/value.ts';
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
