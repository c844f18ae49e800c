// The exactness contract of the JSON Logic export: float traps give the engine's numbers,
// inputs beyond the export's limits throw instead of answering, and what can't be computed
// exactly is named in not_exported rather than emitted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/check/check-paths.ts';
import { exportJsonLogic, type JsonLogicExport } from '../../src/compile/jsonlogic.ts';
import { Engine } from '../../src/engine/engine.ts';
import { engineAnswer, preview, withOperations } from './preview.ts';

const FIXTURE = 'test/jsonlogic/fixtures/traps';

function exportOf(dir: string, operation: string): { exp: JsonLogicExport; engine: Engine; pack: string } {
  const pack = loadWorkspace([dir]).packs[0]!;
  const version = pack.versions[0]!;
  const exp = exportJsonLogic(version.operations.get(operation)!, { pack: pack.decl.name, version: version.decl.version, unit: pack.decl.unit });
  return { exp, engine: Engine.load(dir), pack: pack.decl.name };
}

const traps = Object.fromEntries(['trap', 'fractions', 'inexact', 'workflow', 'bounded_lookup'].map((op) => [op, exportOf(FIXTURE, op)]));

describe('float traps', () => {
  it('CEIL(600 * 2 * (1 + 6 * 0.02)) is 1344 through json-logic-js, where plain floats give 1345', () => {
    expect(Math.ceil(600 * 2 * (1 + 6 * 0.02))).toBe(1345);
    const { exp } = traps.trap!;
    expect(exp.not_exported).toEqual([]);
    expect(Object.keys(exp.operations_required)).toEqual(['ceil_div']);
    const got = withOperations(exp, () => preview(exp, { base: 600, batch: 2, steps: 6 }));
    expect(got).toEqual({ kind: 'accepted', outputs: { cost: 1344, folded: 1344 } });
  });

  it('CEIL(base * batch * (1 + steps * 2%)) agrees with the engine on random inputs', () => {
    const { exp, engine, pack } = traps.trap!;
    withOperations(exp, () => fc.assert(fc.property(
      fc.record({ base: fc.integer({ min: 1, max: 10000 }), batch: fc.integer({ min: 1, max: 4 }), steps: fc.integer({ min: 0, max: 50 }) }),
      (input) => { expect(preview(exp, input)).toEqual(engineAnswer(engine, pack, 'trap', input)); },
    ), { numRuns: 2000 }));
  });

  it('decimal inputs are read as the engine reads them: 0.1 × 3 is exactly 0.3', () => {
    const { exp } = traps.fractions!;
    expect(exp.limits).toEqual({ price: { maximum: 1e6, decimals: 6 } });
    const got = withOperations(exp, () => preview(exp, { price: 0.1, qty: 3 }));
    expect(got).toEqual({ kind: 'accepted', outputs: { total: 0.3, exactly_three_tenths: true } });
  });

  it('ROUND(price * qty, 2) agrees with the engine for prices of up to 6 decimals', () => {
    const { exp, engine, pack } = traps.fractions!;
    const price = fc.integer({ min: 0, max: 1e9 }).map((micros) => Number(`${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`));
    withOperations(exp, () => fc.assert(fc.property(
      fc.record({ price, qty: fc.integer({ min: 1, max: 100 }) }),
      (input) => { expect(preview(exp, input)).toEqual(engineAnswer(engine, pack, 'fractions', input)); },
    ), { numRuns: 2000 }));
  });

  it('an input beyond the limits throws rather than answering approximately', () => {
    const { exp } = traps.fractions!;
    withOperations(exp, () => {
      expect(preview(exp, { price: 0.1234567, qty: 1 }).kind).toBe('outside-exact-range');
      expect(preview(exp, { price: 2e6, qty: 1 }).kind).toBe('outside-exact-range');
    });
  });
});

describe('what JSON Logic cannot express', () => {
  it('names quotients that do not terminate and operation calls in not_exported, with the reason', () => {
    const { exp } = traps.inexact!;
    expect(Object.keys(exp.outputs)).toEqual(['is_cheap']);
    expect(exp.not_exported).toEqual([
      { output: 'per_item', reason: expect.stringContaining('may not terminate; the engine keeps it exact') },
      { output: 'rounded', reason: expect.stringContaining('may not terminate; the engine keeps it exact') },
      { output: 'via_call', reason: expect.stringContaining("calls the operation 'double'") },
    ]);
  });

  it('still compares such a quotient exactly, by cross-multiplying', () => {
    const { exp, engine, pack } = traps.inexact!;
    withOperations(exp, () => {
      for (let total = 1; total <= 1000; total++) {
        for (let count = 1; count <= 4; count++) {
          const got = preview(exp, { total, count });
          const want = engineAnswer(engine, pack, 'inexact', { total, count });
          expect(got.kind === 'accepted' && got.outputs.is_cheap).toBe(want.kind === 'accepted' && want.outputs.is_cheap);
        }
      }
    });
  });
});

describe('lists of records and engine errors', () => {
  const { exp, engine, pack } = traps.workflow!;
  const both = (input: Record<string, unknown>) => [withOperations(exp, () => preview(exp, input)), engineAnswer(engine, pack, 'workflow', input)];

  it('sums a field over a list input and rejects as the engine does', () => {
    const [got, want] = both({ steps: [{ model: 'basic', gpu_seconds: 0.1 }, { model: 'basic', gpu_seconds: 0.2 }] });
    expect(got).toEqual({ kind: 'accepted', outputs: { seconds: 0.3 } });
    expect(got).toEqual(want);
    const [rejected, engineRejected] = both({ steps: [{ model: 'deluxe', gpu_seconds: 1 }] });
    expect(rejected).toEqual({ kind: 'rejected', messages: ['premium models need the pro plan, not free'] });
    expect(rejected).toEqual(engineRejected);
  });

  it('throws where the engine answers with an error (an unknown table key)', () => {
    const [got, want] = both({ steps: [{ model: 'nope', gpu_seconds: 1 }] });
    expect(want.kind).toBe('error');
    expect(got).toEqual({ kind: 'error', message: "table 'models' has no row with key 'nope'" });
  });

  it('keeps a failing lookup even where the bounds decide the comparison it sits in', () => {
    const { exp, engine, pack } = traps.bounded_lookup!;
    for (const model of ['basic', 'deluxe', 'nope']) {
      const want = engineAnswer(engine, pack, 'bounded_lookup', { model });
      const got = withOperations(exp, () => preview(exp, { model }));
      expect({ model, kind: got.kind }).toEqual({ model, kind: want.kind });
    }
    expect(withOperations(exp, () => preview(exp, { model: 'nope' })).kind).toBe('error');
  });

  it('declares only the operations its rules use', () => {
    expect(Object.keys(exp.operations_required)).toEqual(['fail', 'scaled']);
    expect(Object.keys(traps.inexact!.exp.operations_required)).toEqual([]);
  });
});

describe('a real pack', () => {
  it("pixai generate_image agrees with the engine on random requests (shape by aspect ratio, tools, tiers)", () => {
    const { exp, engine, pack } = exportOf('rules/pixai', 'generate_image');
    expect(exp.not_exported).toEqual([]);
    const input = fc.record({
      model: fc.constantFrom('moonbeam', 'haruka-v2', 'tsubaki.1', 'tsubaki.2'),
      width: fc.integer({ min: 64, max: 4096 }),
      height: fc.integer({ min: 64, max: 4096 }),
      batch: fc.integer({ min: 1, max: 4 }),
      steps: fc.integer({ min: 10, max: 50 }),
      tools: fc.subarray(['hires', 'face_fix']),
      priority: fc.boolean(),
      tier: fc.constantFrom('free', 'starter', 'hobbyist', 'pro'),
      loras: fc.integer({ min: 0, max: 12 }),
    });
    withOperations(exp, () => fc.assert(fc.property(input, (i) => { expect(preview(exp, i)).toEqual(engineAnswer(engine, pack, "generate_image", i)); }), { numRuns: 2000 }));
  });
});
