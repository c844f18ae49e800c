// A dotted spreadsheet name gets the equivalent kept with the functions (src/functions/spreadsheet-names.ts).
import { describe, expect, test } from 'vitest';
import { inlineSource, RuleError } from '../../grammar/diagnostic.ts';
import { parseFormula } from '../../grammar/parse.ts';
import { SPREADSHEET_FUNCTION } from '../../grammar/syntax-errors.ts';
import { withSpreadsheetEquivalent } from '../../src/check/spreadsheet-function.ts';
import { SPREADSHEET_EQUIVALENTS } from '../../src/functions/spreadsheet-names.ts';

function syntaxError(text: string): RuleError {
  try {
    parseFormula(text);
  } catch (e) {
    if (e instanceof RuleError) return e;
    throw e;
  }
  throw new Error(`'${text}' parsed`);
}

describe('a spreadsheet function name with a dot', () => {
  test.each(['CEILING.MATH(x, 2)', 'FLOOR.MATH(x)', 'STDEV.S(xs)', '1 + CEILING.PRECISE(x, 2)'])('%s is named, not "unexpected ("', (text) => {
    const e = syntaxError(text);
    const name = text.match(/[A-Z]+\.[A-Z]+/)![0];
    expect([e.code, e.message, text.slice(e.span!.start, e.span!.end)]).toEqual([SPREADSHEET_FUNCTION, `'${name}' is a spreadsheet function, not a function of this language`, name]);
  });

  test('a field of a record called like a function is not taken for one', () => {
    expect(syntaxError('plan.limit(2)').code).not.toBe(SPREADSHEET_FUNCTION);
  });

  test('the hint is the equivalent listed for the name, when there is one', () => {
    const text = 'VLOOKUP(x)';
    const e = new RuleError(SPREADSHEET_FUNCTION, 'm', inlineSource(text), { start: 0, end: 7 }, 'generic');
    expect(withSpreadsheetEquivalent(e).hint).toBe(SPREADSHEET_EQUIVALENTS.VLOOKUP);
  });

  test('without an equivalent listed, the hint stays the general one', () => {
    const e = syntaxError('NOSUCH.THING(xs)');
    expect(withSpreadsheetEquivalent(e).hint).toContain('no dot');
  });
});
