// Which operations the fast path covers is part of the engine's speed: each compiled operation
// says whether it is on the fast path and how often a quote fell back to the interpreter, and
// no operation of the bundled packs that is covered today may silently stop being covered.
import { describe, expect, test } from 'vitest';
import { loadWorkspace } from '../../src/check/check-paths.ts';
import { compilePack } from '../../src/compile/compile-pack.ts';
import type { CompiledOperation } from '../../src/compile/compile-operation.ts';

function operations(dir: string): Map<string, CompiledOperation> {
  const all = new Map<string, CompiledOperation>();
  for (const pack of loadWorkspace([dir]).packs) {
    for (const v of compilePack(pack).versions) {
      for (const [name, op] of v.operations) all.set(`${pack.decl.name}/${v.version}/${name}`, op);
    }
  }
  return all;
}

/** Covered when spreadsheet semantics arrived (CEIL/FLOOR with a significance, ^, &, %, <>, AND/OR/NOT). */
const COVERED = [
  'modelpix/2026.1/generate', 'modelpix/2026.1/refund', 'modelpix/2026.1/grants',
  'picsart/2026.1/edit', 'picsart/2026.1/estimate_project', 'picsart/2026.1/generate_image', 'picsart/2026.1/generate_video', 'picsart/2026.1/plan_credits',
  'pixai/2026.1/generate_image', 'pixai/2026.1/membership', 'pixai/2026.1/topup', 'pixai/2026.1/upgrade', 'pixai/2026.1/train_lora',
  'pixelflow/2026.1/plan_credits', 'pixelflow/2026.1/signup', 'pixelflow/2026.1/run_model',
  // Seed operations added with issue 10 (PixAI's other tools and cosmetics, Picsart's free trial).
  'picsart/2026.1/free_trial',
  'pixai/2026.1/edit_image', 'pixai/2026.1/enhance_image', 'pixai/2026.1/generate_video', 'pixai/2026.1/toolbox', 'pixai/2026.1/buy_cosmetic',
];

describe('fast path coverage', () => {
  const bundled = operations('rules');

  test('every bundled-pack operation covered before stays on the fast path', () => {
    const lost = COVERED.filter((name) => !bundled.get(name)?.fastPath.covered);
    expect(lost, 'these operations no longer take the fast path').toEqual([]);
  });

  test('CEIL with a power-of-ten significance stays on the fast path (test/fixtures/arith)', () => {
    expect(operations('test/fixtures/arith').get('arith/1/price')?.fastPath.covered).toBe(true);
  });

  test('each quote through the fast path is counted, and so is each fallback to the interpreter', () => {
    const op = operations('test/fixtures/arith').get('arith/1/price')!;
    const input = { model: 'b', x: 0, y: 1, n: 1 };
    op.evaluate(input);
    op.evaluate(input, { trace: true });
    expect({ runs: op.fastPath.runs, fallbacks: op.fastPath.fallbacks }).toEqual({ runs: 1, fallbacks: 0 });
    op.evaluate({ ...input, x: 1.5 }); // the generated code gives up on this one, and the interpreter answers
    expect({ runs: op.fastPath.runs, fallbacks: op.fastPath.fallbacks }).toEqual({ runs: 2, fallbacks: 1 });
  });
});
