// The request corpora: generated from a pack's regression cases and random valid inputs with a
// fixed seed, and shipped beside each bundled pack (rules/<pack>/tests/corpus.jsonl).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { corpusText, RANDOM_PER_OPERATION } from '../../src/impact/corpus.ts';
import { compareImpact } from '../../src/impact/compare.ts';
import { sideOf } from '../../src/impact/pack-side.ts';
import { parseCorpus } from '../../src/impact/requests.ts';

describe('a generated corpus', () => {
  const engine = Engine.load('test/impact/fixtures/upscale');
  const text = corpusText(engine, 'upscale');
  const requests = parseCorpus(text, 'corpus.jsonl');

  test('is the same every time', () => {
    expect(corpusText(Engine.load('test/impact/fixtures/upscale'), 'upscale')).toBe(text);
  });

  test("starts with its regression cases' inputs, both sides of a comparison, without the cases that expect an error", () => {
    expect(text.split('\n').slice(0, 5)).toEqual([
      '{"operation":"upscale","input":{"megapixels":2}}',
      '{"operation":"upscale","input":{"megapixels":40}}',
      '{"operation":"upscale","input":{"megapixels":3,"factor":4}}',
      '{"operation":"upscale","input":{"megapixels":3,"factor":2}}',
      '{"operation":"upscale","input":{"megapixels":2,"factor":4},"at":"2026-02-01T00:00:00Z"}',
    ]);
  });

  test("then random inputs each operation's declarations allow, as many per operation", () => {
    const random = requests.slice(5);
    expect(random.filter((r) => r.operation === 'upscale')).toHaveLength(RANDOM_PER_OPERATION);
    expect(random.filter((r) => r.operation === 'remove_background')).toHaveLength(RANDOM_PER_OPERATION);
    for (const r of random) {
      const { megapixels, factor, tier, count } = r.input as Record<string, unknown>;
      if (r.operation === 'upscale') {
        expect(megapixels as number).toBeGreaterThanOrEqual(0.1);
        expect(megapixels as number).toBeLessThanOrEqual(64);
        expect([undefined, 2, 4]).toContain(factor);
        expect([undefined, 'free', 'pro']).toContain(tier);
      } else {
        expect(count === undefined || (Number.isInteger(count) && (count as number) >= 1 && (count as number) <= 10), JSON.stringify(r.input)).toBe(true);
      }
    }
    // Not all the same: the draws vary.
    expect(new Set(random.map((r) => JSON.stringify(r.input))).size).toBeGreaterThan(RANDOM_PER_OPERATION);
  });
});

describe.each(readdirSync('rules', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name))('the corpus shipped with rules/%s', (pack) => {
  test('prices on the pack as it is: every request accepted or refused by a constraint, none an error (else run `npm run corpus`)', () => {
    const path = `rules/${pack}/tests/corpus.jsonl`;
    const requests = parseCorpus(readFileSync(path, 'utf8'), path);
    expect(requests.length).toBeGreaterThan(50);
    const engine = Engine.load(`rules/${pack}`);
    const errors = requests.flatMap((r) => {
      try {
        engine.quote({ pack, operation: r.operation, input: r.input, at: r.at });
        return [];
      } catch (e) {
        return [`${r.where}: ${(e as Error).message}`];
      }
    });
    expect(errors).toEqual([]);
    const side = sideOf(engine, pack, `rules/${pack}`);
    const report = compareImpact(side, side, requests, { now: new Date(), examples: 0 });
    expect(report.totals).toMatchObject({ requests: requests.length, changed: 0, newlyRejected: 0, newlyAccepted: 0 });
    expect(report.totals.beforeTotal.isZero()).toBe(false);
  });
});
