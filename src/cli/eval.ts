import { RuleError } from '../../grammar/diagnostic.ts';
import { evaluateFormula } from '../engine/formula.ts';
import { toJsonText } from '../value.ts';
import { parseJsonOption, usageError } from './output.ts';

export function evalCommand(formula: string, inputJson: string): void {
  let input: Record<string, unknown>;
  try {
    input = parseJsonOption(inputJson, '--input');
  } catch (e) {
    usageError(e);
  }
  try {
    console.log(toJsonText(evaluateFormula(formula, input)));
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    console.error(e.format());
    process.exitCode = 1;
  }
}
