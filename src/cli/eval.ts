import { RuleError } from '../../grammar/diagnostic.ts';
import { evaluateFormula } from '../engine/formula.ts';
import { toJsonText } from '../value.ts';
import { exactJson } from './exact.ts';
import { parseJsonOption, type CliIo } from './output.ts';

export function evalCommand(formula: string, inputJson: string, io: CliIo, exact = false): number {
  const input = parseJsonOption(inputJson, '--input');
  try {
    const value = evaluateFormula(formula, input);
    io.out(toJsonText(exact ? exactJson(value) : value));
    return 0;
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    io.err(e.format());
    return 1;
  }
}
