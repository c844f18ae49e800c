// Decision tables: hit policies first, unique and collect (sum, min, max, count, list),
// defaults, and the errors when no row or too many rows match.
import { describe, expect, test } from 'vitest';
import { engineFor, fixture, lineOf, plain, ruleErrorOf } from './helpers.ts';

const engine = () => engineFor('decisions');
const quote = (operation: string, input: Record<string, unknown>) => engine().quote({ pack: 'decisions', operation, input });
const outputs = (operation: string, input: Record<string, unknown>) => plain(quote(operation, input).outputs) as Record<string, unknown>;
const file = fixture('decisions/fees.yaml');

describe('hit policy first', () => {
  test('takes the first matching row even when later rows match too', () => {
    const got = [['free', 2000], ['free', 10], ['starter', 500], ['pro', 501]].map(([tier, size]) => outputs('first_fee', { tier, size }));
    expect(got.map((o) => [o.fee, o.label])).toEqual([
      ['50', 'big free'],
      ['10', 'free'],
      ['5', 'small paid'],
      ['1', 'anything'],
    ]);
  });

  test('uses the default when no row matches', () => {
    expect([outputs('first_fee', { tier: 'free', size: 1 }).defaulted, outputs('first_fee', { tier: 'enterprise', size: 1 }).defaulted]).toEqual(['99', '0']);
  });

  test('without a default, no matching row is an error naming the table and the value', () => {
    const e = ruleErrorOf(() => quote('strict_fee', { tier: 'free' }));
    expect({ code: e.code, message: e.message, line: e.position?.line }).toEqual({
      code: 'decision-no-match',
      message: "no row of decision table 'only_enterprise' matches tier = 'free'",
      line: lineOf(file, 'only_enterprise:'),
    });
  });

  test('a decision table listed as an output gives its record', () => {
    expect(outputs('strict_fee', { tier: 'enterprise' })).toEqual({ only_enterprise: { fee: '0' } });
  });
});

describe('hit policy unique', () => {
  test('gives the one matching row', () => {
    const got = [['free', 5], ['starter', 5], ['pro', 100], ['pro', 1500], ['pro', 600], ['pro', 1000]].map(([tier, size]) => outputs('unique_fee', { tier, size }).fee);
    expect(got).toEqual(['10', '20', '30', '40', '30', '40']);
  });

  test('two matching rows are an error naming both rows', () => {
    const e = ruleErrorOf(() => quote('unique_fee', { tier: 'pro', size: 700 }));
    const rows = [lineOf(file, `["'pro'", "< 1000", 30]`), lineOf(file, `["'pro'", "(600..size_limit]", 40]`)];
    expect({ code: e.code, message: e.message }).toEqual({
      code: 'decision-not-unique',
      message: `decision table 'fee_table' is 'unique' but 2 rows match (lines ${rows[0]} and ${rows[1]}) for tier = 'pro', size = 700`,
    });
  });
});

describe('hit policy collect', () => {
  test('aggregates every matching row with sum, max, count and list', () => {
    expect([outputs('surcharges', { size: 6000 }), outputs('surcharges', { size: 500 })]).toEqual([
      { sum: '7.75', max: '9', count: '3', list: ['over 100', 'over 1000', 'not tiny'] },
      { sum: '1.5', max: '7', count: '1', list: ['over 100', 'not tiny'] },
    ]);
  });

  test('with no matching row, sum and count are 0, list is empty and max takes its default', () => {
    expect(outputs('surcharges', { size: 1 })).toEqual({ sum: '0', max: '0', count: '0', list: [] });
  });

  test('aggregates with min', () => {
    expect([outputs('cheapest', { size: 6000 }).min, outputs('cheapest', { size: 2000 }).min, outputs('cheapest', { size: 101 }).min]).toEqual(['3', '3', '7']);
  });

  test('with no matching row and no default, min is an error', () => {
    const e = ruleErrorOf(() => quote('cheapest', { size: 50 }));
    expect({ code: e.code, message: e.message }).toEqual({ code: 'decision-no-match', message: "no row of decision table 'by_min' matches size = 50, so it has no min" });
  });
});
