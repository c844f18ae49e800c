// The builtins the fast path compiles from their declared lowerings (src/functions/lowering.ts):
// on random inputs, including integers near 2^53 where a remainder stops being exact, the fast
// path and the exact interpreter agree, and the operation stays on the fast path.
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { toJsonText } from '../../src/value.ts';

const engine = Engine.load(fileURLToPath(new URL('./fixtures/lowered', import.meta.url)));

function outcome(input: Record<string, unknown>, explain: boolean): string {
  try {
    return toJsonText(engine.quote({ pack: 'lowered', operation: 'edges', input, explain }).outputs);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

const x = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((c) => c / 100),
  fc.integer({ min: -999_999, max: 999_999 }),
  fc.constantFrom(0, 2.5, -2.5, 0.025, 350, -350, 0.07, 17.5),
);
const n = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: Number.MAX_SAFE_INTEGER - 10, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: -Number.MAX_SAFE_INTEGER + 10 }),
  fc.constantFrom(2 ** 52, 2 ** 52 + 1, 3 * 2 ** 50),
);

describe('builtins lowered for the fast path', () => {
  test('the operation is on the fast path', () => {
    expect(engine.operation('lowered', 'edges').op.fastPath.covered).toBe(true);
  });

  test('agree with the interpreter on random inputs, near 2^53 too', () => {
    fc.assert(fc.property(fc.record({ x, n, k: fc.integer({ min: -5, max: 5 }) }), (input) => {
      expect({ input, fast: outcome(input, false) }).toEqual({ input, fast: outcome(input, true) });
    }), { numRuns: 2000 });
  });

  test('most quotes are answered by the fast path itself', () => {
    const op = engine.operation('lowered', 'edges').op;
    const before = { runs: op.fastPath.runs, fallbacks: op.fastPath.fallbacks };
    for (let i = 1; i <= 100; i++) engine.quote({ pack: 'lowered', operation: 'edges', input: { x: i * 0.25, n: i * 7, k: [1, 2, 4, 5, -4][i % 5]! } }); // 1/3, or x ^ 2 past 2^53 at 12 decimals, would be the interpreter's
    expect(op.fastPath.runs - before.runs).toBe(100);
    expect(op.fastPath.fallbacks - before.fallbacks).toBe(0);
  });
});
