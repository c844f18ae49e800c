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
  fc.constantFrom(2 ** 52, 2 ** 52 + 1, 3 * 2 ** 50, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 - 3, 2 ** 53 - 2, 1 - 2 ** 53 + 1),
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

  test('rounding a quotient by a constant is exact up to 2^53 - 1, where the double quotient never crosses a whole number', () => {
    const op = engine.operation('lowered', 'near_limit').op;
    const quote = (n: number, explain: boolean) => toJsonText(engine.quote({ pack: 'lowered', operation: 'near_limit', input: { n }, explain }).outputs);
    const fallbacks = op.fastPath.fallbacks;
    for (let m = Number.MAX_SAFE_INTEGER; m > Number.MAX_SAFE_INTEGER - 40; m--) {
      for (const n of [m, -m, m - 2 ** 52, 2 ** 52 - m]) expect({ n, fast: quote(n, false) }).toEqual({ n, fast: quote(n, true) });
    }
    // ROUND needs the remainder m - q·3, exact only while |m| ≤ 2^53 - 3: the top three on each side give up; the other modes never do.
    expect(op.fastPath.fallbacks - fallbacks).toBe(6);
  });

  test('an input that is not an object of named inputs, or names one not declared, is the interpreter\'s to refuse', () => {
    const op = engine.operation('lowered', 'optional_only').op;
    const refusal = (input: unknown, trace: boolean): string => {
      try {
        return toJsonText(op.evaluate(input as Record<string, unknown>, { trace }).outputs);
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    for (const input of [null, [], [1], 'a', 5, { b: 1 }, { a: 2, b: 1 }, { a: null }, { a: undefined, b: 1 }]) {
      expect({ input, fast: refusal(input, false) }).toEqual({ input, fast: refusal(input, true) });
    }
    expect(refusal({}, false)).toBe('{"doubled":2}');
    expect(refusal({ a: 3 }, false)).toBe('{"doubled":6}');
  });

  test('most quotes are answered by the fast path itself', () => {
    const op = engine.operation('lowered', 'edges').op;
    const before = { runs: op.fastPath.runs, fallbacks: op.fastPath.fallbacks };
    for (let i = 1; i <= 100; i++) engine.quote({ pack: 'lowered', operation: 'edges', input: { x: i * 0.25, n: i * 7, k: [1, 2, 4, 5, -4][i % 5]! } }); // 1/3, or x ^ 2 past 2^53 at 12 decimals, would be the interpreter's
    expect(op.fastPath.runs - before.runs).toBe(100);
    expect(op.fastPath.fallbacks - before.fallbacks).toBe(0);
  });
});
