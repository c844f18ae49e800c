// A charged output that may not be a whole number of the unit warns only when ledger.yaml declares no rounding.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkPaths } from '../../src/cli/check.ts';

function warnings(cost: string, { rounding = false, decimals = 0 } = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'whole-amounts-'));
  writeFileSync(join(dir, 'pack.yaml'), `pack: t\nunit: credits\ndecimals: ${decimals}\nversions:\n  - version: "1"\n    effective: 2026-01-01T00:00:00Z\n`);
  writeFileSync(join(dir, 'ledger.yaml'), `grant_kinds:\n  purchase: { expires: never, priority: 40 }\nspend_order: [priority]\ncharges:\n  render: cost\n${rounding ? 'rounding: up\n' : ''}`);
  writeFileSync(join(dir, 'render.yaml'), `operations:
  render:
    inputs:
      n: { type: integer, min: 1, max: 10 }
      x: { type: number, min: 0, max: 10 }
      tier: { type: string, enum: [free, pro], default: free }
    tables:
      rates:
        key: tier
        rows:
          - { tier: free, whole: 2, half: 0.5 }
          - { tier: pro, whole: 3, half: 1.5 }
    decisions:
      rate:
        hit: first
        inputs: [tier]
        outputs: [whole, half]
        rows:
          - ["'pro'", 4, 0.5]
          - ["-", 6, 1]
    cells:
      cost: ${JSON.stringify(cost)}
    outputs: [cost]
`);
  const { diagnostics } = checkPaths([dir]);
  expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.format())).toEqual([]);
  return diagnostics.filter((d) => d.code === 'amount-may-not-be-whole').map((d) => d.message);
}

describe('an amount that may not be a whole number of the unit', () => {
  test.each([
    ['n * 10', false],
    ['n / 3', true],
    ['CEIL(n / 3)', false],
    ['ROUND(n / 3, 2)', true],
    ['ROUND(n / 3)', false],
    ['FLOOR(n / 3, 0.5)', true],
    ['n * 1.5', true],
    ['n * 200%', false],
    ['n * 15%', true],
    ['x * 2', true],
    ['IF(n / 2 > 3, 10, 20)', false],
    ['IF(n > 3, 10, n / 4)', true],
    ['n * rates[tier].whole', false],
    ['n * rates[tier].half', true],
    ['n * rate.whole', false],
    ['n * rate.half', true],
    ['MAX(1, n * 0.25)', true],
  ])('%s: warns %s', (cost, warns) => {
    expect(warnings(cost).length).toBe(warns ? 1 : 0);
  });

  test('not when ledger.yaml says how amounts are rounded', () => {
    expect(warnings('n / 3', { rounding: true })).toEqual([]);
  });

  test('to the pack\'s decimals: ROUND(x, 2) is whole cents of a 2-decimal unit, ROUND(x, 3) is not', () => {
    expect(warnings('ROUND(n / 3, 2)', { decimals: 2 })).toEqual([]);
    expect(warnings('ROUND(n / 3, 3)', { decimals: 2 })).toHaveLength(1);
    expect(warnings('n * 0.25', { decimals: 2 })).toEqual([]);
  });

  test('the message names what brings the decimals', () => {
    expect(warnings('n * 4 / 3')[0]).toContain("'n * 4 / 3' can have decimals");
  });
});

test('two versions reading the same rule file give one warning for the cell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whole-amounts-'));
  writeFileSync(join(dir, 'pack.yaml'), 'pack: t\nunit: credits\nversions:\n  - version: "1"\n    effective: 2026-01-01T00:00:00Z\n  - version: "2"\n    effective: 2026-06-01T00:00:00Z\n');
  writeFileSync(join(dir, 'ledger.yaml'), 'grant_kinds:\n  purchase: { expires: never, priority: 40 }\nspend_order: [priority]\ncharges:\n  render: cost\n');
  writeFileSync(join(dir, 'render.yaml'), 'operations:\n  render:\n    inputs:\n      n: { type: integer, min: 1, max: 10 }\n    cells:\n      cost: n / 3\n    outputs: [cost]\n');
  expect(checkPaths([dir]).diagnostics.map((d) => d.code)).toEqual(['amount-may-not-be-whole']);
});
