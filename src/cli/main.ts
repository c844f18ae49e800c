// `credits`: check, evaluate, quote and test rule packs from the command line.
// Each command's module is imported only when that command runs: `eval` never loads YAML,
// the schemas or the checker, which keeps a one-formula answer close to Node's own start-up.
import { Command, CommanderError, Option } from 'commander';
import { RuleError } from '../../grammar/diagnostic.ts';
import { UsageError, type CliIo } from './output.ts';

/** Runs one `credits …` command line (without `node credits`) and returns its exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = new Command('credits')
    .description('Check, evaluate, quote and test credit rule packs.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });

  /** `check` and `test`: packs under paths, once or again on every change (--watch). */
  const packsCommand = (name: string, description: string, load: () => Promise<(paths: string[], io: CliIo, o: { release?: boolean }) => number | Promise<number>>) =>
    program.command(name)
      .description(description)
      .argument('[paths...]', 'pack folders, or folders of packs', ['rules'])
      .option('--watch', 'run again whenever a file under the paths changes (Ctrl-C to stop)')
      .action(async (paths: string[], o: { watch?: boolean; release?: boolean }) => {
        const command = await load();
        code = o.watch ? await watchCommand(paths, io, () => command(paths, io, o)) : await command(paths, io, o);
      });

  packsCommand('check', 'check rule packs: names, types, tables, decision tables, cycles, regression cases (exit 1 on errors)',
    async () => (await import('./check.ts')).checkCommand)
    .option('--release', 'also fail while an operation\'s result depends on a figure marked illustrative');

  program.command('eval')
    .description('evaluate one formula; prints its value as JSON on the last line')
    .argument('<formula>', "the formula, e.g. 'CEIL(600 * 2 * (1 + 6 * 0.02))'; one starting with '-' works too")
    .option('--input <json>', 'values for the names in the formula, as a JSON object', '{}')
    .option('--exact', "show a value that doesn't terminate as its fraction (\"1/3\") instead of 20 digits and '…'")
    .action(async (formula: string, o: { input: string; exact?: boolean }) => {
      const { evalCommand } = await import('./eval.ts');
      code = evalCommand(formula, o.input, io, o.exact === true);
    });

  program.command('quote')
    .description('price a request: exit 0 when accepted, 2 when a constraint rejects it, 1 on an error')
    .argument('<pack-dir>', 'the pack folder, e.g. rules/pixai')
    .argument('<operation>', 'the operation, e.g. generate_image')
    .option('--input <json>', 'the inputs, as a JSON object', '{}')
    .option('--at <time>', 'the request time (ISO 8601); picks the rule version in force (default now)')
    .option('--explain', 'show every cell with its formula and value, in dependency order')
    .option('--json', 'print one JSON object {outputs, rejections, version, trace}')
    .option('--exact', "show a value that doesn't terminate as its fraction (1/3) instead of 20 digits and '…'")
    .action(async (packDir: string, operation: string, o: { input: string; at?: string; explain?: boolean; json?: boolean; exact?: boolean }) => {
      const { quoteCommand } = await import('./quote.ts');
      code = quoteCommand(packDir, operation, o, io);
    });

  packsCommand('test', "run the packs' regression cases (tests/*.yaml) and ledger scenarios (tests/scenarios/*.yaml); exit 1 on any failure",
    async () => (await import('./test.ts')).testCommand);

  program.command('export-jsonlogic')
    .description('export an operation as JSON Logic, for clients to preview prices offline')
    .argument('<pack>', 'the pack folder (e.g. rules/pixai) or a pack name under rules/')
    .argument('<operation>', 'the operation')
    .addOption(new Option('--at <time>', 'export the version in force at this time (ISO 8601)'))
    .action(async (pack: string, operation: string, o: { at?: string }) => {
      const { exportJsonLogicCommand } = await import('./export-jsonlogic.ts');
      code = exportJsonLogicCommand(pack, operation, o, io);
    });

  program.command('diff')
    .description("price requests on two versions of a pack and report the change per operation; exit 2 when a --fail-if gate holds")
    .argument('<before>', 'a pack folder (rules/pixai), a version of it (rules/pixai@2026.1, @2) or a git revision of it (HEAD~1:rules/pixai)')
    .argument('<after>', 'the same, for the changed rules')
    .requiredOption('--requests <source>', 'a JSON Lines corpus, an SQLite ledger file, a postgres:// URL, or `ledger` (DATABASE_URL, else SQLITE_PATH)')
    .option('--from <time>', 'ledger: charges created at or after this time (ISO 8601)')
    .option('--to <time>', 'ledger: charges created before this time (ISO 8601)')
    .option('--schema <name>', 'ledger on PostgreSQL: the schema (default DATABASE_SCHEMA)')
    .option('--at <time>', 'the time of corpus requests without "at" (default now)')
    .option('--examples <n>', 'examples of each kind per operation', '3')
    .option('--fail-if <gate>', "exit 2 when this holds for an operation or the totals, e.g. 'increase > 5%' (repeatable)", (v: string, all: string[] = []) => [...all, v])
    .option('--json', 'print one JSON object {operations, totals}')
    .action(async (before: string, after: string, o: import('./diff.ts').DiffOptions) => {
      const { diffCommand } = await import('./diff.ts');
      code = await diffCommand(before, after, o, io);
    });

  program.command('audit')
    .description("recompute every balance of a ledger database from its entry log and report any drift (exit 1 on drift)")
    .option('--database <location>', 'a postgres:// URL or an SQLite file (default DATABASE_URL, else SQLITE_PATH, else data/credits.db)')
    .option('--schema <name>', 'on PostgreSQL: the schema (default DATABASE_SCHEMA)')
    .option('--rules <dir>', 'the rule packs (default RULES_DIR, else rules)')
    .option('--json', 'print the report as JSON {accounts_checked, drift}')
    .action(async (o: import('./audit.ts').AuditOptions) => {
      const { auditCommand } = await import('./audit.ts');
      code = await auditCommand(o, io);
    });

  try {
    await program.parseAsync(formulaAsOperand(argv), { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    if (e instanceof RuleError) {
      io.err(e.format());
      return 1;
    }
    throw e;
  }
}

/**
 * `credits eval '-2 * -3'`: a formula starting with '-' would be read as an option. For
 * `eval`, whatever isn't one of its options is the formula, so it is moved behind `--`.
 */
function formulaAsOperand(argv: string[]): string[] {
  if (argv[0] !== 'eval' || argv.includes('--')) return argv;
  const options: string[] = [];
  const operands: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--input') options.push(a, ...argv.slice(i + 1, i + 2)), i++;
    else if (a.startsWith('--input=') || a === '--exact' || a === '-h' || a === '--help') options.push(a);
    else operands.push(a);
  }
  return ['eval', ...options, '--', ...operands];
}

async function watchCommand(paths: string[], io: CliIo, run: () => number | Promise<number>): Promise<number> {
  const { watchPaths } = await import('./watch.ts');
  return watchPaths(paths, io, run);
}
