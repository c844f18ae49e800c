// Decision-table analysis as a table: a decision's inputs, hit policy and condition rows,
// and what credits check says about them (code and row), or nothing when it can't be sure.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadWorkspace } from '../../src/check/check-paths.ts';

const INPUTS = `
      tier: { type: string, enum: [free, pro, team] }
      size: { type: integer, min: 0, max: 10000 }
      ratio: { type: number }
      fast: { type: boolean, default: false }
      code: { type: string }`;

function analyse(hit: string, columns: string[], rows: string[][], extra = '', whole = false): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'decision-'));
  writeFileSync(join(dir, 'pack.yaml'), 'pack: t\nunit: credits\nversions:\n  - version: "1"\n    effective: 2026-01-01T00:00:00Z\n');
  const yamlRows = rows.map((r) => `          - [${[...r.map((c) => JSON.stringify(c)), '1'].join(', ')}]`).join('\n');
  writeFileSync(join(dir, 'op.yaml'), `operations:
  op:
    inputs:${INPUTS}
    cells:
      limit: 100
    decisions:
      d:
        hit: ${hit}
        inputs: [${columns.join(', ')}]
        outputs: [fee]
        rows:
${yamlRows}
${extra}    outputs: [d]
`);
  return loadWorkspace([dir]).diagnostics
    .filter((e) => e.code.startsWith('decision'))
    .map((e) => whole ? `${e.position?.line}: ${e.message}` : `${e.code} ${e.message.match(/rows? \d+( and \d+)?|no row for .*$/)?.[0] ?? ''}`.trim());
}

describe('unique: rows that can match the same input', () => {
  test.each([
    ['equal texts', ['tier'], [["'free'"], ["'free'"]], ['decision-rows-overlap rows 1 and 2']],
    ['a catch-all and a row', ['tier'], [['-'], ["'pro'"]], ['decision-rows-overlap rows 1 and 2']],
    ['overlapping ranges, closed ends', ['size'], [['[0..10]'], ['[10..20]']], ['decision-rows-overlap rows 1 and 2']],
    ['touching ranges, one end open', ['size'], [['[0..10)'], ['[10..20]']], []],
    ['comparisons that meet', ['size'], [['< 10'], ['>= 10']], []],
    ['an integer gap with open ends', ['size'], [['< 11'], ['(10..20]']], []],
    ['a number gap the integers skip is still an overlap for numbers', ['ratio'], [['< 11'], ['(10..20]']], ['decision-rows-overlap rows 1 and 2']],
    ['in and not in', ['tier'], [["in ['free', 'pro']"], ["not in ['free']"]], ['decision-rows-overlap rows 1 and 2']],
    ['two columns, one of them exclusive', ['tier', 'size'], [["'pro'", '< 10'], ["'pro'", '>= 10'], ["'free'", '-'], ["'team'", '-']], []],
    ['booleans', ['fast'], [['true'], ['false'], ['-']], ['decision-rows-overlap rows 1 and 3']],
    ['a name in a condition is not guessed at', ['size'], [['< limit'], ['>= 10']], []],
    ['a calculation in a condition is not guessed at', ['size'], [['[0..limit * 2]'], ['[10..20]']], []],
    ['texts with != on a free-text input', ['code'], [["!= 'a'"], ["!= 'b'"]], ['decision-rows-overlap rows 1 and 2']],
  ])('%s', (_, columns, rows, want) => {
    expect(analyse('unique', columns, rows).filter((d) => !d.startsWith('decision-not-covered'))).toEqual(want);
  });

  test('the overlap names both rows and an input that matches both', () => {
    const found = analyse('unique', ['tier', 'size'], [["'pro'", '< 1000'], ["'pro'", '(600..2000]'], ['-', '> 5000']], '        default: [0]\n', true);
    expect(found).toEqual(["18: rows 1 and 2 of decision table 'd' both match tier = 'pro', size = 601, but hit: unique allows one match"]);
  });
});

describe('unique: inputs no row covers', () => {
  test('an enum value without a row is named', () => {
    expect(analyse('unique', ['tier'], [["'free'"], ["'pro'"]])).toEqual(["decision-not-covered no row for tier = 'team'"]);
  });

  test('a gap between the ranges of a one-column table is named', () => {
    expect(analyse('unique', ['size'], [['< 10'], ['> 10']])).toEqual(['decision-not-covered no row for size = 10']);
    expect(analyse('unique', ['size'], [['< 10'], ['>= 10']])).toEqual([]);
  });

  test('a default, a catch-all, a name in a condition, or columns of open ranges keep it silent', () => {
    expect(analyse('unique', ['size'], [['< limit'], ['> 10']])).toEqual([]);
    expect(analyse('unique', ['tier', 'size'], [["'free'", '< 10']])).toEqual([]);
    expect(analyse('unique', ['tier'], [["'free'"]], '        default: [0]\n')).toEqual([]);
    expect(analyse('unique', ['tier', 'fast'], [["'free'", '-'], ["in ['pro', 'team']", 'true'], ["in ['pro', 'team']", 'false']])).toEqual([]);
    expect(analyse('unique', ['size', 'ratio'], [['< 10', '-']])).toEqual([]);
  });
});

describe('first: rows that can never be reached', () => {
  test.each([
    ['after a catch-all', ['tier', 'size'], [['-', '-'], ["'pro'", '< 10']], ['decision-row-unreachable row 2']],
    ['subsumed by a wider range', ['size'], [['<= 100'], ['[10..50]']], ['decision-row-unreachable row 2']],
    ['a narrower row first is fine', ['size'], [['[10..50]'], ['<= 100']], []],
    ['partly covered is reachable', ['size'], [['< 10'], ['[5..50]']], []],
    ['in a list of the earlier row', ['tier'], [["in ['free', 'pro']"], ["'pro'"]], ['decision-row-unreachable row 2']],
    ['a catch-all after a name is not guessed at', ['size'], [['< limit'], ['-']], []],
    ['a row under a catch-all, even with a name in it', ['size'], [['-'], ['< limit']], ['decision-row-unreachable row 2']],
  ])('%s', (_, columns, rows, want) => {
    expect(analyse('first', columns, rows)).toEqual(want);
  });
});

test('first: a default after a catch-all row is never used', () => {
  expect(analyse('first', ['tier'], [["'pro'"], ['-']], '        default: [0]\n')).toEqual(['decision-default-unreachable row 2']);
  expect(analyse('first', ['tier'], [["'pro'"], ['-']])).toEqual([]);
});

test('a row no accepted value can match is a warning of its own', () => {
  expect(analyse('first', ['size'], [['> 20000'], ['-']])).toEqual(['decision-row-never-matches row 1']);
});

test('collect tables are not analysed: every match counts', () => {
  expect(analyse('collect\n        aggregate: sum', ['size'], [['-'], ['-']])).toEqual([]);
});
