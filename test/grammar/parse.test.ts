import { describe, expect, test } from 'vitest';
import { parseFormula, type Expr } from '../../grammar/index.ts';
import { tree } from './helpers.ts';

const parsed = (text: string) => tree(parseFormula(text));

describe('precedence and associativity', () => {
  test.for([
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['1 * 2 + 3', '(+ (* 1 2) 3)'],
    ['(1 + 2) * 3', '(* (+ 1 2) 3)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a - (b - c)', '(- a (- b c))'],
    ['a / b / c', '(/ (/ a b) c)'],
    ['a / b * c', '(* (/ a b) c)'],
    ['-a * b', '(* (- a) b)'],
    ['-a.b', '(- (. a b))'],
    ['--a', '(- (- a))'],
    ['a - -b', '(- a (- b))'],
    ['a + b == c * d', '(== (+ a b) (* c d))'],
    ['a < b and c >= d', '(and (< a b) (>= c d))'],
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['a or b or c', '(or (or a b) c)'],
    ['a and b and c', '(and (and a b) c)'],
    ['not a and b', '(and (not a) b)'],
    ['not a or b', '(or (not a) b)'],
    ['not x == y', '(not (== x y))'],
    ['not not x', '(not (not x))'],
    ['a and not b', '(and a (not b))'],
    ['x in xs', '(in x xs)'],
    ['x not in xs', '(not (in x xs))'],
    ['not x in xs', '(not (in x xs))'],
    ['x + 1 in [1, 2]', '(in (+ x 1) [1 2])'],
    ['x not in xs and y', '(and (not (in x xs)) y)'],
    ['a != b', '(!= a b)'],
    ['a <= b', '(<= a b)'],
    ['a > b', '(> a b)'],
    ['a AND b Or NOT c', '(or (and a b) (not c))'],
    ['a <> b', '(!= a b)'],
    ['2 ^ 3 * 4', '(* (^ 2 3) 4)'],
    ['2 * 3 ^ 4', '(* 2 (^ 3 4))'],
    ['2 ^ -1', '(^ 2 (- 1))'],
    ['(-2) ^ 2', '(^ (- 2) 2)'],
    ['-(2 ^ 2)', '(- (^ 2 2))'],
    ['rate% * 2', '(* (% rate) 2)'],
    ['(1 + 2)%', '(% (+ 1 2))'],
    ['10 %', '(% 10)'],
    ['a.b%', '(% (. a b))'],
    ['x% ^ 2', '(^ (% x) 2)'],
    ["'v' & 1 + 2", '(& "v" (+ 1 2))'],
    ["a & b == c", '(== (& a b) c)'],
    ["a & b & c", '(& (& a b) c)'],
    ['NOT(a) and b', '(and (NOT a) b)'],
    ['AND(a, b) or OR(c, d)', '(or (AND a b) (OR c d))'],
    ['not (a) == b', '(not (== a b))'],
  ])('%s groups as %s', ([text, want]) => {
    expect(parsed(text)).toBe(want);
  });
});

describe('literals', () => {
  test.for([
    ['200_000', '200000'],
    ['0.02', '0.02'],
    ['1_000.50', '1000.5'],
    ['20%', '0.2'],
    ['2.5%', '0.025'],
    ['100%', '1'],
    ['150%', '1.5'],
    ['0.5%', '0.005'],
    ['1_000.50%', '10.005'],
    ['0%', '0'],
    ['12345678901234567890.123456789%', '123456789012345678.90123456789'],
    ['1e3', '1000'],
    ['1E3', '1000'],
    ['2.5E-2', '0.025'],
    ['2.5e+2', '250'],
    ['1_000e-3', '1'],
    ['5e-1%', '0.005'],
    ['0e5', '0'],
    [`1e${400 - 1}`, `1${'0'.repeat(399)}`],
    [`1e-${400 - 1}`, `0.${'0'.repeat(398)}1`],
  ])('the number %s has the exact value %s', ([text, value]) => {
    expect(parseFormula(text)).toMatchObject({ kind: 'number', value, text });
  });

  test.for([
    [`'pro'`, 'pro'],
    [`"pro"`, 'pro'],
    [`'it\\'s'`, "it's"],
    [`"say \\"hi\\""`, 'say "hi"'],
    [`'a\\\\b'`, 'a\\b'],
    [`'line\\nnext\\tcol'`, 'line\nnext\tcol'],
    [`"it's"`, "it's"],
    [`''`, ''],
  ])('the string %s has the value %j', ([text, value]) => {
    expect(parseFormula(text)).toMatchObject({ kind: 'string', value });
  });

  test.for([
    ['true', true],
    ['FALSE', false],
    ['True', true],
  ] as const)('%s is the boolean %s', ([text, value]) => {
    expect(parseFormula(text)).toMatchObject({ kind: 'boolean', value });
  });

  test('names that merely start with a keyword are names', () => {
    expect(parsed('android + order + notes + input + trueish')).toBe('(+ (+ (+ (+ android order) notes) input) trueish)');
  });
});

describe('lists, records, calls, lambdas and postfix chains', () => {
  test.for([
    ['[]', '[]'],
    ['[1, 2, 3]', '[1 2 3]'],
    ['[1, 2, 3,]', '[1 2 3]'],
    ['[[1], [2, 3]]', '[[1] [2 3]]'],
    ['{}', '{}'],
    [`{model: x, 'odd key': y}`, '{model: x, odd key: y}'],
    ['{model: x,}', '{model: x}'],
    ['NOW()', '(NOW)'],
    ['ROUND(x, 2)', '(ROUND x 2)'],
    ['round(x, 2,)', '(round x 2)'],
    ['MAP(xs, x => x * 2)', '(MAP xs (=> (x) (* x 2)))'],
    ['REDUCE(xs, 0, (acc, x) => acc + x)', '(REDUCE xs 0 (=> (acc x) (+ acc x)))'],
    ['MAP(xs, (x) => x)', '(MAP xs (=> (x) x))'],
    ['FILTER(xs, x => x > 1 and x < 5)', '(FILTER xs (=> (x) (and (> x 1) (< x 5))))'],
    ['MAP(xs, x => MAP(x, y => y + 1))', '(MAP xs (=> (x) (MAP x (=> (y) (+ y 1)))))'],
    ['MAP(xs, (x))', '(MAP xs x)'],
    ['table[key].column', '(. ([] table key) column)'],
    ['run_model({model: m}).cost', '(. (run_model {model: m}) cost)'],
    ['steps[1].model', '(. ([] steps 1) model)'],
    ['a.b.c', '(. (. a b) c)'],
    ['a[1][2]', '([] ([] a 1) 2)'],
    ['[1, 2][1]', '([] [1 2] 1)'],
    ['(a + b).c', '(. (+ a b) c)'],
    ['1.5.x', '(. 1.5 x)'],
  ])('%s parses as %s', ([text, want]) => {
    expect(parsed(text)).toBe(want);
  });

  test('whitespace, including newlines, is insignificant', () => {
    expect(parsed('CEIL(\n  base *\n\t(1 + rate)\n)\n')).toBe(parsed('CEIL(base*(1+rate))'));
  });

  test('a call keeps its callee as written', () => {
    expect(parseFormula('  ceil(x)')).toMatchObject({ kind: 'call', callee: 'ceil', calleeSpan: { start: 2, end: 6 } });
  });
});

describe('spans', () => {
  const spanText = (text: string, pick: (e: Expr) => { start: number; end: number }) => {
    const span = pick(parseFormula(text));
    return text.slice(span.start, span.end);
  };

  test('the name `stpes` in `CEIL(base * stpes)` spans 12..17', () => {
    const call = parseFormula('CEIL(base * stpes)');
    if (call.kind !== 'call' || call.args[0].kind !== 'binary') throw new Error(`unexpected tree ${JSON.stringify(call)}`);
    expect(call.args[0].right).toEqual({ kind: 'name', name: 'stpes', span: { start: 12, end: 17 } });
    expect(call.span).toEqual({ start: 0, end: 18 });
    expect(call.args[0].span).toEqual({ start: 5, end: 17 });
    expect(call.args[0].opSpan).toEqual({ start: 10, end: 11 });
  });

  test.for([
    ['(a + b) * c', '(a + b) * c'],
    ['x + (y)', 'x + (y)'],
    [' -x ', '-x'],
    ['not  a', 'not  a'],
    ['x not in xs', 'x not in xs'],
    ['[1, 2 ,]', '[1, 2 ,]'],
    ['{a: 1}', '{a: 1}'],
    ['t[k].col', 't[k].col'],
  ])('the node of %j spans %j', ([text, want]) => {
    expect(spanText(text, (e) => e.span)).toBe(want);
  });

  test('the parenthesised node itself spans only what is inside the parentheses', () => {
    expect(spanText('( a + b )', (e) => e.span)).toBe('a + b');
  });

  test('member, record field and lambda spans', () => {
    const text = `MAP(rows, r => {cost: r.price * 2})`;
    const call = parseFormula(text);
    if (call.kind !== 'call') throw new Error('expected a call');
    const lambda = call.args[1];
    if (lambda.kind !== 'lambda' || lambda.body.kind !== 'record') throw new Error(`unexpected tree ${tree(call)}`);
    const field = lambda.body.fields[0];
    const member = field.value.kind === 'binary' ? field.value.left : field.value;
    if (member.kind !== 'member') throw new Error(`unexpected tree ${tree(call)}`);
    const at = (s: { start: number; end: number }) => text.slice(s.start, s.end);
    expect([at(lambda.span), at(lambda.params[0].span), at(field.span), at(member.span), at(member.propertySpan)])
      .toEqual(['r => {cost: r.price * 2}', 'r', 'cost: r.price * 2', 'r.price', 'price']);
  });
});
