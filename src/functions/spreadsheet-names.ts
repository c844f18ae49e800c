// Spreadsheet functions this language doesn't have, each with what means the same here.
// A "did you mean" by spelling would send a PM from SUMIF to SUM; the meaning is what helps.

const LOOKUP = 'look the row up in a table: prices[model].credits (a table is declared under tables:)';
const NO_ERRORS = 'formulas have no error values to catch: test the case first, e.g. IF(b == 0, 0, a / b)';
const NO_CLOCK = 'formulas have no clock: pass the date or time as an input';

export const SPREADSHEET_EQUIVALENTS: Readonly<Record<string, string>> = {
  VLOOKUP: LOOKUP, HLOOKUP: LOOKUP, XLOOKUP: LOOKUP, LOOKUP, INDEX: LOOKUP, MATCH: LOOKUP,
  CONCATENATE: "join text with &: 'v' & version (or CONCAT('v', version))",
  TEXTJOIN: "join text with &: a & ', ' & b",
  COUNTIF: 'count the items that pass a test: COUNT(FILTER(list, x => x > 10))',
  COUNTIFS: 'count the items that pass every test: COUNT(FILTER(list, x => x > 10 and x < 20))',
  COUNTA: 'COUNT(list) counts the items of a list',
  SUMIF: 'add the items that pass a test: SUM(FILTER(list, x => x > 10))',
  SUMIFS: 'add the items that pass every test: SUM(FILTER(list, x => x > 10 and x < 20))',
  AVERAGEIF: 'average the items that pass a test: AVERAGE(FILTER(list, x => x > 10))',
  MAXIFS: 'the largest item that passes a test: MAX(FILTER(list, x => x > 10))',
  MINIFS: 'the smallest item that passes a test: MIN(FILTER(list, x => x > 10))',
  SUMPRODUCT: 'multiply inside MAP, then add: SUM(MAP(items, i => i.price * i.quantity))',
  IFERROR: NO_ERRORS, IFNA: NO_ERRORS, ISERROR: NO_ERRORS,
  CHOOSE: "pick by position with SWITCH: SWITCH(n, 1, 'a', 2, 'b')",
  XOR: 'a != b is true when exactly one of two conditions is',
  QUOTIENT: 'TRUNC(a / b) is the whole part of a division',
  SIGN: 'IF(x > 0, 1, IF(x < 0, -1, 0))',
  SQRT: 'numbers stay exact, so only whole powers exist: POWER(x, n) or x ^ n',
  EXP: 'numbers stay exact, so only whole powers exist: POWER(x, n) or x ^ n',
  LN: 'numbers stay exact, so there are no logarithms', LOG: 'numbers stay exact, so there are no logarithms',
  LOG10: 'numbers stay exact, so there are no logarithms',
  TODAY: NO_CLOCK, NOW: NO_CLOCK, DATE: NO_CLOCK,
  ISBLANK: 'an input left out takes its default (declare one with default:); compare with that value',
  LOWER: "text is compared exactly: write the value as the input's enum lists it",
  UPPER: "text is compared exactly: write the value as the input's enum lists it",
  TRIM: "text is compared exactly: write the value as the input's enum lists it",
  MEDIAN: 'there is no MEDIAN; AVERAGE(list) is the mean',
  'CEILING.MATH': 'CEIL(x, significance) rounds up to a multiple, as CEILING.MATH does: CEIL(x, 2)',
  'CEILING.PRECISE': 'CEIL(x, significance) rounds up to a multiple: CEIL(x, 2)',
  'FLOOR.MATH': 'FLOOR(x, significance) rounds down to a multiple, as FLOOR.MATH does: FLOOR(x, 2)',
  'FLOOR.PRECISE': 'FLOOR(x, significance) rounds down to a multiple: FLOOR(x, 2)',
  'STDEV.S': 'numbers stay exact, so there are no square roots and no standard deviation; AVERAGE(list) is the mean',
  'STDEV.P': 'numbers stay exact, so there are no square roots and no standard deviation; AVERAGE(list) is the mean',
  'MODE.SNGL': 'there is no MODE; AVERAGE(list) is the mean',
};

/** What to write instead of a spreadsheet function this language lacks, if it is one. */
export function insteadOfSpreadsheet(name: string): string | undefined {
  return SPREADSHEET_EQUIVALENTS[name.toUpperCase()];
}
