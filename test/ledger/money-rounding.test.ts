// Amounts enter the ledger as whole minor units: an exact rule output, terminating or not, is
// rounded there by the pack's declared policy, and nowhere silently.
import { describe, expect, test } from 'vitest';
import { Decimal } from '../../src/decimal.ts';
import { ruleAmount, toMinor } from '../../src/ledger/money.ts';

const third = new Decimal(1).div(3);

describe('a rule output becomes minor units by the pack\'s rounding', () => {
  test.for([
    ['1/3 credit, up, 0 decimals', third, 0, 'up', 1n],
    ['1/3 credit, down, 0 decimals', third, 0, 'down', 0n],
    ['1/3 credit, half_up, 0 decimals', third, 0, 'half_up', 0n],
    ['2/3 credit, half_up, 0 decimals', third.times(2), 0, 'half_up', 1n],
    ['1/3 dollar, up, 2 decimals', third, 2, 'up', 34n],
    ['89 / 30 * 17 credits, up', new Decimal(89).div(30).times(17), 0, 'up', 51n],
    ['89 / 30 * 30 credits, up: exactly 89, never 90', new Decimal(89).div(30).times(30), 0, 'up', 89n],
    ['1.005 dollars, half_up, 2 decimals', new Decimal('1.005'), 2, 'half_up', 101n],
  ] as const)('%s', ([, value, decimals, rounding, minor]) => {
    expect(ruleAmount(value, decimals, rounding, 'cost')).toBe(minor);
  });

  test('toMinor refuses a value finer than the unit instead of rounding it', () => {
    expect(toMinor(new Decimal('12.5'), 2)).toBe(1250n);
    expect(() => toMinor(third, 2)).toThrow(/more than 2 decimals/);
    expect(() => toMinor(new Decimal('0.125'), 2)).toThrow(/more than 2 decimals/);
  });
});
