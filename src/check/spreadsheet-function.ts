// A spreadsheet function name with a dot (`CEILING.MATH(x, 2)`) stops the parser, which knows
// only that it is no name here; what to write instead is kept with the functions.
import { RuleError } from '../../grammar/diagnostic.ts';
import { SPREADSHEET_FUNCTION } from '../../grammar/syntax-errors.ts';
import { insteadOfSpreadsheet } from '../functions/spreadsheet-names.ts';

/** The same error with the function that means the same as its hint, when there is one. */
export function withSpreadsheetEquivalent(e: RuleError): RuleError {
  if (e.code !== SPREADSHEET_FUNCTION || !e.source || !e.span) return e;
  const name = e.source.text.slice(e.span.start, e.span.end);
  const instead = insteadOfSpreadsheet(name);
  return instead === undefined ? e : new RuleError(e.code, e.message, e.source, e.span, instead, e.severity);
}
