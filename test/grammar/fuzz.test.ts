import fc from 'fast-check';
import { expect, test } from 'vitest';
import { formatExpr, parseFormula, parseUnaryTest, RuleError } from '../../grammar/index.ts';
import { withoutSpans } from './helpers.ts';

const characters = fc.string({
  unit: fc.constantFrom(...'ab_1 0.%+-*/^=!<>&|()[]{},:\'"\\\n@é'.split('')),
  maxLength: 40,
});
const tokens = fc.array(
  fc.constantFrom(
    'x', 'f', 'MAP', '1', '2.5', '20%', '1_000', "'s'", '"t"', 'true', 'and', 'or', 'not', 'in', '+', '-', '*', '/',
    '^', '&', '%', '<>', 'AND(', 'NOT(',
    '==', '!=', '<', '<=', '>', '>=', '=', '=>', '.', '..', ',', ':', '(', ')', '[', ']', '{', '}', '%', "'", '&&',
  ),
  { maxLength: 25 },
).map((parts) => parts.join(' '));
const text = fc.oneof(characters, tokens);

/** Either a result, or a RuleError pointing inside the text — never another exception. */
function outcome(parse: (text: string) => unknown, input: string): unknown {
  try {
    return parse(input);
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    expect(e.source?.text).toBe(input);
    expect(e.span).toBeDefined();
    const { start, end } = e.span!;
    expect(0 <= start && start <= end && end <= input.length, `span ${start}..${end} in ${input.length} chars`).toBe(true);
    expect(e.format()).toContain(e.message);
    return undefined;
  }
}

test('any text parses as a formula or fails with a positioned RuleError', () => {
  fc.assert(fc.property(text, (input) => {
    outcome(parseFormula, input);
  }), { numRuns: 5000 });
});

test('any text parses as a condition or fails with a positioned RuleError', () => {
  fc.assert(fc.property(text, (input) => {
    outcome(parseUnaryTest, input);
  }), { numRuns: 3000 });
});

test('whatever parses, formats to a text that parses to the same tree', () => {
  fc.assert(fc.property(tokens, (input) => {
    const e = outcome(parseFormula, input) as ReturnType<typeof parseFormula> | undefined;
    if (e) expect(withoutSpans(parseFormula(formatExpr(e)))).toEqual(withoutSpans(e));
  }), { numRuns: 5000 });
});
