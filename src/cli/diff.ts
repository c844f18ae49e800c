// `credits diff <before> <after> --requests <source>`: what a rule change does to real
// traffic, priced on both sides, per operation and per account; `--fail-if` gates it.
import { existsSync } from 'node:fs';
import { RuleError } from '../../grammar/diagnostic.ts';
import { PackErrors } from '../engine/index.ts';
import { compareImpact } from '../impact/compare.ts';
import { failedGates, parseGate, type Gate } from '../impact/fail-if.ts';
import type { ChargeHistory } from '../impact/ledger-history.ts';
import { loadSide, type LoadedSide } from '../impact/load-side.ts';
import { impactJson } from '../impact/report-json.ts';
import { impactText } from '../impact/report-text.ts';
import { isPostgresUrl, isSqliteFile, readCorpus, type ImpactRequest } from '../impact/requests.ts';
import { didYouMean } from '../suggest.ts';
import { parseTime, plural, printDiagnostics, UsageError, type CliIo } from './output.ts';

export interface DiffOptions {
  requests: string;
  json?: boolean;
  failIf?: string[];
  from?: string;
  to?: string;
  at?: string;
  schema?: string;
  examples?: string;
}

/** Exit code: 0, 2 when a --fail-if gate holds, 1 on an error. */
export async function diffCommand(before: string, after: string, o: DiffOptions, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const gates: Gate[] = (o.failIf ?? []).map(parseGate);
  const now = parseTime(o.at) ?? new Date();
  const from = timeOption(o.from, '--from');
  const to = timeOption(o.to, '--to');
  const examples = o.examples === undefined ? 3 : Number(o.examples);
  if (!Number.isInteger(examples) || examples < 0) throw new UsageError(`--examples must be a whole number ≥ 0, got '${o.examples}'`);
  const sides: LoadedSide[] = [];
  try {
    for (const spec of [before, after]) sides.push(loadSide(spec));
    const [b, a] = [sides[0]!.side, sides[1]!.side];
    if (b.info.name !== a.info.name) throw new UsageError(`${before} is pack '${b.info.name}' but ${after} is pack '${a.info.name}': compare two versions of one pack`);
    const { requests, label, fromLedger } = await readRequests(o, a.info.name, from, to, env);
    if (!fromLedger) checkOperations(requests, sides.map((s) => s.operations));
    const report = compareImpact(b, a, requests, { now, examples });
    if (o.json) io.out(JSON.stringify(impactJson(report), null, 2));
    else for (const line of impactText(report, label)) io.out(line);
    const failures = failedGates(gates, report);
    for (const f of failures) io.err(`fail-if '${f.gate}' holds for ${f.scope}: ${f.value}`);
    return failures.length ? 2 : 0;
  } catch (e) {
    if (e instanceof PackErrors) {
      printDiagnostics(e.diagnostics, io);
      return 1;
    }
    throw e;
  } finally {
    for (const s of sides) s.cleanup();
  }
}

function timeOption(text: string | undefined, option: string): Date | undefined {
  try {
    return parseTime(text);
  } catch {
    throw new UsageError(`${option} must be an ISO 8601 time such as 2026-01-01T00:00:00Z, got '${text}'`);
  }
}

/**
 * `--requests`: a JSON Lines corpus, an SQLite ledger file, a postgres:// URL, or `ledger`
 * for the database the API server uses (DATABASE_URL, else SQLITE_PATH or data/credits.db).
 */
async function readRequests(o: DiffOptions, pack: string, from: Date | undefined, to: Date | undefined, env: NodeJS.ProcessEnv): Promise<{ requests: ImpactRequest[]; label: string; fromLedger: boolean }> {
  let location = o.requests;
  if (location === 'ledger') {
    location = env.DATABASE_URL || env.SQLITE_PATH || 'data/credits.db';
    if (!isPostgresUrl(location) && !existsSync(location)) throw new UsageError(`--requests ledger: no ledger database at ${location}; set DATABASE_URL or SQLITE_PATH as for the API server`);
  }
  const fromLedger = isPostgresUrl(location) || isSqliteFile(location);
  if (!fromLedger) {
    if (!existsSync(location)) throw new UsageError(`--requests ${location}: no such file (a JSON Lines corpus, an SQLite ledger file, a postgres:// URL, or ledger)`);
    if (from || to) throw new UsageError('--from and --to select charges of a ledger; a corpus is read whole');
    const requests = readCorpus(location);
    return { requests, label: `${location} (${plural(requests.length, 'request')})`, fromLedger };
  }
  let history: ChargeHistory | undefined;
  try {
    // The database drivers load only for a ledger: a corpus diff starts without them.
    const { openLedgerHistory } = await import('../impact/ledger-history.ts');
    history = openLedgerHistory(location, o.schema ?? env.DATABASE_SCHEMA ?? undefined);
    const requests = await history.charges({ pack, from, to });
    const range = from || to ? ` from ${from?.toISOString() ?? 'the start'} to ${to?.toISOString() ?? 'now'}` : '';
    return { requests, label: `the charges of ${history.label}${range} (${plural(requests.length, 'charge')})`, fromLedger };
  } finally {
    await history?.close();
  }
}

/** A corpus line naming an operation neither side has is a mistake in the corpus, not a rejection (a charge of an operation since dropped is history, not a mistake). */
function checkOperations(requests: readonly ImpactRequest[], sides: Set<string>[]): void {
  for (const r of requests) {
    if (sides.some((ops) => ops.has(r.operation))) continue;
    const known = [...new Set(sides.flatMap((s) => [...s]))];
    throw new RuleError('unknown-operation', `${r.where}: neither side has an operation '${r.operation}'`, undefined, undefined,
      didYouMean(r.operation, known) ?? `operations: ${known.join(', ')}`);
  }
}
