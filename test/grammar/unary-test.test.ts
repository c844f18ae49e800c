import { expect, test } from 'vitest';
import { parseUnaryTest } from '../../grammar/index.ts';
import { testTree } from './helpers.ts';

test.for([
  ['-', 'any'],
  ['  -  ', 'any'],
  ['25', '(== 25)'],
  ["'pro'", '(== "pro")'],
  ['true', '(== true)'],
  ['some_name', '(== some_name)'],
  ['-5', '(== (- 5))'],
  ['plan.limit * 2', '(== (* (. plan limit) 2))'],
  ['[1, 2]', '(== [1 2])'],
  ['(1 + 2)', '(== (+ 1 2))'],
  ['== 25', '(== 25)'],
  ['>= 25', '(>= 25)'],
  ['> 2.5%', '(> 0.025)'],
  ['< 1_280', '(< 1280)'],
  ['<= x + 1', '(<= (+ x 1))'],
  ["!= 'free'", '(!= "free")'],
  ["in ['pro', 'team']", '(in ["pro" "team"])'],
  ["not in ['free']", '(not in ["free"])'],
  ['NOT IN blocked_regions', '(not in blocked_regions)'],
  ['in allowed', '(in allowed)'],
  ['[1..4]', '[1 4]'],
  ['(1..4]', '(1 4]'],
  ['[1..4)', '[1 4)'],
  ['(0..1280)', '(0 1280)'],
  ['[0.5..1.5]', '[0.5 1.5]'],
  ['[-5..x * 2]', '[(- 5) (* x 2)]'],
  ['[(1 + 1)..LEN([1, 2])]', '[(+ 1 1) (LEN [1 2])]'],
  ['[min..max]', '[min max]'],
])('the condition %j is %s', ([text, want]) => {
  expect(testTree(parseUnaryTest(text))).toBe(want);
});

test('a condition spans its text without surrounding whitespace', () => {
  expect(parseUnaryTest('  >= 25 ').span).toEqual({ start: 2, end: 7 });
  expect(parseUnaryTest(' (0..1280) ').span).toEqual({ start: 1, end: 10 });
});
