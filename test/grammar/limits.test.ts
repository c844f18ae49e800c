import { describe, expect, test } from 'vitest';
import { formatExpr, MAX_FORMULA_LENGTH, MAX_NESTING_DEPTH, parseFormula, parseUnaryTest } from '../../grammar/index.ts';
import { MAX_NUMBER_DIGITS } from '../../grammar/literals.ts';
import { ruleErrorOf } from './helpers.ts';

describe('length', () => {
  test(`a formula of ${MAX_FORMULA_LENGTH} characters is accepted, one more is not`, () => {
    const longest = `SUM([${Array.from({ length: 3000 }, () => '1').join(', ')}])`.padEnd(MAX_FORMULA_LENGTH);
    expect(longest.length).toBe(MAX_FORMULA_LENGTH);
    expect(parseFormula(longest).kind).toBe('call');
    const e = ruleErrorOf(() => parseFormula(`${longest}x`));
    expect([e.code, e.message, e.span]).toEqual([
      'formula-too-long', 'the formula is 10001 characters long; the limit is 10000', { start: 10_000, end: 10_001 },
    ]);
  });

  test('the limit is an option', () => {
    expect(ruleErrorOf(() => parseFormula('1 + 2', undefined, { maxLength: 4 })).code).toBe('formula-too-long');
    expect(ruleErrorOf(() => parseUnaryTest('>= 25', undefined, { maxLength: 4 })).message)
      .toBe('the condition is 5 characters long; the limit is 4');
  });

});

describe('nesting', () => {
  const nest = (open: string, close: string, depth: number) => `${open.repeat(depth)}x${close.repeat(depth)}`;

  // [what, opening text, closing text, offset of the nesting token in the opening text]
  test.for([
    ['parentheses', '(', ')', 0],
    ['lists', '[', ']', 0],
    ['records', '{a: ', '}', 0],
    ['calls', 'f(', ')', 1],
    ['indexes', 'x[', ']', 1],
    ['unary minus', '-', '', 0],
    ['not', 'not ', '', 0],
  ] as const)(`${MAX_NESTING_DEPTH} levels of %s are accepted, one more is not`, ([, open, close, offset]) => {
    expect(() => parseFormula(nest(open, close, MAX_NESTING_DEPTH))).not.toThrow();
    const e = ruleErrorOf(() => parseFormula(nest(open, close, MAX_NESTING_DEPTH + 1)));
    expect([e.code, e.message, e.span!.start]).toEqual([
      'nesting-too-deep', `the formula is nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`,
      MAX_NESTING_DEPTH * open.length + offset,
    ]);
  });

  test.for([
    ['(', 5000], ['[', 5000], ['-', 9999], ['not ', 2499], ['f(', 4999],
  ] as const)('%j repeated %i times fails cleanly instead of overflowing the stack', ([open, times]) => {
    expect(ruleErrorOf(() => parseFormula(open.repeat(times))).code).toBe('nesting-too-deep');
  });

  test('the depth limit is an option', () => {
    expect(() => parseFormula('((x))', undefined, { maxDepth: 2 })).not.toThrow();
    expect(ruleErrorOf(() => parseFormula('(((x)))', undefined, { maxDepth: 2 })).span).toEqual({ start: 2, end: 3 });
  });

  test(`a chain of ${MAX_NESTING_DEPTH} operators is accepted, one more is not, as chains nest in the tree`, () => {
    const chain = (operators: number) => Array.from({ length: operators + 1 }, () => 'x').join(' + ');
    expect(() => parseFormula(chain(MAX_NESTING_DEPTH))).not.toThrow();
    const e = ruleErrorOf(() => parseFormula(chain(MAX_NESTING_DEPTH + 1)));
    expect([e.code, e.span]).toEqual(['nesting-too-deep', { start: MAX_NESTING_DEPTH * 4 + 2, end: MAX_NESTING_DEPTH * 4 + 3 }]);
  });

  test.for([
    ['a chain of operators', `1${'+1'.repeat(4999)}`],
    ['a chain of members', `a${'.b'.repeat(4999)}`],
    ['a chain of indexes', `a${'[1]'.repeat(3333)}`],
    ['brackets and operators', `${'(1+'.repeat(2500)}1`],
  ])('%s as long as the length limit allows fails cleanly', ([, text]) => {
    expect(text.length).toBeLessThanOrEqual(MAX_FORMULA_LENGTH);
    expect(ruleErrorOf(() => parseFormula(text)).code).toBe('nesting-too-deep');
  });

  test('a tree at the depth limit formats without trouble', () => {
    const deepest = parseFormula(`${'-['.repeat(32)}x${']'.repeat(32)}`);
    expect(parseFormula(formatExpr(deepest))).toEqual(deepest);
  });
});

describe('digits of a number literal', () => {
  const limit = MAX_NUMBER_DIGITS;
  test.for([
    ['a whole number of the limit\'s digits', '9'.repeat(limit), true],
    ['one digit more', '9'.repeat(limit + 1), false],
    ['1,002 digits (once Infinity)', '9'.repeat(1002), false],
    ['a fraction down to 10^-(limit − 1)', `0.${'0'.repeat(limit - 2)}1`, true],
    ['one place further', `0.${'0'.repeat(limit - 1)}1`, false],
    ['0. and 1,001 zeros and 1 (once 0)', `0.${'0'.repeat(1001)}1`, false],
    ['an exponent at the limit', `1e${limit - 1}`, true],
    ['an exponent past it', `1e${limit}`, false],
    ['a negative exponent past it', `1e-${limit}`, false],
    ['a huge exponent, never written out', '1e999999999999', false],
    ['trailing zeros of a fraction, which are not digits of the value', `1.${'0'.repeat(limit + 10)}`, true],
  ] as const)('%s: %s accepted = %s', ([, text, accepted]) => {
    const formula = `2 + ${text}`;
    if (accepted) expect(parseFormula(formula).kind).toBe('binary');
    else {
      const e = ruleErrorOf(() => parseFormula(formula));
      expect([e.code, e.message, e.span]).toEqual([
        'number-out-of-range', `this number has more than ${limit} digits`, { start: 4, end: formula.length },
      ]);
    }
  });
});
