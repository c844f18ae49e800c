// Spreadsheet spellings (x%, <>, &, AND/OR/NOT, CEILING/FLOOR with any constant significance,
// INT, ROUNDDOWN, ROUNDUP, MROUND, ^ with a constant exponent, MOD) are exported to JSON Logic
// and agree with the engine; the rest is named in not_exported rather than emitted approximately.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/check/check-paths.ts';
import { exportJsonLogic } from '../../src/compile/jsonlogic.ts';
import { Engine } from '../../src/engine/engine.ts';
import { toJsonText } from '../../src/value.ts';
import { engineAnswer, preview, withOperations } from './preview.ts';

const FIXTURE = 'test/jsonlogic/fixtures/spreadsheet';
const pack = loadWorkspace([FIXTURE]).packs[0]!;
const version = pack.versions[0]!;
const exportOf = (operation: string) =>
  exportJsonLogic(version.operations.get(operation)!, { pack: pack.decl.name, version: version.decl.version, unit: pack.decl.unit });
const engine = Engine.load(FIXTURE);

const input = fc.record({
  price: fc.integer({ min: 0, max: 1_000_000 }).map((cents) => cents / 100),
  rate: fc.integer({ min: 0, max: 100 }),
  tier: fc.constantFrom('free', 'pro'),
  hd: fc.boolean(),
});

describe('spreadsheet spellings', () => {
  it('are all exported, and json-logic-js agrees with the engine on random inputs', () => {
    const exp = exportOf('price');
    expect(exp.not_exported).toEqual([]);
    withOperations(exp, () => fc.assert(fc.property(input, (i) => {
      expect(preview(exp, i)).toEqual(engineAnswer(engine, 'spreadsheet', 'price', i));
    }), { numRuns: 1000 }));
  });

  it('give the values a spreadsheet gives', () => {
    const q = engine.quote({ pack: 'spreadsheet', operation: 'price', input: { price: 19.99, rate: 15, tier: 'pro', hd: true } });
    expect(JSON.parse(toJsonText(q.outputs))).toEqual({ discounted: 16.99, surcharge: 2, label: 'pro-plan', total: 19, whole: 38.9 });
  });

  it('the fast path agrees with the interpreter on random inputs', () => {
    fc.assert(fc.property(input, (i) => {
      const fast = toJsonText(engine.quote({ pack: 'spreadsheet', operation: 'price', input: i }).outputs);
      const exact = toJsonText(engine.quote({ pack: 'spreadsheet', operation: 'price', input: i, explain: true }).outputs);
      expect(fast).toBe(exact);
    }), { numRuns: 500 });
  });

  it('ROUNDUP, MROUND, ^ and a significance that is not a power of ten are exported, and agree with the engine', () => {
    const exp = exportOf('rounding');
    expect(exp.not_exported).toEqual([]);
    // price ^ 2 stays exact in doubles for prices to 1,000 with cents: the export's limits say so.
    expect(exp.limits).toEqual({ price: { maximum: 1000, decimals: 2 } });
    const price = fc.integer({ min: 0, max: 100_000 }).map((cents) => cents / 100);
    withOperations(exp, () => fc.assert(fc.property(price, (price) => {
      expect(preview(exp, { price })).toEqual(engineAnswer(engine, 'spreadsheet', 'rounding', { price }));
    }), { numRuns: 1000 }));
  });

  it('so are they on negative numbers (ROUNDUP away from zero, MOD with the sign of the divisor), and where MROUND fails, both fail', () => {
    const exp = exportOf('signed');
    expect(exp.not_exported).toEqual([]);
    expect(Object.keys(exp.operations_required).sort()).toEqual(['ceil_div', 'fail', 'floor_div', 'round_div', 'scaled']);
    expect(exp.limits).toEqual({ x: { maximum: 1000, decimals: 2 } });
    const x = fc.integer({ min: -100_000, max: 100_000 }).map((cents) => cents / 100);
    withOperations(exp, () => fc.assert(fc.property(x, (x) => {
      const want = engineAnswer(engine, 'spreadsheet', 'signed', { x });
      const got = preview(exp, { x });
      if (want.kind === 'error') expect(got.kind).toBe('error');
      else expect(got).toEqual(want);
    }), { numRuns: 1000 }));
    const at = (x: number) => withOperations(exp, () => preview(exp, { x }));
    expect(at(-2.51)).toEqual({ kind: 'error', message: expect.stringContaining('same sign') });
    expect(at(2.51)).toMatchObject({ kind: 'accepted', outputs: { up: 2.6, away: 3, nearest: 5, remainder: 2.51, quarter: 2.5 } });
    expect(at(0)).toMatchObject({ kind: 'accepted', outputs: { up: 0, away: 0, nearest: 0, cube: 0 } });
  });

  it('TEXT, and a power whose exponent is not a constant, are named in not_exported', () => {
    const exp = exportOf('not_exported');
    expect(exp.not_exported.map((n) => JSON.stringify(n))).toEqual([
      expect.stringContaining('JavaScript writes numbers differently'), expect.stringContaining('the exponent must be a whole constant'),
    ]);
  });
});
