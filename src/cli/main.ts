// `credits`: check, evaluate, quote and test rule packs from the command line.
import { Command, Option } from 'commander';
import { RuleError } from '../../grammar/diagnostic.ts';
import { checkCommand } from './check.ts';
import { evalCommand } from './eval.ts';
import { exportJsonLogicCommand } from './export-jsonlogic.ts';
import { quoteCommand } from './quote.ts';
import { testCommand } from './test.ts';

// Output piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const program = new Command('credits')
  .description('Check, evaluate, quote and test credit rule packs.')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 1));

program.command('check')
  .description('check rule packs: names, types, tables, decision tables, cycles (exit 1 on errors)')
  .argument('[paths...]', 'pack folders, or folders of packs', ['rules'])
  .action((paths: string[]) => checkCommand(paths));

program.command('eval')
  .description('evaluate one formula; prints its value as JSON on the last line')
  .argument('<formula>', "the formula, e.g. 'CEIL(600 * 2 * (1 + 6 * 0.02))'")
  .option('--input <json>', 'values for the names in the formula, as a JSON object', '{}')
  .action((formula: string, o: { input: string }) => evalCommand(formula, o.input));

program.command('quote')
  .description('price a request: exit 0 when accepted, 2 when a constraint rejects it, 1 on an error')
  .argument('<pack-dir>', 'the pack folder, e.g. rules/pixai')
  .argument('<operation>', 'the operation, e.g. generate_image')
  .option('--input <json>', 'the inputs, as a JSON object', '{}')
  .option('--at <time>', 'the request time (ISO 8601); picks the rule version in force (default now)')
  .option('--explain', 'show every cell with its formula and value, in dependency order')
  .option('--json', 'print one JSON object {outputs, rejections, version, trace}')
  .action((packDir: string, operation: string, o: { input: string; at?: string; explain?: boolean; json?: boolean }) => quoteCommand(packDir, operation, o));

program.command('test')
  .description("run the packs' regression cases (tests/*.yaml); exit 1 on any failure")
  .argument('[paths...]', 'pack folders, or folders of packs', ['rules'])
  .action((paths: string[]) => testCommand(paths));

program.command('export-jsonlogic')
  .description('export an operation as JSON Logic, for clients to preview prices offline')
  .argument('<pack>', 'the pack folder (e.g. rules/pixai) or a pack name under rules/')
  .argument('<operation>', 'the operation')
  .addOption(new Option('--at <time>', 'export the version in force at this time (ISO 8601)'))
  .action((pack: string, operation: string, o: { at?: string }) => exportJsonLogicCommand(pack, operation, o));

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof RuleError) {
    console.error(e.format());
    process.exit(1);
  }
  throw e;
}
