import { describe, expect, test } from 'vitest';
import { parseFormula, parseUnaryTest, type Source } from '../../grammar/index.ts';
import { ruleErrorOf } from './helpers.ts';

interface Case {
  text: string;
  code?: string;
  message: string;
  /** 1-based column of the error's span start. */
  column: number;
  /** The underlined text; defaults to a zero-width span at the end of the text. */
  underlined?: string;
  hint?: string;
}

function check(parse: (text: string) => unknown, { text, code = 'syntax', message, column, underlined, hint }: Case) {
  const e = ruleErrorOf(() => parse(text));
  const got = {
    code: e.code, message: e.message, column: e.position?.col,
    underlined: e.span && text.slice(e.span.start, e.span.end), hint: e.hint,
  };
  expect(got).toEqual({ code, message, column, underlined: underlined ?? '', hint });
}

describe('syntax errors in formulas', () => {
  test.for<Case>([
    { text: '', message: 'the formula is empty', column: 1 },
    { text: '1 +', message: "expected an expression after '+'", column: 4 },
    { text: '1 + * 2', message: "expected an expression after '+'", column: 5, underlined: '*' },
    { text: '* 2', message: "expected an expression, found '*'", column: 1, underlined: '*' },
    { text: '()', message: "expected an expression after '('", column: 2, underlined: ')' },
    { text: 'f(,)', message: "expected an expression after '('", column: 3, underlined: ',' },
    { text: '[1, , 2]', message: "expected an expression after ','", column: 5, underlined: ',' },
    { text: 'a ==', message: "expected an expression after '=='", column: 5 },
    { text: '.5', message: "expected an expression, found '.'", column: 1, underlined: '.',
      hint: 'a number needs a digit before its point, like 0.5' },
    { text: '1 + not x', message: "expected an expression after '+'", column: 5, underlined: 'not',
      hint: "'not' binds more loosely than '+'; put it in parentheses: (not …)" },
    { text: 'CEIL((x + 1)', message: "missing ')' to close '(' at column 5", column: 13 },
    { text: '(1 + 2', message: "missing ')' to close '(' at column 1", column: 7 },
    { text: '[1, 2', message: "missing ']' to close '[' at column 1", column: 6 },
    { text: '{a: 1', message: "missing '}' to close '{' at column 1", column: 6 },
    { text: '[1, 2)', message: "missing ']' to close '[' at column 1", column: 6, underlined: ')' },
    { text: 'a +\n  (b *\n     c', message: "missing ')' to close '(' at line 2, column 3", column: 7 },
    { text: 'f(1 2)', message: "unexpected '2'", column: 5, underlined: '2', hint: "expected ')' to close '(' at column 2" },
    { text: '1, 2', message: "unexpected ','", column: 2, underlined: ',' },
    { text: 'a)', message: "unexpected ')'", column: 2, underlined: ')', hint: 'nothing was opened for it to close' },
    { text: 'a b', message: "unexpected 'b'", column: 3, underlined: 'b', hint: 'is an operator missing before it?' },
    { text: "1 'x'", message: "unexpected 'x'", column: 3, underlined: "'x'", hint: 'is an operator missing before it?' },
    { text: 'x = 1', code: 'single-equals', message: "'=' is not a comparison", column: 3, underlined: '=',
      hint: "use '==' to compare" },
    { text: 'IF(plan = "pro", 1, 2)', code: 'single-equals', message: "'=' is not a comparison", column: 9,
      underlined: '=', hint: "use '==' to compare" },
    { text: 'a === b', code: 'single-equals', message: "'=' is not a comparison", column: 5, underlined: '=',
      hint: "use '==' to compare" },
    { text: 'a && b', message: "'&&' is not an operator", column: 3, underlined: '&&', hint: "use 'and' (a single '&' joins text)" },
    { text: 'a || b', message: "'||' is not an operator", column: 3, underlined: '||', hint: "use 'or'" },
    { text: '!a', message: "'!' is not an operator", column: 1, underlined: '!', hint: "use 'not'" },
    { text: 'a % 3', message: "unexpected '3' after '%'", column: 5, underlined: '3',
      hint: "'%' after a value means percent (10% is 0.1); for the remainder of a division use MOD(a, b)" },
    { text: '%20', message: 'the percent sign goes after the number', column: 1, underlined: '%', hint: 'write it after the number: 20%' },
    { text: 'price * %20', message: 'the percent sign goes after the number', column: 9, underlined: '%', hint: 'write it after the number: price * 20%' },
    { text: 'width x height', message: "'x' is not multiplication", column: 7, underlined: 'x', hint: "multiply with '*': width * height" },
    { text: '2 x w x h', message: "'x' is not multiplication", column: 3, underlined: 'x', hint: "multiply with '*': 2 * w * h" },
    { text: '2 × 3', message: "unexpected character '×'", column: 3, underlined: '×', hint: "multiply with '*': 2 * 3" },
    { text: 'price * 1,5', message: 'a comma is not a decimal separator', column: 10, underlined: ',', hint: 'write the decimal point: price * 1.5' },
    { text: '-2^2', code: 'ambiguous-power', message: "'-' before a power is ambiguous: spreadsheets read -2^2 as (-2)^2, mathematics as -(2^2)",
      column: 1, underlined: '-2^2', hint: 'say which: (-2)^2 or -(2^2)' },
    { text: '1 - -x^2', code: 'ambiguous-power', message: "'-' before a power is ambiguous: spreadsheets read -x^2 as (-x)^2, mathematics as -(x^2)",
      column: 5, underlined: '-x^2', hint: 'say which: (-x)^2 or -(x^2)' },
    { text: '2^3^2', code: 'ambiguous-power', message: 'powers cannot be chained: spreadsheets read a^b^c as (a^b)^c, mathematics as a^(b^c)',
      column: 4, underlined: '^', hint: 'say which with parentheses: (a^b)^c or a^(b^c)' },
    { text: "'pro", message: 'unterminated string', column: 1, underlined: "'", hint: `end it with "'"` },
    { text: 'x + "pro', message: 'unterminated string', column: 5, underlined: '"', hint: `end it with '"'` },
    { text: "'a\\qb'", message: "unknown escape '\\q' in a string", column: 3, underlined: '\\q',
      hint: "the escapes are \\' \\\" \\\\ \\n \\t" },
    { text: 'a @ b', message: "unexpected character '@'", column: 3, underlined: '@' },
    { text: '‘pro’', message: "unexpected character '‘'", column: 1, underlined: '‘', hint: `use straight quotes ' or "` },
    { text: 'prix_é', message: "unexpected character 'é'", column: 6, underlined: 'é',
      hint: 'names use only the letters A-Z, digits and _' },
    { text: 'a < b < c', message: 'comparisons cannot be chained', column: 7, underlined: '<',
      hint: "write 'a < b and b < c' instead of 'a < b < c'" },
    { text: '(1 <= x <= 5)', message: 'comparisons cannot be chained', column: 9, underlined: '<=',
      hint: "write 'a < b and b < c' instead of 'a < b < c'" },
    { text: 'a == b in c', message: 'comparisons cannot be chained', column: 8, underlined: 'in',
      hint: "write 'a < b and b < c' instead of 'a < b < c'" },
    { text: 'a not b', message: "expected 'in' after 'not'", column: 7, underlined: 'b',
      hint: "'not' goes before what it negates: not a, x not in xs" },
    { text: 'x => x + 1', message: "unexpected '=>'", column: 3, underlined: '=>',
      hint: 'a lambda (x => …) is only allowed as a function argument, as in MAP(list, x => x * 2)' },
    { text: '[x => 1]', message: "unexpected '=>'", column: 4, underlined: '=>',
      hint: 'a lambda (x => …) is only allowed as a function argument, as in MAP(list, x => x * 2)' },
    { text: 'MAP(xs, (x => 1))', message: "unexpected '=>'", column: 12, underlined: '=>',
      hint: 'a lambda (x => …) is only allowed as a function argument, as in MAP(list, x => x * 2)' },
    { text: 'MAP(xs, x => y => 1)', message: "unexpected '=>'", column: 16, underlined: '=>',
      hint: 'a lambda (x => …) is only allowed as a function argument, as in MAP(list, x => x * 2)' },
    { text: '1..2', message: "unexpected '..'", column: 2, underlined: '..',
      hint: 'ranges like [1..4] are only allowed in decision-table conditions' },
    { text: 'a.', message: "expected a name after '.'", column: 3 },
    { text: 'a.1', message: "expected a name after '.'", column: 3, underlined: '1' },
    { text: '{1: 2}', message: "expected a field name after '{'", column: 2, underlined: '1',
      hint: "a field name is a name or a quoted text, as in {model: 'x', 'odd key': 1}" },
    { text: '{a: 1, 2: 3}', message: "expected a field name after ','", column: 8, underlined: '2',
      hint: "a field name is a name or a quoted text, as in {model: 'x', 'odd key': 1}" },
    { text: '{a 1}', message: "expected ':' after the field name 'a'", column: 4, underlined: '1' },
    { text: "{a: 1, 'a': 2}", message: "the field 'a' appears twice in this record", column: 8, underlined: "'a'" },
  ])('$text → $message', (c) => check(parseFormula, c));
});

describe('syntax errors in decision-table conditions', () => {
  const forms = "a condition is one test: -, 25, 'pro', >= 25, != 'free', in [1, 2], not in [1, 2] or [1..4]";
  test.for<Case>([
    { text: ' ', message: 'the condition is empty', column: 1, underlined: ' ', hint: "use '-' to match any value" },
    { text: ')', message: "expected a condition, found ')'", column: 1, underlined: ')', hint: forms },
    { text: 'x > 5', message: "unexpected '>'", column: 3, underlined: '>', hint: forms },
    { text: '>= 5 and < 6', message: "unexpected 'and'", column: 6, underlined: 'and', hint: forms },
    { text: '>=', message: "expected an expression after '>='", column: 3 },
    { text: '= 5', code: 'single-equals', message: "'=' is not a comparison", column: 1, underlined: '=',
      hint: "use '==' to compare" },
    { text: '[1..', message: "expected an expression after '..'", column: 5 },
    { text: '[1..4', message: "missing ']' or ')' to close the range opened at column 1", column: 6,
      hint: "']' includes the upper end, ')' excludes it" },
    { text: '[1 + 2 3..4]', message: "expected '..' in the range, found '3'", column: 8, underlined: '3',
      hint: 'a range is written [low..high]' },
    { text: '[1..4] x', message: "unexpected 'x'", column: 8, underlined: 'x', hint: forms },
    { text: "not 'free'", message: "expected 'in' after 'not'", column: 5, underlined: "'free'",
      hint: "to exclude values, write: not in ['a', 'b']" },
  ])('$text → $message', (c) => check(parseUnaryTest, c));
});

test('an error carries the Source it was given, so positions map into the file', () => {
  const file = 'rules:\n  price: CEIL(base *)\n';
  const start = file.indexOf('CEIL');
  const source: Source = {
    file: 'rules/pack.yaml', text: 'CEIL(base *)', fileText: file, toFileOffset: (offset) => start + offset,
  };
  const e = ruleErrorOf(() => parseFormula(source.text, source));
  expect(e.source).toBe(source);
  expect(e.format()).toBe([
    "rules/pack.yaml:2:21: error: expected an expression after '*'",
    '2 |   price: CEIL(base *)',
    `  | ${' '.repeat(20)}^`,
  ].join('\n'));
});
