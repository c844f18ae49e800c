import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  formatExpr, formatUnaryTest, parseFormula, parseUnaryTest, type Expr, type UnaryTest,
} from '../../grammar/index.ts';
import { numberValue } from '../../grammar/literals.ts';
import { withoutSpans } from './helpers.ts';

describe('formatExpr writes the canonical form', () => {
  test.for([
    ['1+2*3', '1 + 2 * 3'],
    ['(1 + 2) * 3', '(1 + 2) * 3'],
    ['((a))', 'a'],
    ['a - (b - c)', 'a - (b - c)'],
    ['(a - b) - c', 'a - b - c'],
    ['a / (b * c)', 'a / (b * c)'],
    ['-(a + b)', '-(a + b)'],
    ['- - a', '--a'],
    ['a - -b', 'a - -b'],
    ['(-a).b', '(-a).b'],
    ['-(a.b)', '-a.b'],
    ['(a < b) == (c < d)', '(a < b) == (c < d)'],
    ['a or (b and c)', 'a or b and c'],
    ['(a or b) and c', '(a or b) and c'],
    ['a and (b and c)', 'a and (b and c)'],
    ['not (a and b)', 'not (a and b)'],
    ['(not a) and b', 'not a and b'],
    ['not (x == y)', 'not x == y'],
    ['not (x in xs)', 'x not in xs'],
    ['(x not in xs) == false', '(x not in xs) == false'],
    ['NOT  x   IN xs', 'x not in xs'],
    ['A AND B', 'A and B'],
    ['200_000 * 20%', '200_000 * 20%'],
    [`"it's"`, `'it\\'s'`],
    [`"a\\\\b\\n\\t\\""`, `'a\\\\b\\n\\t"'`],
    ['TRUE', 'true'],
    ['[1,2,]', '[1, 2]'],
    [`{ model : x , 'odd key' : y, "and": 1 }`, `{model: x, 'odd key': y, 'and': 1}`],
    ['run_model( { model : m } ).cost', 'run_model({model: m}).cost'],
    ['table[ key ].column', 'table[key].column'],
    ['MAP(xs, (x) => x * 2)', 'MAP(xs, x => x * 2)'],
    ['REDUCE(xs, 0, (acc,x)=>acc+x)', 'REDUCE(xs, 0, (acc, x) => acc + x)'],
    ['(1 + 2).x', '(1 + 2).x'],
    ['[1, 2][1]', '[1, 2][1]'],
  ])('%s is written %s', ([text, want]) => {
    expect(formatExpr(parseFormula(text))).toBe(want);
  });

  test.for([
    ['  -  ', '-'],
    ['== 25', '25'],
    ["!='free'", "!= 'free'"],
    ['>= x + 1', '>= x + 1'],
    ['== (a or b)', '(a or b)'],
    ['< (a == b)', '< (a == b)'],
    ['NOT IN [1,2]', 'not in [1, 2]'],
    ['in xs', 'in xs'],
    ['( 0 .. 1280 ]', '(0..1280]'],
    ['[1..4)', '[1..4)'],
  ])('the condition %s is written %s', ([text, want]) => {
    expect(formatUnaryTest(parseUnaryTest(text))).toBe(want);
  });
});

// ---- random trees: formatting then parsing gives the same tree back ----

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false']);
const identifier = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/)
  .filter((s) => !KEYWORDS.has(s.toLowerCase()));
const span = { start: 0, end: 0 };
const numberText = fc.stringMatching(/^\d{1,4}(_\d{1,3})?(\.\d{1,3})?([eE][+-]?\d{1,2})?%?$/);
const anyText = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', "'", '"', '\\', '\n', '\t', '.', 'é', '%'), maxLength: 8 });

type ExprTree = { expr: Expr };
const { expr } = fc.letrec<ExprTree>((tie) => {
  const sub = tie('expr');
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    numberText.map((text): Expr => ({ kind: 'number', text, value: numberValue(text)!, span })),
    anyText.map((value): Expr => ({ kind: 'string', value, span })),
    fc.boolean().map((value): Expr => ({ kind: 'boolean', value, span })),
    identifier.map((name): Expr => ({ kind: 'name', name, span })),
  );
  const lambda = fc.record({ params: fc.uniqueArray(identifier, { minLength: 1, maxLength: 3 }), body: sub })
    .map(({ params, body }): Expr => ({ kind: 'lambda', params: params.map((name) => ({ name, span })), body, span }));
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(sub, { maxLength: 3 }).map((items): Expr => ({ kind: 'list', items, span })),
      fc.uniqueArray(fc.tuple(fc.oneof(identifier, anyText), sub), { maxLength: 3, selector: ([name]) => name })
        .map((fields): Expr => ({ kind: 'record', fields: fields.map(([name, value]) => ({ name, value, span })), span })),
      fc.tuple(sub, identifier).map(([object, property]): Expr => ({ kind: 'member', object, property, propertySpan: span, span })),
      fc.tuple(sub, sub).map(([object, index]): Expr => ({ kind: 'index', object, index, span })),
      fc.tuple(identifier, fc.array(fc.oneof(sub, lambda), { maxLength: 3 }))
        .map(([callee, args]): Expr => ({ kind: 'call', callee, calleeSpan: span, args, span })),
      fc.tuple(fc.constantFrom('-', 'not', '%' as const), sub).map(([op, operand]): Expr => ({ kind: 'unary', op, operand, span })),
      fc.tuple(
        fc.constantFrom('+', '-', '*', '/', '^', '&', '==', '!=', '<', '<=', '>', '>=', 'and', 'or', 'in' as const), sub, sub,
      ).map(([op, left, right]): Expr => ({ kind: 'binary', op, left, right, opSpan: span, span })),
    ),
  };
});

const value = expr;
const unaryTest: fc.Arbitrary<UnaryTest> = fc.oneof(
  fc.constant<UnaryTest>({ kind: 'any', span }),
  fc.tuple(fc.constantFrom('==', '!=', '<', '<=', '>', '>=' as const), value)
    .map(([op, v]): UnaryTest => ({ kind: 'compare', op, value: v, span })),
  fc.tuple(fc.boolean(), value).map(([negated, list]): UnaryTest => ({ kind: 'in', negated, list, span })),
  fc.tuple(value, value, fc.boolean(), fc.boolean()).map(([low, high, lowInclusive, highInclusive]): UnaryTest => (
    { kind: 'range', low, high, lowInclusive, highInclusive, span })),
);

describe('formatted trees parse back to themselves', () => {
  test('for formulas', () => {
    fc.assert(fc.property(expr, (e) => {
      expect(withoutSpans(parseFormula(formatExpr(e)))).toEqual(withoutSpans(e));
    }), { numRuns: 2000 });
  });

  test('for conditions', () => {
    fc.assert(fc.property(unaryTest, (t) => {
      expect(withoutSpans(parseUnaryTest(formatUnaryTest(t)))).toEqual(withoutSpans(t));
    }), { numRuns: 1000 });
  });
});
