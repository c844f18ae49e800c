import { RuleError } from '../../grammar/diagnostic.ts';
import { evaluateFormula } from '../engine/formula.ts';
import { toJsonText } from '../value.ts';
import { parseJsonOption, type CliIo } from './output.ts';

export function evalCommand(formula: string, inputJson: string, io: CliIo): number {
  const input = parseJsonOption(inputJson, '--input');
  try {
    io.out(toJsonText(evaluateFormula(formula, input)));
    return 0;
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    io.err(e.format());
    return 1;
  }
}
