// A table of 10,000 rows, written as a fixture at test time: it loads, checks and quotes
// correctly for keys at the start, the middle and the end. (Speed is the benchmark's job.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { plain, ruleErrorOf } from './helpers.ts';

const ROWS = 10_000;
let dir: string;
let engine: Engine;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'credits-large-table-'));
  writeFileSync(join(dir, 'pack.yaml'), 'pack: large\nunit: usd\nversions:\n  - version: "1"\n    effective: 2020-01-01T00:00:00Z\n');
  const rows = Array.from({ length: ROWS }, (_, i) => `        - { sku: sku_${i}, price: ${i}.${String(i % 1000).padStart(3, '0')}001 }`);
  writeFileSync(join(dir, 'prices.yaml'), [
    'operations:',
    '  price:',
    '    inputs:',
    '      sku: string',
    '      quantity: { type: integer, min: 1, default: 1 }',
    '    tables:',
    '      catalog:',
    '        key: sku',
    '        rows:',
    ...rows,
    '    cells:',
    '      total: catalog[sku].price * quantity',
    '    outputs: [total]',
    '',
  ].join('\n'));
  engine = Engine.load(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a table of 10,000 rows loads and quotes the first, a middle and the last row exactly', () => {
  const total = (sku: string, quantity = 1) => plain(engine.quote({ pack: 'large', operation: 'price', input: { sku, quantity } }).outputs.total!);
  expect([total('sku_0'), total('sku_4321', 3), total(`sku_${ROWS - 1}`)]).toEqual(['0.000001', '12963.963003', '9999.999001']);
});

test('an unknown key of the large table is an error naming the table, the key and the nearest keys', () => {
  const e = ruleErrorOf(() => engine.quote({ pack: 'large', operation: 'price', input: { sku: 'sku_99999' } }));
  expect({ code: e.code, message: e.message }).toEqual({ code: 'unknown-key', message: "table 'catalog' has no row with key 'sku_99999' (the value of 'sku')" });
  expect(e.hint).toMatch(/^nearest keys: 'sku_\d+'/);
});
