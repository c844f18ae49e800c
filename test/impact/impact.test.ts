// The impact diff's core: two versions of a small pack over a small corpus, with every
// figure pinned (worked out by hand in the comments), and its parts one by one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { RuleError } from '../../grammar/diagnostic.ts';
import { Decimal } from '../../src/decimal.ts';
import { compareImpact, type Tally } from '../../src/impact/compare.ts';
import { failedGates, parseGate } from '../../src/impact/fail-if.ts';
import { sqliteHistory } from '../../src/impact/ledger-history.ts';
import { loadSide } from '../../src/impact/load-side.ts';
import { parseCorpus, readCorpus } from '../../src/impact/requests.ts';
import { histogram } from '../../src/impact/histogram.ts';
import { distribution } from '../../src/impact/stats.ts';

const PACK = 'test/impact/fixtures/upscale';
const CORPUS = 'test/impact/fixtures/upscale/tests/corpus.jsonl';
const now = new Date('2026-03-01T00:00:00Z');

function report(before = `${PACK}@1`, after = `${PACK}@2`, at = now) {
  const [b, a] = [loadSide(before), loadSide(after)];
  return compareImpact(b.side, a.side, readCorpus(CORPUS), { now: at, examples: 1 });
}

const figures = (t: Tally) => ({
  requests: t.requests, changed: t.changed, newly_rejected: t.newlyRejected, newly_accepted: t.newlyAccepted,
  before: t.beforeTotal.toFixed(), after: t.afterTotal.toFixed(), delta: t.delta.toFixed(), percent: t.deltaPercent?.toFixed(2, Decimal.ROUND_HALF_UP),
  distribution: t.distribution && Object.values(t.distribution).map((d) => d.toFixed()),
});

describe('an impact diff between two versions of a pack', () => {
  test('counts, totals, change and distribution per operation, over all and per account', () => {
    const r = report();
    expect(Object.fromEntries(r.operations.map((o) => [o.operation, figures(o)]))).toEqual({
      // 40, 50, 10 → 40, 4 each less; 3 × 5 = 15 → 12, 1 × 5 → 4
      remove_background: { requests: 3, changed: 3, newly_rejected: 0, newly_accepted: 0, before: '70', after: '56', delta: '-14', percent: '-20.00', distribution: ['-10', '-6.5', '-3', '-2', '-1'] },
      // 24 → 30, 57 → 60, rejected → 60, 480 → rejected, 90 → 120
      upscale: { requests: 5, changed: 3, newly_rejected: 1, newly_accepted: 1, before: '651', after: '270', delta: '-381', percent: '-58.53', distribution: ['3', '4.5', '6', '18', '30'] },
    });
    expect(figures(r.totals)).toEqual({
      requests: 8, changed: 6, newly_rejected: 1, newly_accepted: 1, before: '721', after: '326', delta: '-395', percent: '-54.79', distribution: ['-10', '-2.5', '1', '5.25', '30'],
    });
    expect(r.accounts!.map((a) => [a.account, a.requests, a.beforeTotal.toFixed(), a.afterTotal.toFixed()])).toEqual([['a', 2, '81', '90'], ['b', 2, '65', '52']]);
  });

  test('the examples are the largest increase and decrease and the first newly rejected and accepted, traced on both sides', () => {
    const up = report().operations.find((o) => o.operation === 'upscale')!;
    expect(up.examples.map((e) => [e.kind, e.request.where, e.change?.toFixed() ?? null])).toEqual([
      ['increase', `${CORPUS}:5`, '30'], ['newly_rejected', `${CORPUS}:4`, null], ['newly_accepted', `${CORPUS}:3`, null],
    ]);
    const e = up.examples[0]!;
    expect([e.before.trace?.map((t) => t.name), e.after.trace?.map((t) => t.name)]).toEqual([
      ['megapixels', 'factor', 'tier', 'per_megapixel', 'discount', 'cost'], ['megapixels', 'factor', 'tier', 'per_megapixel', 'discount', 'cost'],
    ]);
  });

  test('an unpinned side prices each request with the version in force at its time', () => {
    // Both sides are the whole pack: before June version 1 prices everything, so nothing changes.
    const same = report(PACK, `${PACK}@2`, now);
    expect(figures(same.totals)).toMatchObject({ before: '721', after: '326' });
    const later = report(PACK, `${PACK}@2`, new Date('2026-07-01T00:00:00Z'));
    expect(figures(later.totals)).toMatchObject({ changed: 0, before: '326', after: '326', delta: '0', percent: '0.00' });
  });

  test('a version is named by its name or its place, and an unknown one is an error listing them', () => {
    expect(loadSide(`${PACK}@2`).side.pinned?.version).toBe('2');
    const e = (() => { try { loadSide(`${PACK}@2026.1`); } catch (err) { return err as RuleError; } })()!;
    expect([e.code, e.message, e.hint]).toEqual(['unknown-version', `${PACK}@2026.1: pack 'upscale' has no version '2026.1'`, 'its versions, oldest first: 1, 2 (or @1 … @2)']);
  });
});

describe('quartiles are exact, interpolated between values', () => {
  test.each([
    [['5'], ['5', '5', '5', '5', '5']],
    [['1', '2', '3', '4'], ['1', '1.75', '2.5', '3.25', '4']],
    [['4', '1', '3', '2', '5'], ['1', '2', '3', '4', '5']],
    [['1', '2'], ['1', '1.25', '1.5', '1.75', '2']],
    [['0.1', '0.2', '1/3'].map((x) => x), ['0.1', '0.15', '0.2', '0.26666666666666666666…', '0.33333333333333333333…']],
  ])('%j → min, q1, median, q3, max %j', (values, want) => {
    const parse = (x: string) => (x.includes('/') ? new Decimal(1).div(3) : new Decimal(x));
    expect(Object.values(distribution(values.map(parse))!).map((d) => d.toFixed())).toEqual(want);
  });
});

describe('a histogram of per-request change', () => {
  // "step: from..to=count …", the unchanged bucket written 0..0
  const shown = (values: string[]) => {
    const h = histogram(values.map((v) => new Decimal(v)));
    return h && `${h.step.toFixed()}: ${h.buckets.map((b) => `${b.from.toFixed()}..${b.to.toFixed()}=${b.count}`).join(' ')}`;
  };
  test.each([
    // decreases are closed below, increases above, so -2 and +2 sit in the buckets nearest zero
    [['-2', '0', '0', '2'], '1: -2..-1=1 -1..0=0 0..0=2 0..1=0 1..2=1'],
    [['-4', '4', '0'], '1: -4..-3=1 -3..-2=0 -2..-1=0 -1..0=0 0..0=1 0..1=0 1..2=0 2..3=0 3..4=1'],
    // a span of 40 in at most 20 buckets: steps of 2, the unchanged bucket besides
    [['-10', '-3', '-1', '3', '6', '30'], `2: -10..-8=1 -8..-6=0 -6..-4=0 -4..-2=1 -2..0=1 0..0=0 0..2=0 2..4=1 4..6=1 ${[6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26].map((n) => `${n}..${n + 2}=0`).join(' ')} 28..30=1`],
    // all increases: no unchanged bucket; the step is 5 (2 would need 21 buckets)
    [['1', '41'], `5: 0..5=1 ${[5, 10, 15, 20, 25, 30, 35].map((n) => `${n}..${n + 5}=0`).join(' ')} 40..45=1`],
    [['0', '0'], '1: 0..0=2'],
    [['-381'], '20: -400..-380=1'],
    // fractions of a credit: a step of 0.05, no finer than the changes' own decimals
    [['0.25', '-0.5'], '0.05: -0.5..-0.45=1 -0.45..-0.4=0 -0.4..-0.35=0 -0.35..-0.3=0 -0.3..-0.25=0 -0.25..-0.2=0 -0.2..-0.15=0 -0.15..-0.1=0 -0.1..-0.05=0 -0.05..0=0 0..0=0 0..0.05=0 0.05..0.1=0 0.1..0.15=0 0.15..0.2=0 0.2..0.25=1'],
  ])('%j → %s', (values, want) => {
    expect(shown(values)).toBe(want);
  });

  test('no changes, no histogram; every operation and the totals have one', () => {
    expect(histogram([])).toBeUndefined();
    const r = report(PACK, `${PACK}@2`, new Date('2026-07-01T00:00:00Z'));
    // nothing changed: every request both sides accept is in the unchanged bucket
    expect(r.operations.map((o) => [o.operation, o.histogram?.buckets.map((b) => [b.from.toFixed(), b.to.toFixed(), b.count])])).toEqual([
      ['remove_background', [['0', '0', 3]]], ['upscale', [['0', '0', 4]]],
    ]);
  });
});

describe('--fail-if gates', () => {
  const r = report();
  test.each([
    ['increase > 5%', []],
    ['decrease > 50%', ['upscale 58.53%', 'all operations 54.79%']],
    ['decrease > 20%', ['upscale 58.53%', 'all operations 54.79%']],
    ['decrease >= 20%', ['remove_background 20.00%', 'upscale 58.53%', 'all operations 54.79%']],
    ['delta < -390', ['all operations -395']],
    ['newly_rejected > 0', ['upscale 1', 'all operations 1']],
    ['newly_accepted == 0', ['remove_background 0']],
    ['max_increase >= 30', ['upscale 30', 'all operations 30']],
    ['max_increase > 30%', ['upscale 33.33%', 'all operations 33.33%']],
    ['max_decrease > 5', ['remove_background 10', 'all operations 10']],
    ['changed > 70%', ['remove_background 100.00%', 'all operations 75.00%']],
    ['changed != 3', ['all operations 6']],
  ])('%s holds for %j', (gate, want) => {
    expect(failedGates([parseGate(gate)], r).map((f) => `${f.scope} ${f.value}`)).toEqual(want);
  });

  test.each([
    ['', 'expected a measure first', 1],
    ['increse > 5%', "unknown measure 'increse'", 1],
    ['increase 5%', 'expected a comparison (>, >=, <, <=, ==, !=)', 10],
    ['increase > five', 'expected a number, or a percentage like 5%', 12],
    ['  increase => 5', 'expected a comparison', 12],
  ])('%j is refused: %s, at column %i', (gate, message, col) => {
    const e = (() => { try { parseGate(gate); } catch (err) { return err as RuleError; } })();
    expect(e).toBeInstanceOf(RuleError);
    expect(e!.message).toContain(message);
    expect(e!.position?.col).toBe(col);
  });
});

describe('a corpus line that is not a request is an error at its file:line:col', () => {
  test.each([
    ['{"operation": "upscale", "input": {"megapixels": 2}', 'not valid JSON', 52],
    ['["upscale"]', 'a request must be a JSON object', 1],
    ['{"operation": "upscale", "inputs": {}}', "unknown field 'inputs'", 26],
    ['{"operation": 3, "input": {}}', '"operation" must be the name of an operation', 2],
    ['{"operation": "upscale", "input": [2]}', '"input" must be a JSON object', 26],
    ['{"operation": "upscale", "input": {}, "at": "2026-13-01"}', '"at" must be an ISO 8601 time', 39],
    ['{"operation": "upscale", "input": {}, "account": 7}', '"account" must be an account id', 39],
  ])('%s: %s', (line, message, col) => {
    const text = `{"operation": "upscale", "input": {"megapixels": 2}}\n\n${line}\n`;
    const e = (() => { try { parseCorpus(text, 'corpus.jsonl'); } catch (err) { return err as RuleError; } })();
    expect(e, 'an error').toBeInstanceOf(RuleError);
    expect(e!.message).toContain(message);
    expect(e!.position).toEqual({ file: 'corpus.jsonl', line: 3, col });
    expect(e!.format()).toContain(`3 | ${line}`);
  });

  test('blank lines are skipped and each request remembers its line', () => {
    const rs = parseCorpus('\n{"operation": "a", "input": {}, "at": "2026-02-01T00:00:00Z", "account": "x"}\n\n{"operation": "b", "input": {"n": 1}}', 'c.jsonl');
    expect(rs.map((r) => [r.where, r.operation, r.at?.toISOString() ?? null, r.account ?? null])).toEqual([
      ['c.jsonl:2', 'a', '2026-02-01T00:00:00.000Z', 'x'], ['c.jsonl:4', 'b', null, null],
    ]);
  });
});

describe('a ledger database to read charges from', () => {
  test('an SQLite file that is not a credits ledger is an error saying so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-a-ledger-'));
    try {
      const path = join(dir, 'other.db');
      const db = new Database(path);
      db.exec('CREATE TABLE things (id TEXT)');
      db.close();
      const e = (() => { try { sqliteHistory(path); } catch (err) { return err as RuleError; } })();
      expect([e?.code, e?.message]).toEqual(['not-a-ledger', `${path} is not a credits ledger database: it has no charges table`]);
      const missing = (() => { try { sqliteHistory(join(dir, 'none.db')); } catch (err) { return err as RuleError; } })();
      expect(missing?.code).toBe('not-a-ledger');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
