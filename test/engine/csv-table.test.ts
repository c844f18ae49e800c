// Tables whose rows live in a CSV file beside the rule file.
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { loadWorkspace } from '../../src/check/check-paths.ts';
import { toJsonText } from '../../src/value.ts';

const fixture = join(import.meta.dirname, '../fixtures/csv-table');
const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function copyWithCsv(csv: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'credits-csv-'));
  temps.push(dir);
  cpSync(fixture, dir, { recursive: true });
  writeFileSync(join(dir, 'models.csv'), csv);
  return dir;
}

test('CSV cells read like plain YAML values: exact numbers, percents, booleans, and quoted text', () => {
  const engine = Engine.load(fixture);
  const quote = (model: string, units: number) => toJsonText(engine.quote({ pack: 'csvtable', operation: 'price', input: { model, units } }).outputs);
  expect(quote('base', 3)).toBe('{"cost":4,"label":"cheap, fast","premium":false}');
  expect(quote('turbo', 7)).toBe('{"cost":2,"label":"007","premium":true}');
});

test('a row with too many values is reported at its line in the CSV file', () => {
  const dir = copyWithCsv('name,per_unit,label,premium\nbase,1.25,x,false,extra\n');
  const [problem] = loadWorkspace([dir]).diagnostics;
  expect(problem?.format()).toContain('models.csv:2:1: error: line 2 has 5 values, but the header names 4 columns');
});

test('a column mixing numbers and text is reported at the offending row', () => {
  const dir = copyWithCsv('name,per_unit,label,premium\nbase,1.25,x,false\nturbo,"2",y,true\n');
  const messages = loadWorkspace([dir]).diagnostics.map((d) => d.format());
  expect(messages.some((m) => m.includes('models.csv:3:1') && m.includes("column 'per_unit' of table 'models' mixes number and string"))).toBe(true);
});

test('a missing CSV file is an error at the csv field, and formulas using the table are not reported again', () => {
  const dir = copyWithCsv('');
  rmSync(join(dir, 'models.csv'));
  const diagnostics = loadWorkspace([dir]).diagnostics;
  expect(diagnostics.map((d) => d.format())).toEqual([expect.stringMatching(/price\.yaml:9:14: error: .*models\.csv: no such CSV file/)]);
});
