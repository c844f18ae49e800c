// Proration divides a price by 30 and multiplies by days: the quotient rarely terminates, so
// the engine must carry it exactly, whether the fast path or the interpreter answers.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { toJsonText } from '../../src/value.ts';
import { engineFor } from './helpers.ts';

const quote = (input: Record<string, unknown>, explain = false) =>
  toJsonText(engineFor('proration').quote({ pack: 'proration', operation: 'prorate', input, explain }).outputs);

/** ⌈a / b⌉ for b > 0, on BigInts. */
const ceilDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? (a + b - 1n) / b : a / b);

describe('proration through a pack', () => {
  test('CEIL(89 / 30 * 30) is 89, a full month never overcharged', () => {
    expect(quote({ price: 89, days: 30 })).toBe('{"charge":89,"exact_share":89,"video":0,"full_month":true}');
  });

  test('a share that does not terminate is shown with its mark, never as an exact number', () => {
    expect(quote({ price: 89, days: 17 })).toBe('{"charge":51,"exact_share":"50.433333333333333333…","video":0,"full_month":true}');
  });

  test('the explained quote (always the interpreter) gives the same outputs', () => {
    expect(quote({ price: 89, days: 17 }, true)).toBe(quote({ price: 89, days: 17 }));
  });

  test('a quotient passed to a called operation stays exact: a third of 100, three times, is 100', () => {
    const q = engineFor('proration').quote({ pack: 'proration', operation: 'split_three_ways', input: { price: 100 } });
    expect(toJsonText(q.outputs)).toBe('{"back_together":100}');
  });

  test('random prices, days, seconds and rates: exactly the BigInt reference, fast or explained', () => {
    const cents = fc.integer({ min: 0, max: 100_000_000 });
    fc.assert(fc.property(cents, fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }),
      (priceCents, days, seconds, rateCents) => {
        const input = { price: priceCents / 100, days, seconds, rate: rateCents / 100 };
        const charge = ceilDiv(BigInt(priceCents) * BigInt(days), 3000n);
        const video = ceilDiv(BigInt(seconds) * BigInt(rateCents), 6000n);
        const outputs = JSON.parse(quote(input)) as Record<string, unknown>;
        expect({ input, charge: outputs.charge, video: outputs.video, full_month: outputs.full_month })
          .toEqual({ input, charge: Number(charge), video: Number(video), full_month: true });
        expect({ input, explained: quote(input, true) }).toEqual({ input, explained: quote(input) });
      }), { numRuns: 300 });
  });
});
