// The engine may evaluate an operation through a fast path (scaled JS integers) and falls
// back to the exact decimal interpreter when it can't be sure. An explain quote always
// runs the interpreter, so the two must agree on every input: random inputs here, and the
// regression cases under rules/ pin the rest (test/rules).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Engine } from '../../src/engine/engine.ts';
import { runRegression, testFiles } from '../../src/engine/regression.ts';
import { toJsonText } from '../../src/value.ts';
import { engineFor, plain } from './helpers.ts';

/** Decimal numbers a JSON client sends: up to 7 integer digits, up to 8 decimals, either sign. */
const jsonNumber = fc.tuple(fc.integer({ min: -999_999, max: 999_999 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 99_999_999 }))
  .map(([whole, scale, fraction]) => Number(`${whole}.${String(fraction).padStart(8, '0').slice(0, scale) || '0'}`));

const input = fc.record({
  model: fc.constantFrom('a', 'b', 'c'),
  x: fc.oneof(jsonNumber, fc.integer({ min: -20, max: 20 })),
  y: fc.oneof(jsonNumber, fc.integer({ min: -20, max: 20 }), fc.constant(0)),
  n: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 100_000 })),
  flag: fc.boolean(),
});

describe('the fast path agrees with the exact interpreter', () => {
  test('on random inputs of an arithmetic operation', () => {
    const engine = engineFor('arith');
    fc.assert(fc.property(input, (i) => {
      const fast = engine.quote({ pack: 'arith', operation: 'price', input: i });
      const exact = engine.quote({ pack: 'arith', operation: 'price', input: i, explain: true });
      expect({ input: i, outputs: plain(fast.outputs) }).toEqual({ input: i, outputs: plain(exact.outputs) });
    }), { numRuns: 500 });
  });

  test('on random inputs of decision tables (first and unique), errors included', () => {
    const engine = engineFor('decisions');
    const outcome = (operation: string, i: Record<string, unknown>, explain: boolean): string => {
      try {
        return toJsonText(engine.quote({ pack: 'decisions', operation, input: i, explain }).outputs);
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    const request = fc.record({ tier: fc.constantFrom('free', 'starter', 'pro', 'enterprise'), size: fc.integer({ min: 0, max: 10_000 }) });
    fc.assert(fc.property(fc.constantFrom('first_fee', 'unique_fee'), request, (operation, i) => {
      expect({ operation, i, fast: outcome(operation, i, false) }).toEqual({ operation, i, fast: outcome(operation, i, true) });
    }), { numRuns: 300 });
  });
});

describe('the fast path agrees with the exact interpreter on the bundled packs', () => {
  const engine = Engine.load('rules');
  const outcome = (pack: string, operation: string, input: Record<string, unknown>, explain: boolean): string => {
    try {
      const q = engine.quote({ pack, operation, input, explain });
      return toJsonText({ outputs: q.outputs, rejections: q.rejections as never });
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };

  test('on random PixAI image requests: models, sizes, batches, steps, tools, tiers, LoRAs', () => {
    const request = fc.record({
      model: fc.constantFrom('moonbeam', 'haruka-v2', 'tsubaki.1', 'tsubaki.2'),
      width: fc.integer({ min: 64, max: 4096 }),
      height: fc.oneof(fc.integer({ min: 64, max: 4096 }), fc.constant(1024)),
      batch: fc.integer({ min: 1, max: 4 }),
      steps: fc.integer({ min: 10, max: 50 }),
      tools: fc.subarray(['hires', 'face_fix', 'hires']),
      priority: fc.boolean(),
      tier: fc.constantFrom('free', 'starter', 'hobbyist', 'pro'),
      loras: fc.integer({ min: 0, max: 12 }),
    }, { requiredKeys: ['width', 'height'] });
    fc.assert(fc.property(request, (i) => {
      expect({ i, fast: outcome('pixai', 'generate_image', i, false) }).toEqual({ i, fast: outcome('pixai', 'generate_image', i, true) });
    }), { numRuns: 1000 });
  });

  test('on random ModelPix generations: image tools (flat) and video tools (per second, by resolution)', () => {
    const request = fc.record({
      tool: fc.constantFrom('text_to_image', 'image_edit', 'face_swap', 'image_to_video', 'avatar_video', 'video_replace_background'),
      seconds: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.double({ min: 0, max: 600, noNaN: true }).map((x) => Math.round(x * 1000) / 1000)),
      resolution: fc.constantFrom('480p', '720p'),
    }, { requiredKeys: ['tool'] });
    fc.assert(fc.property(request, (i) => {
      expect({ i, fast: outcome('modelpix', 'generate', i, false) }).toEqual({ i, fast: outcome('modelpix', 'generate', i, true) });
    }), { numRuns: 500 });
  });

  test('on the inputs of every regression case of every pack', () => {
    const run = runRegression(engine);
    expect(run.results.length).toBeGreaterThan(100);
    for (const pack of engine.packs()) {
      for (const file of testFiles(pack.dir)) {
        const cases = (parse(readFileSync(file, 'utf8')) as { cases: { operation: string; input?: Record<string, unknown>; compare?: { left: object; right: object } }[] }).cases;
        for (const c of cases) {
          const inputs = c.compare ? [{ ...c.input, ...c.compare.left }, { ...c.input, ...c.compare.right }] : [c.input ?? {}];
          for (const input of inputs) {
            expect({ file, input, fast: outcome(pack.name, c.operation, input, false) }).toEqual({ file, input, fast: outcome(pack.name, c.operation, input, true) });
          }
        }
      }
    }
  });
});

describe('the fast path agrees with the interpreter on cases that once split them', () => {
  const engine = Engine.load(join(import.meta.dirname, '../fixtures/fast-edges'));
  const both = (operation: string, input: Record<string, unknown>): [string, string] => {
    const run = (explain: boolean): string => {
      try {
        return toJsonText(engine.quote({ pack: 'edges', operation, input, explain }).outputs);
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    return [run(false), run(true)];
  };

  test('a division by a large power of two whose quotient the interpreter rounds', () => {
    for (const x of [353, 357, 99999]) {
      const [fast, exact] = both('big_power_of_two', { x, y: 17592186.044416 });
      expect(fast).toBe(exact);
    }
  });

  test('a divisor of 2^50 loads and prices (it once hung the compiler)', () => {
    expect(both('huge_divisor', { x: 3 })).toEqual(['{"positive":true}', '{"positive":true}']);
  });

  test('-0 in, or made on the way, is 0 out, and leaves no trace in later results', () => {
    expect(both('identity', { x: -0 })).toEqual(['{"x":0}', '{"x":0}']);
    expect(both('difference', { x: 5 })).toEqual(['{"d":0,"c":0}', '{"d":0,"c":0}']);
    const d = engine.quote({ pack: 'edges', operation: 'difference', input: { x: 5 } }).outputs.d as unknown as { isNegative(): boolean };
    expect(d.isNegative()).toBe(false);
  });

  test('a number with more digits than a JSON number carries is refused by both', () => {
    const [fast, exact] = both('scaled', { x: 1234567890.123456 });
    expect(fast).toBe(exact);
    expect(fast).toMatch(/^error: .*more digits than a JSON number carries exactly/);
  });

  test('a first-hit decision table does not evaluate the rows after the match', () => {
    expect(both('first_row', { x: 5, d: 0 })).toEqual(['{"v":1}', '{"v":1}']);
    const [fast, exact] = both('first_row', { x: -5, d: 0 });
    expect(fast).toBe(exact);
    expect(fast).toMatch(/^error: division by zero/);
  });
});
